#!/usr/bin/perl
# jdssc processes per Proxmox operation, through the REAL PVE::Storage: what this host's LUN
# records (read by the plugin, as jdssc reads them) can answer starts no process — path() of an
# active volume, a deactivation, a rescan or the host part of a snapshot delete or free when
# nothing is active here — and the rollback's repeated check is answered by the prepare step's
# "possible", while the rollback itself still refuses what appeared in between. Any doubt (an
# unreadable record) runs the process as before.
use strict;
use warnings;
BEGIN { my ($d) = __FILE__ =~ m!^(.*)/[^/]+$!; ($d) = ($d // '.') =~ /^(.*)$/; unshift @INC, "$d/lib" }
use Test::More;
use RealPVE;
use PVETier qw(call start_sim add_storage cfg);

my $sim = start_sim();
my $S = 'jdss';
add_storage($sim, $S);
my $cfg = cfg();

# every jdssc process the plugin starts, as "noun verb"
my @procs;
{
    no warnings 'redefine';
    my $orig = \&PVE::Storage::Custom::JovianDSS::Cli::run_command;
    *PVE::Storage::Custom::JovianDSS::Cli::run_command = sub {
        my @a = @{ $_[0] };
        shift @a while @a && $a[0] ne '--timeout';
        splice(@a, 0, 2);
        splice(@a, 0, 2) while @a && $a[0] =~ /^--/;
        push @procs, "$a[0] $a[1]";
        return $orig->(@_);
    };
}
sub procs_of { my ($code) = @_; @procs = (); $code->(); return [@procs] }

my $vol = call('vdisk_alloc', $cfg, $S, 100, 'raw', undef, 1024);
my $records = "$sim->{host_root}/var/lib/jdssc/luns/$S";

subtest 'path() and deactivation from the host records' => sub {
    is_deeply(procs_of(sub { call('path', $cfg, $vol) }), ['login status'], 'inactive: one process (the array knows the WWID)');
    call('activate_volumes', $cfg, [$vol]);
    my $dev;
    is_deeply(procs_of(sub { $dev = call('path', $cfg, $vol) }), [], 'active: no process');
    ok(-e $dev, "the device from the record exists ($dev)");
    my $bd;
    is_deeply(procs_of(sub { $bd = call('qemu_blockdev_options', $cfg, $vol, '10.0', {}) }), [], 'qemu_blockdev_options: no process');
    is($bd->{filename}, $dev, '... the same device');
    is_deeply(procs_of(sub { call('deactivate_volumes', $cfg, [$vol]) }), ['login deactivate'], 'active: one deactivation');
    ok(!-e $dev, 'device gone');
    is_deeply(procs_of(sub { call('deactivate_volumes', $cfg, [$vol]) }), [], 'not active here: no process');
};

subtest 'resize and snapshot delete of a volume not active here' => sub {
    is_deeply(procs_of(sub { call('volume_resize', $cfg, $vol, 2 * 2**20, 0) }), ['volume resize'], 'resize: no rescan process');
    call('volume_snapshot', $cfg, $vol, 'snap1');
    is_deeply(procs_of(sub { call('volume_snapshot_delete', $cfg, $vol, 'snap1', 0) }), ['snapshot delete'],
        'snapshot delete: one process, no host teardown first');
    is_deeply(call('volume_snapshot_info', $cfg, $vol), {}, 'gone');
};

subtest 'rollback: prepare check, then PVE::Storage::volume_snapshot_rollback' => sub {
    call('volume_snapshot', $cfg, $vol, 'snap1');
    my $n = procs_of(sub {
        is(call('volume_rollback_is_possible', $cfg, $vol, 'snap1', []), 1, 'prepare step: possible');
        call('volume_snapshot_rollback', $cfg, $vol, 'snap1');
    });
    is_deeply($n, ['snapshot rollback', 'snapshot rollback'], 'check + rollback: the repeated check needs no process');

    # a snapshot taken between the prepare step and the rollback: the rollback itself refuses
    is(call('volume_rollback_is_possible', $cfg, $vol, 'snap1', []), 1, 'possible again');
    sleep(1); # a snapshot of the same second as the target counts as newer
    call('volume_snapshot', $cfg, $vol, 'snap2');
    eval { call('volume_snapshot_rollback', $cfg, $vol, 'snap1') };
    like($@, qr/would destroy newer snapshots: snap2/, 'refused by jdssc on the array');
    is(PVE::Storage::Custom::JovianDSS::Cli::jdssc_exit($@), 5, 'exit 5');
    is_deeply([sort keys %{ call('volume_snapshot_info', $cfg, $vol) }], [qw(snap1 snap2)], 'nothing destroyed');
    eval { call('volume_snapshot_rollback', $cfg, $vol, 'snap1') };
    like($@, qr/newer snapshots: snap2/, 'a refusal is not remembered: the next check asks the array');
    call('volume_snapshot_delete', $cfg, $vol, $_, 0) for qw(snap2 snap1);
};

subtest 'a snapshot active here is torn down before its delete' => sub {
    call('volume_snapshot', $cfg, $vol, 'snap1');
    call('activate_volumes', $cfg, [$vol], 'snap1');
    my $sp = call('path', $cfg, $vol, 'snap1');
    ok(-e $sp, "snapshot device ($sp)");
    is_deeply(procs_of(sub { call('volume_snapshot_delete', $cfg, $vol, 'snap1', 0) }), ['login deactivate', 'snapshot delete'],
        'its record: deactivation first');
    ok(!-e $sp, 'device gone');
};

subtest 'doubt runs the process: an unreadable record' => sub {
    mkdir $_, 0700 for $records =~ s!/[^/]+$!!r, $records, "$records/iqn.x";
    open(my $fh, '>', "$records/iqn.x/lun-9.json") or die $!;
    print {$fh} '{ not json';
    close($fh);
    is_deeply(procs_of(sub { call('deactivate_volumes', $cfg, [$vol]) }), ['login deactivate'], 'deactivation asks jdssc');
    is_deeply(procs_of(sub { call('vdisk_free', $cfg, $vol) }), ['login deactivate', 'volume delete'], 'free asks jdssc first');
    unlink "$records/iqn.x/lun-9.json";
};

subtest 'free of a volume not active here: one process' => sub {
    my $v = call('vdisk_alloc', $cfg, $S, 101, 'raw', undef, 1024);
    is_deeply(procs_of(sub { call('vdisk_free', $cfg, $v) }), ['volume delete'], 'no login deactivate');
    is_deeply(call('vdisk_list', $cfg, $S)->{$S}, [], 'nothing left');
};

done_testing();
