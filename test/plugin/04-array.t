#!/usr/bin/perl
# Array-side lifecycle through the real jdssc and the simulator: add the storage, allocate
# (KiB in, bytes on the array), list, size, snapshot, rollback refused with its blockers, roll
# back, resize, clone a snapshot; jdssc's messages surface in the errors PVE shows.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep);

use JDSSTest qw(plugin scfg start_simulator);
my $P = plugin();
my $sim = start_simulator();
my $scfg = scfg($sim, block_size => '16K', thin_provisioning => 1);
my $S = 'jdss';

sub jdssc_calls { my ($re) = @_; return grep { "@$_" =~ $re } JDSSTest::argv_log() }

$P->on_add_hook($S, $scfg, user_password => $sim->{password});

subtest 'status and identity' => sub {
    my ($total, $free, $used, $active) = $P->status($S, $scfg, {});
    is($active, 1, 'active');
    is($total, 100 * 2**30, 'total bytes of the simulated 100 GiB pool');
    is($free + $used, $total, 'free + used = total');
    like($P->get_identity($scfg, $S), qr/^Pool-0-\d+$/, 'identity <pool>-<id>');
};

my ($d0, $d1, $d2);
subtest 'alloc_image: KiB in, bytes on the array, names' => sub {
    $d0 = $P->alloc_image($S, $scfg, 100, 'raw', undef, 4 * 1024 * 1024);
    is($d0, 'vm-100-disk-0', 'first free name');
    is(scalar($P->volume_size_info($scfg, $S, $d0)), 4 * 2**30, '4 GiB (4194304 KiB) is 4294967296 bytes');
    my ($create) = jdssc_calls(qr/volume create --vmid 100 /);
    like("@$create", qr/--size 4294967296\b/, 'jdssc got bytes');
    like("@$create", qr/--thin\b/, 'thin_provisioning 1 -> --thin');
    like("@$create", qr/--block-size 16K\b/, 'block size from the storage');

    $d1 = $P->alloc_image($S, $scfg, 100, 'raw', '', 1025);
    is($d1, 'vm-100-disk-1', "an empty name means 'pick one' (never a nameless volume)");
    my @info = $P->volume_size_info($scfg, $S, $d1);
    is($info[0], 65 * 16384, '1025 KiB -> 1049600 bytes, rounded up to the 16K block: 1064960');
    is_deeply([@info[1, 2, 3]], ['raw', 65 * 16384, undef], 'list context: (size, raw, used, parent, ctime)');
    like($info[4], qr/^\d{10}$/, 'ctime');

    $d2 = $P->alloc_image($S, $scfg, 100, 'raw', 'vm-100-disk-7', 1024);
    is($d2, 'vm-100-disk-7', 'an explicit name is kept');
    eval { $P->alloc_image($S, $scfg, 100, 'raw', 'vm-100-disk-7', 1024) };
    like($@, qr/already exists/, "an explicit name that exists: jdssc's message");
    is(PVE::Storage::Custom::JovianDSS::Cli::jdssc_exit($@), 4, 'exit code 4 for the caller');
    eval { $P->alloc_image($S, $scfg, 101, 'raw', 'vm-100-disk-9', 1024) };
    like($@, qr/illegal name 'vm-100-disk-9' - should be 'vm-101-\*'/, 'a name of another VM is refused');

    my $before = scalar(JDSSTest::argv_log());
    eval { $P->alloc_image($S, $scfg, 100, 'qcow2', undef, 1024) };
    like($@, qr/unsupported format 'qcow2'/, 'qcow2 refused');
    is(scalar(JDSSTest::argv_log()), $before, '... before any call to jdssc');

    # as PVE's vdisk_alloc runs it: under the (shared) storage lock, every call within its budget
    my $locked = $P->cluster_lock_storage($S, 1, undef, sub { $P->alloc_image($S, $scfg, 105, 'raw', undef, 1024) });
    is($locked, 'vm-105-disk-0', 'alloc under the storage lock');
    my @t = map { /--timeout (\d+)/ ? $1 : () } map { "@$_" } jdssc_calls(qr/vm(id)? ?-?105/);
    ok(@t && !grep({ $_ > 50 } @t), "jdssc timeouts under the lock: @t");
    is($PVE::Storage::Custom::JovianDSS::Cli::LOCK_DEADLINE, undef, 'the lock budget ends with the call');
    $P->free_image($S, $scfg, $locked, 0, 'raw');

    # another node took vm-100-disk-2 between free-name and create: the plugin picks again
    my $thief = scfg($sim);
    my $n = PVE::Storage::Custom::JovianDSS::Cli::with_free_name($scfg, $S, 100, 0, sub {
        my ($name) = @_;
        $P->alloc_image($S, $thief, 100, 'raw', $name, 1024) if $name eq 'vm-100-disk-2';
        PVE::Storage::Custom::JovianDSS::Cli::jdssc($scfg, $S, ['volume', 'create', $name, '--size', '1M']);
    });
    is($n, 'vm-100-disk-3', 'a name taken meanwhile (exit 4) is retried with a fresh one');
};

subtest 'list_images' => sub {
    $P->alloc_image($S, $scfg, 101, 'raw', undef, 1024);
    my $all = $P->list_images($S, $scfg, undef, undef, {});
    is_deeply([sort map { $_->{volid} } @$all],
        [map { "$S:$_" } qw(vm-100-disk-0 vm-100-disk-1 vm-100-disk-2 vm-100-disk-3 vm-100-disk-7 vm-101-disk-0)],
        'every volume');
    my $v100 = $P->list_images($S, $scfg, 100, undef, {});
    is(scalar(@$v100), 5, '--vmid 100');
    my ($e) = grep { $_->{volid} eq "$S:$d0" } @$v100;
    is_deeply([@$e{qw(format size vmid)}], ['raw', 4 * 2**30, 100], '{format, size, vmid}');
    like($e->{ctime}, qr/^\d+$/, 'ctime');
    my $some = $P->list_images($S, $scfg, 100, ["$S:$d1", "$S:vm-101-disk-0", "other:$d0"], {});
    is_deeply([sort map { $_->{volid} } @$some], ["$S:$d1", "$S:vm-101-disk-0"], '$vollist wins over $vmid');
};

subtest 'snapshots and rollback' => sub {
    $P->volume_snapshot($scfg, $S, $d0, 'before');
    sleep(1.1); # a snapshot of the same second as the target counts as newer
    $P->volume_snapshot($scfg, $S, $d0, 'after');
    my $info = $P->volume_snapshot_info($scfg, $S, $d0);
    is_deeply([sort keys %$info], [qw(after before)], 'volume_snapshot_info lists both');
    like($info->{before}->{id}, qr/^\d+$/, 'id = guid');
    cmp_ok($info->{after}->{timestamp}, '>', $info->{before}->{timestamp}, 'timestamps');
    is_deeply($P->volume_snapshot_info($scfg, $S, 'vm-100-disk-99'), {}, 'missing volume: {}');

    my $blockers = [];
    eval { $P->volume_rollback_is_possible($scfg, $S, $d0, 'before', $blockers) };
    like($@, qr/can't rollback '$S:$d0' to 'before': newer snapshots: after/, 'refused, naming the blocker');
    is_deeply($blockers, ['after'], 'blocker pushed for PVE');
    eval { $P->volume_snapshot_rollback($scfg, $S, $d0, 'before') };
    like($@, qr/would destroy newer snapshots: after/, 'a rollback racing a new snapshot fails safely');
    is(PVE::Storage::Custom::JovianDSS::Cli::jdssc_exit($@), 5, '... with exit 5');
    ok(!grep({ "@$_" =~ /--destroy-newer/ } JDSSTest::argv_log()), 'never --destroy-newer');

    is($P->volume_rollback_is_possible($scfg, $S, $d0, 'after', []), 1, 'the newest snapshot can be rolled back to');
    $P->volume_snapshot_rollback($scfg, $S, $d0, 'after');
    is_deeply([sort keys %{ $P->volume_snapshot_info($scfg, $S, $d0) }], [qw(after before)], 'snapshots kept');
};

subtest 'resize (bytes) and clone of a snapshot' => sub {
    $P->volume_resize($scfg, $S, $d0, 5 * 2**30, 0);
    is(scalar($P->volume_size_info($scfg, $S, $d0)), 5 * 2**30, 'grown to 5 GiB');
    ok(!jdssc_calls(qr/login rescan/), 'no host rescan for a volume not active here (no LUN record: no process)');
    eval { $P->volume_resize($scfg, $S, $d0, 6 * 2**30, 0, 'before') };
    like($@, qr/cannot resize a snapshot/, 'a snapshot cannot be resized');
    eval { $P->volume_resize($scfg, $S, $d0, 2**30, 0) };
    like($@, qr/shrink/i, "shrinking: jdssc's refusal");

    my $c = $P->clone_image($scfg, $S, $d0, 102, 'after');
    is($c, 'vm-102-disk-0', 'clone gets a free name of the new VM');
    my @info = $P->volume_size_info($scfg, $S, $c);
    is($info[3], $d0, 'parent = the source volume');
    my $blockers = [];
    eval { $P->volume_rollback_is_possible($scfg, $S, $d0, 'before', $blockers) };
    is_deeply([sort @$blockers], [sort qw(after vm-102-disk-0)], 'a clone of a newer snapshot blocks too');
    like($@, qr/dependent clones: vm-102-disk-0/, '... and is named');
};

subtest 'volume_has_feature' => sub {
    my %want = (
        snapshot => [1, 1, 1], clone => [1, 1, 1], template => [1, undef, undef],
        copy => [1, 1, 1], sparseinit => [1, 1, undef], rename => [1, undef, undef],
        replicate => [undef, undef, undef],
    );
    for my $f (sort keys %want) {
        is($P->volume_has_feature($scfg, $f, $S, 'vm-100-disk-0', undef), $want{$f}->[0], "$f current");
        is($P->volume_has_feature($scfg, $f, $S, 'base-100-disk-0', undef), $want{$f}->[1], "$f base");
        is($P->volume_has_feature($scfg, $f, $S, 'vm-100-disk-0', 'snap1'), $want{$f}->[2], "$f snap");
    }
};

subtest 'no secret on any command line' => sub {
    my @argv = JDSSTest::argv_log();
    ok(!grep({ index("@$_", $sim->{password}) >= 0 } @argv), 'the REST password never');
    is(scalar(grep { "@$_" =~ /--password-file \S+\/$S\.pw / } @argv), scalar(@argv), 'every call: --password-file');
};

done_testing();
