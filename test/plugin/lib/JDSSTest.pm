package JDSSTest;

# Shared set-up for the plugin tests: the real plugin loaded against the PVE stand-in, the
# real jdssc, and (on request) the JovianDSS simulator on 127.0.0.1 with a CA-verified TLS
# link. Everything lives in one temporary directory; the simulator is stopped by PID.

use strict;
use warnings;

use Cwd qw(abs_path);
use Exporter 'import';
use Fcntl qw(O_WRONLY O_CREAT O_EXCL);
use JSON::PP ();
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);

use PVE::Storage;
use PVE::Tools;

our @EXPORT_OK = qw(plugin tmp scfg start_simulator stop_simulator argv_log host_state host_update);

our $ROOT = abs_path(dirname(__FILE__) . '/../../..');
our $PLUGIN = 'PVE::Storage::Custom::JovianDSSPlugin';
our $TMP = tempdir('jdss-plugin-test-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my @simulators;

unshift @INC, "$ROOT/perl";
$ENV{JDSSC_BIN} = "$ROOT/bin/jdssc";
$ENV{JDSSC_STATE_DIR} = "$TMP/state";
$ENV{PVE_TEST_LOCK_DIR} = $TMP;
mkdir "$TMP/state", 0700;
require PVE::Storage::Custom::JovianDSSPlugin;
$PVE::Storage::Custom::JovianDSS::Secrets::PRIV_DIR = "$TMP/priv/storage";

sub plugin { return $PLUGIN }
sub tmp { return $TMP }

# Every argv run_command saw so far.
sub argv_log { return @PVE::Tools::COMMANDS }

# Starts `jdssc simulator start` on 127.0.0.1 and waits for its ready file. With fakehost => 1
# the simulator's targets are also the "array" of a fake host (test/host/fakes): jdssc then
# needs the returned {config} (host_root, host_tools_dir) and $ENV{FAKE_HOST_STATE} (set here).
sub start_simulator {
    my (%opt) = @_;
    my $dir = tempdir('sim-XXXXXX', DIR => $TMP);
    my @cmd = ("$ROOT/bin/jdssc", 'simulator', 'start', '--listen', '127.0.0.1', '--port', '0');
    my %host;
    if ($opt{fakehost}) {
        %host = (host_root => "$dir/host", host_state => "$dir/host-state.json", config => "$dir/jdssc.yaml");
        @cmd = ('node', "$ROOT/test/plugin/sim-fakehost.mjs", '--host-root', $host{host_root},
            '--host-state', $host{host_state});
        open(my $y, '>', $host{config}) or die $!;
        chmod 0600, $host{config};
        print {$y} "host_root: $host{host_root}\nhost_tools_dir: $ROOT/test/host/fakes\n";
        close($y);
        $ENV{FAKE_HOST_STATE} = $host{host_state};
    }
    my $password = $opt{password} // 'sim-' . join('', map { ('a'..'z', 0..9)[rand 36] } 1 .. 16);
    open(my $fh, '>', "$dir/password") or die $!;
    chmod 0600, "$dir/password";
    print {$fh} "$password\n";
    close($fh);
    my $pid = fork() // die "fork: $!";
    if (!$pid) {
        open(STDOUT, '>', "$dir/simulator.log");
        open(STDERR, '>&', \*STDOUT);
        exec(@cmd, '--password-file', "$dir/password", '--ca-file', "$dir/ca.pem",
            '--ready-file', "$dir/ready.json", @{ $opt{args} // [] })
            or POSIX::_exit(127);
    }
    my $sim = { pid => $pid, dir => $dir, password => $password, ca => "$dir/ca.pem", %host };
    push @simulators, $sim;
    my $until = time() + 20;
    while (!-s "$dir/ready.json") {
        die "simulator did not start:\n" . (eval { local (@ARGV, $/) = "$dir/simulator.log"; <> } // '')
            if time() > $until || waitpid($pid, WNOHANG) == $pid;
        sleep(0.05);
    }
    my $ready = do { local (@ARGV, $/) = "$dir/ready.json"; <> };
    ($sim->{port}) = $ready =~ /"port"\s*:\s*(\d+)/ or die "no port in $ready\n";
    return $sim;
}

sub stop_simulator {
    my ($sim) = @_;
    return if !$sim->{pid};
    kill('TERM', $sim->{pid});
    my $until = time() + 10;
    while (waitpid($sim->{pid}, WNOHANG) == 0) {
        if (time() > $until) { kill('KILL', $sim->{pid}); waitpid($sim->{pid}, 0); last }
        sleep(0.05);
    }
    delete $sim->{pid};
}

END { local $?; stop_simulator($_) for @simulators }

# The fake host's state (sessions, disks, maps, the array it sees, every tool call).
sub host_state {
    my ($sim) = @_;
    open(my $fh, '<', $sim->{host_state}) or die "$sim->{host_state}: $!";
    local $/;
    return JSON::PP->new->decode(<$fh>);
}

# Changes the fake host's state under the fake tools' own lock file.
sub host_update {
    my ($sim, $code) = @_;
    my $lock = "$sim->{host_state}.lock";
    my $until = time() + 10;
    until (sysopen(my $l, $lock, O_WRONLY | O_CREAT | O_EXCL)) {
        die "cannot lock $lock\n" if time() > $until;
        sleep(0.01);
    }
    my $ok = eval {
        my $state = host_state($sim);
        $code->($state);
        open(my $fh, '>', "$sim->{host_state}.perl.tmp") or die $!;
        print {$fh} JSON::PP->new->encode($state);
        close($fh) or die $!;
        rename("$sim->{host_state}.perl.tmp", $sim->{host_state}) or die $!;
        1;
    };
    unlink $lock;
    die $@ if !$ok;
}

# A storage.cfg section pointing at $sim (TLS verified against the simulator's CA).
sub scfg {
    my ($sim, %extra) = @_;
    return {
        type => 'joviandss',
        pool_name => 'Pool-0',
        control_addresses => '127.0.0.1',
        control_port => $sim ? $sim->{port} : 1,
        data_addresses => '127.0.0.2,127.0.0.3',
        ssl_cert_verify => 1,
        ($sim ? (jdss_ssl_ca_file => $sim->{ca}) : ()),
        ($sim && $sim->{config} ? (config => $sim->{config}) : ()),
        content => { images => 1, rootdir => 1 },
        shared => 1,
        %extra,
    };
}

1;
