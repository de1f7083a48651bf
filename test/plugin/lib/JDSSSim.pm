package JDSSSim;

# The JovianDSS simulator for the Perl tiers (test/plugin, test/pve): `jdssc simulator start`
# on 127.0.0.1 with a CA-verified TLS link, optionally wired to the fake host tools. No PVE
# module is loaded here, so the real-PVE tier can use it beside the real Proxmox code.
# Simulators are stopped by PID when the test ends.

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

our @EXPORT_OK = qw(start_simulator stop_simulator host_state host_update);

# untainted (perl -T): the repository root, from this file's own path
our ($ROOT) = abs_path(dirname(__FILE__) . '/../../..') =~ m!^(/.*)$!;
my @simulators;

# Starts `jdssc simulator start` on 127.0.0.1 and waits for its ready file. With fakehost => 1
# the simulator's targets are also the "array" of a fake host (test/host/fakes): jdssc then
# needs the returned {config} (host_root, host_tools_dir) and $ENV{FAKE_HOST_STATE} (set here).
sub start_simulator {
    my (%opt) = @_;
    my ($dir) = tempdir('sim-XXXXXX', DIR => $opt{tmp} // die "start_simulator: tmp => DIR\n") =~ m!^(/.*)$!;
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

1;
