#!/usr/bin/perl
# Drives the real joviandss-nfs Perl plugin inside the test VM, through the PVE stand-in of
# test/plugin/lib, against the simulator, the VM's nfsd and the real mount: one plugin method per
# call, its result on stdout.
#
#   plugin-nfs-drive.pl add | activate | status | deactivate
#
# Environment: E2E_REPO, PLUGIN_PRIV (the plugin's /etc/pve/priv/storage stand-in), NFS_STORAGE
# (storage id), NFS_SERVER, NFS_EXPORT, NFS_PATH, NFS_QUOTA, and the array's JD_REST
# JD_REST_PORT JD_CA JD_REST_PASSWORD.
use strict;
use warnings;

BEGIN { unshift @INC, "$ENV{E2E_REPO}/test/plugin/lib", "$ENV{E2E_REPO}/perl" }
use File::Path ();
use PVE::Storage;
use PVE::Storage::Custom::JovianDSSNFSPlugin;

# The stand-in base class models registration and hooks, not PVE's file-storage code. Where it
# has no activate_storage, this is PVE 9.1's (PVE::Storage::Plugin) part the plugin relies on:
# the path must be a directory, then each content type's directory is made in it.
if (!PVE::Storage::Plugin->can('activate_storage')) {
    my %subdir = (images => 'images', rootdir => 'private', iso => 'template/iso',
        vztmpl => 'template/cache', backup => 'dump', snippets => 'snippets', import => 'import');
    no warnings 'once';
    *PVE::Storage::Plugin::activate_storage = sub {
        my ($class, $storeid, $scfg, $cache) = @_;
        my $path = $scfg->{path} or die "storage definition has no path\n";
        die "unable to activate storage '$storeid' - directory '$path' does not exist or is unreachable\n"
            if !-d $path;
        for my $vtype (sort keys %subdir) {
            next if !defined($scfg->{content}->{$vtype})
                && !($vtype eq 'backup' && defined($scfg->{content}->{rootdir}));
            File::Path::make_path("$path/$subdir{$vtype}", { error => \my $errors });
            die "failed to create content directory '$path/$subdir{$vtype}'\n" if $errors && @$errors;
        }
        return;
    };
}

$PVE::Storage::Custom::JovianDSS::Secrets::PRIV_DIR = $ENV{PLUGIN_PRIV} // die "PLUGIN_PRIV?\n";
$ENV{JDSSC_BIN} //= '/usr/local/bin/jdssc';
my $P = 'PVE::Storage::Custom::JovianDSSNFSPlugin';
my $S = $ENV{NFS_STORAGE};
# An Open-E joviandss-nfs section as storage.cfg holds it, plus ours: the REST address (the
# simulator is not on the NFS address), its CA, and the quota activation creates the NAS volume with.
my $scfg = {
    type => 'joviandss-nfs',
    server => $ENV{NFS_SERVER},
    export => $ENV{NFS_EXPORT},
    path => $ENV{NFS_PATH},
    user_name => 'admin',
    control_addresses => $ENV{JD_REST},
    control_port => $ENV{JD_REST_PORT},
    ssl_cert_verify => 1,
    jdss_ssl_ca_file => $ENV{JD_CA},
    nas_quota => $ENV{NFS_QUOTA},
    content => { images => 1, iso => 1, backup => 1 },
    shared => 1,
};

my ($method) = @ARGV;
my $cache = {};
my %call = (
    add => sub { $P->on_add_hook($S, $scfg, user_password => $ENV{JD_REST_PASSWORD}); 'added' },
    activate => sub { $P->activate_storage($S, $scfg, $cache); $cache->{"jdss_nfs_$S"} // '' },
    # (total, available, used, active), or undef when not mounted here
    status => sub { my @st = $P->status($S, $scfg, $cache); defined($st[0]) ? join(' ', @st) : 'inactive' },
    deactivate => sub { $P->deactivate_storage($S, $scfg, $cache); 'deactivated' },
);
die "usage: plugin-nfs-drive.pl " . join('|', sort keys %call) . "\n" if !$method || !$call{$method};
my $r = eval { $call{$method}->() };
if (my $err = $@) {
    print STDERR "plugin $method: $err";
    exit 1;
}
print((defined $r ? $r : ''), "\n");
