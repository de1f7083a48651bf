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

our @EXPORT_OK = qw(start_simulator stop_simulator host_state host_update use_host);

# untainted (perl -T): the repository root, from this file's own path
our ($ROOT) = abs_path(dirname(__FILE__) . '/../../..') =~ m!^(/.*)$!;
my @simulators;

# Starts `jdssc simulator start` on 127.0.0.1 and waits for its ready file. With fakehost => 1
# the simulator's targets are also the "array" of a fake host (test/host/fakes): jdssc then
# needs the returned {config} (host_root, host_tools_dir) and $ENV{FAKE_HOST_STATE} (set here).
# With hosts => [names] (two "nodes" on one array): one fake host per name, each with its own
# root, state file, initiator name and jdssc state folder, in {hosts}->{name}; the one {config}
# file is then that of the host chosen by use_host() (the first one to begin with).
sub start_simulator {
    my (%opt) = @_;
    my ($dir) = tempdir('sim-XXXXXX', DIR => $opt{tmp} // die "start_simulator: tmp => DIR\n") =~ m!^(/.*)$!;
    my @cmd = ("$ROOT/bin/jdssc", 'simulator', 'start', '--listen', '127.0.0.1', '--port', '0');
    my %host;
    if ($opt{hosts}) {
        my @names = @{ $opt{hosts} };
        die "start_simulator: hosts => [distinct names]\n" if !@names || grep { !/^\w+$/ } @names;
        my %hosts = map {
            $_ => { name => $_, host_root => "$dir/host-$_", host_state => "$dir/host-$_-state.json",
                state_dir => "$dir/jdssc-state-$_", initiator => 'iqn.1993-08.org.debian:01:node-' . lc($_) }
        } @names;
        die "start_simulator: hosts => [distinct names]\n" if keys(%hosts) != @names;
        %host = (hosts => \%hosts, host_names => [@names], config => "$dir/jdssc.yaml");
        @cmd = ('node', "$ROOT/test/plugin/sim-fakehost.mjs",
            map { ('--host-root', $_->{host_root}, '--host-state', $_->{host_state}, '--host-initiator', $_->{initiator}) }
                @hosts{@names});
    } elsif ($opt{fakehost}) {
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
    use_host($sim, $host{host_names}->[0]) if $host{hosts};
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

# Makes jdssc (and the fake tools it runs) act as host $name of a hosts => [...] simulator: its
# config file names that host's root and state folder — one path, per-node content, as a node's
# own /etc file would be —, and $ENV{FAKE_HOST_STATE} that host's state. Returns the host.
sub use_host {
    my ($sim, $name) = @_;
    my $h = $sim->{hosts}->{$name} // die "use_host: no host '$name'\n";
    open(my $y, '>', "$sim->{config}.tmp") or die $!;
    chmod 0600, "$sim->{config}.tmp";
    print {$y} "host_root: $h->{host_root}\nhost_tools_dir: $ROOT/test/host/fakes\nstate_dir: $h->{state_dir}\n";
    close($y) or die $!;
    rename("$sim->{config}.tmp", $sim->{config}) or die $!;
    $ENV{FAKE_HOST_STATE} = $h->{host_state};
    $sim->{current_host} = $name;
    return $h;
}

# The fake host's state (sessions, disks, maps, the array it sees, every tool call). $sim may
# also be one host of {hosts} (it has its own host_state).
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
