#!/usr/bin/perl
# What runs under PVE's storage lock (issue 13 item 12), through the REAL PVE::Storage: the
# stub's cfs_lock_storage is wrapped to note when the lock is held, and the fake host's tool
# calls (their times) show that no host-side work happens inside those windows. vdisk_free of a
# volume active on this host hands its teardown and delete to PVE's cleanup worker.
use strict;
use warnings;
BEGIN { my ($d) = __FILE__ =~ m!^(.*)/[^/]+$!; ($d) = ($d // '.') =~ /^(.*)$/; unshift @INC, "$d/lib" }
use Test::More;
use Time::HiRes ();
use RealPVE;
use PVETier qw(call start_sim add_storage cfg);

my $sim = start_sim();
my $S = 'jdss';
add_storage($sim, $S);
my $cfg = cfg();

my @windows;
{
    no warnings 'redefine';
    my $orig = \&PVE::Cluster::cfs_lock_storage;
    *PVE::Cluster::cfs_lock_storage = sub {
        my ($id, $timeout, $code, @p) = @_;
        return $orig->($id, $timeout, sub {
            my $w = { start => Time::HiRes::time() };
            push @windows, $w;
            my @r = eval { $code->(@_) };
            $w->{end} = Time::HiRes::time();
            die $@ if $@;
            return $r[0];
        }, @p);
    };
}

sub host_calls_in_windows {
    my $calls = JDSSSim::host_state($sim)->{calls};
    my @in;
    for my $c (@$calls) {
        my $t = $c->{t} / 1000;
        push @in, "$c->{tool} @{ $c->{argv} }" if grep { $t >= $_->{start} && $t <= ($_->{end} // 9e9) } @windows;
    }
    return @in;
}

my $vol = call('vdisk_alloc', $cfg, $S, 100, 'raw', undef, 1024);
call('activate_volumes', $cfg, [$vol]);
my $dev = call('path', $cfg, $vol);
ok(-e $dev, 'active here');
@windows = ();
call('vdisk_free', $cfg, $vol);
is(scalar(@windows), 1, 'vdisk_free took the storage lock once');
note(sprintf('time under the lock: %.2f s', $windows[0]->{end} - $windows[0]->{start}));
is_deeply([host_calls_in_windows()], [], 'no host tool ran while the lock was held');
ok(!-e $dev, 'the device was torn down (by the cleanup worker)');
is_deeply(call('vdisk_list', $cfg, $S, 100)->{$S}, [], 'the volume is gone');
cmp_ok($windows[0]->{end} - $windows[0]->{start}, '<', PVE::Storage::Custom::JovianDSS::Cli::LOCK_SECONDS(),
    'within the lock budget');

done_testing();
