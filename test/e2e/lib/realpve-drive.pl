#!/usr/bin/perl
# Drives the REAL Proxmox VE storage code inside the test VM: the unmodified PVE::Storage of
# pve-storage 9.1 (with pve-common and pve-cluster, from ../shared/pve beside the repository)
# and our plugin, loaded by the real-PVE tier's test/pve/lib/RealPVE.pm (stubs only for
# pmxcfs and the access control), against the scenario's simulator and the real host
# (open-iscsi, multipath). One process for the whole scenario, since loading PVE::Storage costs
# seconds under TCG: it answers "ready <where the PVE code is>" once loaded, then reads one
# request per line on stdin and answers one line on stdout.
#
#   create | delete              PVE::API2::Storage::Config->create / ->delete (pvesm add / remove)
#   guest VMID                   this node holds the guest's config (/etc/pve/local/qemu-server)
#   FUNCTION ARG...              PVE::Storage::FUNCTION(PVE::Storage::config(), ARG...)
#                                ARG '-' is undef, '[a,b]' an array ref, else the string itself
#   -> ok RESULT...              list context; undef is '', a reference its JSON
#   -> err MESSAGE               one line
#
# Environment: E2E_REPO, and the array's JD_POOL JD_REST JD_REST_PORT JD_VIP1 JD_VIP2 JD_PREFIX
# JD_CA JD_STORAGE JD_REST_PASSWORD; JD_LOG (jdssc's log file); JD_CONFIG (a jdssc config for
# -c, e.g. a fake host's host_root, to try the driver outside the VM). Whatever the PVE code prints
# (a cleanup worker's "removed volume …") and every warning go to stderr.
use strict;
use warnings;

BEGIN { unshift @INC, "$ENV{E2E_REPO}/test/pve/lib" }
use RealPVE; # the PVE stack and the plugin, as RealPVE's tests get them (or a skip line)
use JSON::PP ();

my $S = $ENV{JD_STORAGE} // die "JD_STORAGE?\n";
open(my $reply, '>&', \*STDOUT) or die "dup stdout: $!\n";
$reply->autoflush(1);
open(STDOUT, '>&', \*STDERR) or die "stdout to stderr: $!\n";
STDERR->autoflush(1);
my $json = JSON::PP->new->canonical->allow_nonref;

# The guests whose configs "this node" holds: the plugin passes --force for their volumes.
$PVE::Storage::Custom::JovianDSS::Cli::LOCAL_GUESTS = RealPVE::tmp() . '/local';

my %special = (
    create => sub {
        PVE::API2::Storage::Config->create({
            storage => $S, type => 'joviandss', pool_name => $ENV{JD_POOL},
            control_addresses => $ENV{JD_REST}, control_port => $ENV{JD_REST_PORT},
            data_addresses => "$ENV{JD_VIP1},$ENV{JD_VIP2}", target_prefix => $ENV{JD_PREFIX},
            jdss_ssl_ca_file => $ENV{JD_CA}, ssl_cert_verify => 1, multipath => 1,
            content => 'images,rootdir', shared => 1, user_password => $ENV{JD_REST_PASSWORD},
            ($ENV{JD_LOG} ? (log_file => $ENV{JD_LOG}, jdss_debug => 1) : ()),
            ($ENV{JD_CONFIG} ? (config => $ENV{JD_CONFIG}) : ()),
        });
    },
    delete => sub { PVE::API2::Storage::Config->delete({ storage => $S }) },
    guest => sub {
        my ($vmid) = @_;
        my $dir = "$PVE::Storage::Custom::JovianDSS::Cli::LOCAL_GUESTS/qemu-server";
        File::Path::make_path($dir);
        PVE::Tools::file_set_contents("$dir/$vmid.conf", "memory: 16\n");
        return "$dir/$vmid.conf";
    },
);

sub arg {
    my ($a) = @_;
    return undef if $a eq '-';
    return [split /,/, $1] if $a =~ /^\[(.*)\]$/;
    return $a;
}

sub show { my ($v) = @_; return !defined($v) ? '' : ref($v) ? $json->encode($v) : "$v" }

require File::Path;
print {$reply} "ready $RealPVE::SOURCE\n";
while (my $line = <STDIN>) {
    chomp $line;
    my ($fn, @args) = split ' ', $line;
    next if !defined $fn;
    my $code = $special{$fn};
    if (!$code) {
        my $f = $fn =~ /^\w+$/ ? PVE::Storage->can($fn) : undef;
        $code = $f && sub { $f->(PVE::Storage::config(), @_) };
    }
    print STDERR "== $line\n";
    my @res = eval {
        die "no such request: $fn\n" if !$code;
        $code->(map { arg($_) } @args);
    };
    if (my $err = $@) {
        $err = "$err";
        $err =~ s/\s+$//;
        $err =~ s/\s*\n\s*/ | /g;
        print STDERR "-> err $err\n";
        print {$reply} "err $err\n";
        next;
    }
    my $out = join(' ', map { show($_) } @res);
    print STDERR "-> ok $out\n";
    print {$reply} "ok $out\n";
}
