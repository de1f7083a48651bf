#!/usr/bin/perl
# Drives the real Perl plugin inside the test VM, through the PVE stand-in of test/plugin/lib,
# against the simulator and the real host: one plugin method per call, its result on stdout.
#
#   plugin-drive.pl add | alloc VMID KIB | activate VOL [SNAP] | path VOL [SNAP] | size VOL
#                   | resize VOL BYTES | snapshot VOL SNAP | snapdel VOL SNAP
#                   | deactivate VOL [SNAP] | free VOL
#
# Environment: E2E_REPO, PLUGIN_PRIV (the plugin's /etc/pve/priv/storage stand-in), and the
# array's JD_POOL JD_REST JD_REST_PORT JD_VIP1 JD_VIP2 JD_PREFIX JD_CA JD_STORAGE JD_REST_PASSWORD.
use strict;
use warnings;

BEGIN { unshift @INC, "$ENV{E2E_REPO}/test/plugin/lib", "$ENV{E2E_REPO}/perl" }
use PVE::Storage;
use PVE::Storage::Custom::JovianDSSPlugin;

$PVE::Storage::Custom::JovianDSS::Secrets::PRIV_DIR = $ENV{PLUGIN_PRIV} // die "PLUGIN_PRIV?\n";
$ENV{JDSSC_BIN} //= '/usr/local/bin/jdssc';
my $P = 'PVE::Storage::Custom::JovianDSSPlugin';
my $S = $ENV{JD_STORAGE};
my $scfg = {
    type => 'joviandss',
    pool_name => $ENV{JD_POOL},
    control_addresses => $ENV{JD_REST},
    control_port => $ENV{JD_REST_PORT},
    data_addresses => "$ENV{JD_VIP1},$ENV{JD_VIP2}",
    target_prefix => $ENV{JD_PREFIX},
    ssl_cert_verify => 1,
    jdss_ssl_ca_file => $ENV{JD_CA},
    multipath => 1,
    content => { images => 1 },
    shared => 1,
};

my ($method, @a) = @ARGV;
my %call = (
    add => sub { $P->on_add_hook($S, $scfg, user_password => $ENV{JD_REST_PASSWORD}); 'added' },
    alloc => sub { $P->alloc_image($S, $scfg, $a[0], 'raw', undef, $a[1]) },
    activate => sub { $P->activate_volume($S, $scfg, $a[0], $a[1], {}, {}) },
    path => sub { scalar $P->path($scfg, $a[0], $S, $a[1]) },
    size => sub { scalar $P->volume_size_info($scfg, $S, $a[0]) },
    resize => sub { $P->volume_resize($scfg, $S, $a[0], $a[1], 1); 'resized' },
    snapshot => sub { $P->volume_snapshot($scfg, $S, $a[0], $a[1]); 'snapshot' },
    snapdel => sub { $P->volume_snapshot_delete($scfg, $S, $a[0], $a[1]); 'deleted' },
    deactivate => sub { $P->deactivate_volume($S, $scfg, $a[0], $a[1], {}); 'deactivated' },
    free => sub { $P->free_image($S, $scfg, $a[0], 0, 'raw'); 'freed' },
);
die "usage: plugin-drive.pl " . join('|', sort keys %call) . " ARGS...\n" if !$method || !$call{$method};
my $r = eval { $call{$method}->() };
if (my $err = $@) {
    print STDERR "plugin $method: $err";
    exit 1;
}
print((defined $r ? $r : ''), "\n");
