package NFSTier;

# Helpers of the real-PVE tier's joviandss-nfs tests: the simulator with NAS volume files and
# the fake host (test/plugin/sim-fakehost.mjs --nas-data-dir: the fake mount shows a NAS volume's folder at the mount
# directory), `pvesm add joviandss-nfs` through the real API handler, and a foreign mount put
# into the fake mountinfo.

use strict;
use warnings;

use Exporter 'import';
use File::Temp qw(tempdir);
use JSON::PP ();
use POSIX ();

use RealPVE;
use PVETier qw(call);

our @EXPORT_OK = qw(start_nfs_sim add_nfs_storage foreign_mount fake_mounts);

my @sims;

sub start_nfs_sim {
    my ($dir) = tempdir('nfs-sim-XXXXXX', DIR => RealPVE::tmp()) =~ m!^(/.*)$!;
    my %s = (dir => $dir, host_root => "$dir/host", host_state => "$dir/host-state.json",
        nas_data => "$dir/sim-data", config => "$dir/jdssc.yaml", ca => "$dir/ca.pem");
    open(my $y, '>', $s{config}) or die $!;
    chmod 0600, $s{config};
    print {$y} "host_root: $s{host_root}\nhost_tools_dir: $RealPVE::ROOT/test/host/fakes\n";
    close($y);
    $ENV{FAKE_HOST_STATE} = $s{host_state};
    $s{password} = 'sim-' . join('', map { ('a' .. 'z', 0 .. 9)[rand 36] } 1 .. 16);
    open(my $fh, '>', "$dir/password") or die $!;
    chmod 0600, "$dir/password";
    print {$fh} "$s{password}\n";
    close($fh);
    my $pid = fork() // die "fork: $!";
    if (!$pid) {
        open(STDOUT, '>', "$dir/simulator.log");
        open(STDERR, '>&', \*STDOUT);
        exec('node', "$RealPVE::ROOT/test/plugin/sim-fakehost.mjs", '--host-root', $s{host_root},
            '--host-state', $s{host_state}, '--nas-data-dir', $s{nas_data}, '--password-file', "$dir/password",
            '--ca-file', $s{ca}, '--ready-file', "$dir/ready.json") or POSIX::_exit(127);
    }
    $s{pid} = $pid;
    push @sims, \%s;
    my $until = time() + 20;
    while (!-s "$dir/ready.json") {
        die "simulator did not start:\n" . (eval { local (@ARGV, $/) = "$dir/simulator.log"; <> } // '')
            if time() > $until || waitpid($pid, POSIX::WNOHANG()) == $pid;
        select(undef, undef, undef, 0.05);
    }
    my $ready = do { local (@ARGV, $/) = "$dir/ready.json"; <> };
    ($s{port}) = $ready =~ /"port"\s*:\s*(\d+)/ or die "no port in $ready\n";
    return \%s;
}

END {
    local $?;
    for my $s (@sims) {
        next if !$s->{pid};
        kill('TERM', $s->{pid});
        waitpid($s->{pid}, 0);
    }
}

# `pvesm add joviandss-nfs <id> …` as the API runs it (check_config, on_add_hook, activate, write).
sub add_nfs_storage {
    my ($sim, $storeid, %extra) = @_;
    my %param = (
        storage => $storeid, type => 'joviandss-nfs', server => '127.0.0.2',
        export => '/Pools/Pool-0/pve-files', path => RealPVE::tmp() . "/mnt/pve/$storeid",
        control_addresses => '127.0.0.1', control_port => $sim->{port}, data_addresses => '127.0.0.3',
        jdss_ssl_ca_file => $sim->{ca}, config => $sim->{config}, user_name => 'admin',
        content => 'iso,vztmpl,backup,snippets,import,images,rootdir', shared => 1,
        user_password => $sim->{password}, %extra,
    );
    delete $param{$_} for grep { !defined $param{$_} } keys %param;
    return call(sub { PVE::API2::Storage::Config->create(\%param) }, 'PVE::API2::Storage::Config->create');
}

# Something else mounted at $path, in the fake mountinfo (test/host/fakes/lib/nfs.mjs).
sub foreign_mount {
    my ($sim, $path, $source, $fstype) = @_;
    my $lib = "$RealPVE::ROOT/test/host/fakes/lib";
    my $js = "import { withState } from '$lib/state.mjs'; import { addForeignMount } from '$lib/nfs.mjs';"
        . " withState(process.env.FAKE_HOST_STATE, (s) => addForeignMount(s, process.argv[1], process.argv[2], process.argv[3]));";
    system('node', '--input-type=module', '-e', $js, $path, $source, $fstype) == 0 or die "foreign_mount failed\n";
}

# The fake host's NFS mounts: [{ path, source, ... }].
sub fake_mounts {
    my ($sim) = @_;
    open(my $fh, '<', $sim->{host_state}) or die "$sim->{host_state}: $!";
    local $/;
    my $state = JSON::PP->new->decode(<$fh>);
    return $state->{nfs}->{mounts} // [];
}

1;
