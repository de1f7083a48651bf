#!/usr/bin/perl
# When the array is down or hangs: status() answers "inactive" within its short bound and never
# dies; other calls die with jdssc's one-line message; a jdssc that never ends is killed.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(time);

use JDSSTest qw(plugin scfg start_simulator stop_simulator tmp);
my $P = plugin();
my $J = 'PVE::Storage::Custom::JovianDSS::Cli'; # the jdssc runner
my $sim = start_simulator();
my $scfg = scfg($sim);
$P->on_add_hook('jd', $scfg, user_password => $sim->{password});

# fake_jdssc NAME BODY  -- an executable /bin/sh script in tmp() standing in for jdssc; its path.
sub fake_jdssc {
    my ($name, $body) = @_;
    my $fake = tmp() . "/$name";
    open(my $fh, '>', $fake) or die $!;
    print {$fh} "#!/bin/sh\n$body";
    close($fh);
    chmod 0755, $fake;
    return $fake;
}

subtest 'simulator stopped' => sub {
    stop_simulator($sim);
    my $t0 = time();
    my @st = $P->status('jd', $scfg, {});
    my $took = time() - $t0;
    is_deeply(\@st, [0, 0, 0, 0], 'status: (0, 0, 0, 0), no die');
    cmp_ok($took, '<', 2, sprintf('fast: one round over the addresses (%.1f s)', $took));
    my ($call) = grep { "@$_" =~ /pool stats/ } reverse JDSSTest::argv_log();
    like("@$call", qr/--timeout 5 /, 'status asks jdssc for a 5 s deadline');
    like("@$call", qr/--attempts 1 /, '... and a single round, so a down appliance costs a moment per pvestatd cycle');

    eval { $P->volume_size_info($scfg, 'jd', 'vm-100-disk-0', 5) };
    my $err = $@;
    like("$err", qr/127\.0\.0\.1: ECONNREFUSED/, "jdssc's message: $err");
    unlike("$err", qr/\n./, 'one line');
    is($J->can('jdssc_exit')->($err), 6, 'exit 6: storage unreachable');
    ok($err && "$err" =~ /^[^\n]+\n$/, 'stringifies like a PVE error (ends with a newline)');
};

subtest 'appliance accepts TCP but never answers' => sub {
    my $sock = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp')
        or die "listen: $!";
    my $hung = { %$scfg, control_port => $sock->sockport() };
    my $t0 = time();
    my @st = $P->status('jd', $hung, {});
    my $took = time() - $t0;
    is_deeply(\@st, [0, 0, 0, 0], 'status: inactive');
    cmp_ok($took, '<', 10.5, sprintf('bounded (%.1f s)', $took));

    # what PVE runs under its storage lock must end within the 9 s the plugin allows it (other
    # nodes give up waiting for the lock after 10 s)
    {
        local $PVE::Storage::Custom::JovianDSS::Cli::LOCK_DEADLINE = time() + 9;
        $t0 = time();
        eval { $J->can('jdssc')->($hung, 'jd', ['volume', 'list'], timeout => 30) };
        $took = time() - $t0;
        is($J->can('jdssc_exit')->($@), 6, "a call near the lock deadline fails: $@");
        cmp_ok($took, '<', 8.5, sprintf('... within what was left (%.1f s)', $took));
        my ($call) = grep { "@$_" =~ /volume list$/ } reverse JDSSTest::argv_log();
        like("@$call", qr/--timeout [1-7] /, 'jdssc got the remaining time, not 30 s') or diag "@$call";
    }
    {
        local $PVE::Storage::Custom::JovianDSS::Cli::LOCK_DEADLINE = time() + 2;
        my $n = scalar(JDSSTest::argv_log());
        eval { $J->can('jdssc')->($hung, 'jd', ['volume', 'list']) };
        like($@, qr/no time left under the storage lock/, 'no time left: not even started');
        is(scalar(JDSSTest::argv_log()), $n, '... nothing ran');
    }
    close($sock);
};

subtest 'jdssc itself hangs: killed by run_command' => sub {
    local $ENV{JDSSC_BIN} = fake_jdssc('jdssc-hangs', "exec sleep 60\n");
    my $t0 = time();
    eval { $J->can('jdssc')->($scfg, 'jd', ['volume', 'list'], timeout => 1) };
    my $took = time() - $t0;
    like($@, qr/^jdssc volume list did not finish within 6 s$/m, 'a clear message');
    is($J->can('jdssc_exit')->($@), 6, 'reported as exit 6');
    cmp_ok($took, '<', 8, sprintf('killed after %.1f s', $took));
};

subtest 'jdssc missing or printing no JSON' => sub {
    {
        local $ENV{JDSSC_BIN} = tmp() . '/does-not-exist';
        eval { $P->list_images('jd', $scfg, undef, undef, {}) };
        like($@, qr/jdssc/, "a missing binary is named: $@");
    }
    local $ENV{JDSSC_BIN} = fake_jdssc('jdssc-garbage', "echo 'not json'\necho 'error: broken pipe dream' >&2\nexit 7\n");
    eval { $P->list_images('jd', $scfg, undef, undef, {}) };
    like($@, qr/^broken pipe dream$/m, 'without a JSON error document: the stderr "error:" line');
    is($J->can('jdssc_exit')->($@), 7, 'and the exit code');
    is($J->can('jdssc_exit')->("plain string\n"), undef, 'other errors carry no exit code');
};

done_testing();
