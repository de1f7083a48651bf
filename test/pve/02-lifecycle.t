#!/usr/bin/perl
# A VM disk's life through the REAL PVE::Storage (pve-storage 9.1) and our plugin, against the
# simulator and the fake host: pvesm add, storage_info, vdisk_alloc, listing, size, path,
# activation, snapshot / rollback / delete, resize, template, linked clone, free, rename. Each
# public function's result is noted (prove -v). 03-taint.t runs this file again under perl -T.
use strict;
use warnings;
BEGIN { my ($d) = __FILE__ =~ m!^(.*)/[^/]+$!; ($d) = ($d // '.') =~ /^(.*)$/; unshift @INC, "$d/lib" }
use Test::More;
use RealPVE;
use PVETier qw(call start_sim add_storage cfg);

note('perl -T: ' . (${^TAINT} ? 'on' : 'off'));
my $sim = start_sim();
my $S = 'jdss';

subtest 'pvesm add (PVE::API2::Storage::Config->create)' => sub {
    my $r = add_storage($sim, $S);
    is_deeply($r, { storage => $S, type => 'joviandss' }, 'created');
    my $text = PVE::Tools::file_get_contents("$ENV{PVE_TEST_CFS_DIR}/storage.cfg");
    like($text, qr/^joviandss: $S$/m, 'storage.cfg has the section');
    unlike($text, qr/\Q$sim->{password}\E/, 'no password in storage.cfg');
    ok(-s "$PVE::Storage::Custom::JovianDSS::Secrets::PRIV_DIR/$S.pw", 'password file written');
    is(cfg()->{ids}->{$S}->{shared}, 1, 'shared');
};

my $cfg = cfg();
my $vol;

subtest 'storage_info' => sub {
    my $info = call('storage_info', $cfg, 'images');
    is($info->{$S}->{active}, 1, 'active');
    is($info->{$S}->{total}, 100 * 2**30, 'total of the simulated pool');
    is($info->{$S}->{type}, 'joviandss', 'type');
};

subtest 'vdisk_alloc, vdisk_list, volume_list, volume_size_info' => sub {
    $vol = call('vdisk_alloc', $cfg, $S, 100, 'raw', undef, 1024 * 1024);
    is($vol, "$S:vm-100-disk-0", 'first free name, volid');
    my $list = call('vdisk_list', $cfg, $S, 100);
    is_deeply([map { $_->{volid} } @{ $list->{$S} }], [$vol], 'vdisk_list');
    is($list->{$S}->[0]->{size}, 2**30, 'size in bytes');
    my $content = call('volume_list', $cfg, $S, 100, 'images');
    is_deeply([map { $_->{volid} } @$content], [$vol], 'volume_list (the content view)');
    my @info = call('volume_size_info', $cfg, $vol);
    is_deeply([@info[0, 1]], [2**30, 'raw'], 'volume_size_info');
};

subtest 'path, activate_volumes, qemu_blockdev_options, deactivate_volumes' => sub {
    my ($path, $owner, $vtype) = call('path', $cfg, $vol);
    is_deeply([$owner, $vtype], [100, 'images'], 'path: owner and type');
    call('activate_volumes', $cfg, [$vol]);
    my $active = call('path', $cfg, $vol);
    ok(-e $active, "the device exists once active ($active)");
    my $bd = call('qemu_blockdev_options', $cfg, $vol, '10.0', {});
    is_deeply($bd, { driver => 'host_device', filename => $active }, 'host_device');
    call('deactivate_volumes', $cfg, [$vol]);
    ok(!-e $active, 'device gone after deactivate_volumes');
};

subtest 'snapshots: volume_snapshot, _info, rollback, _delete' => sub {
    call('volume_snapshot', $cfg, $vol, 'snap1');
    sleep(1); # a snapshot of the same second as the target counts as newer
    call('volume_snapshot', $cfg, $vol, 'snap2');
    my $info = call('volume_snapshot_info', $cfg, $vol);
    is_deeply([sort keys %$info], [qw(snap1 snap2)], 'both listed');
    my $blockers = [];
    eval { call('volume_rollback_is_possible', $cfg, $vol, 'snap1', $blockers) };
    like($@, qr/newer snapshots: snap2/, 'rollback to snap1 refused');
    is_deeply($blockers, ['snap2'], 'blockers given to PVE');
    eval { call('volume_snapshot_rollback', $cfg, $vol, 'snap1') };
    like($@, qr/snap2/, 'volume_snapshot_rollback checks first (real PVE code)');
    is(call('volume_rollback_is_possible', $cfg, $vol, 'snap2', []), 1, 'newest: possible');
    call('volume_snapshot_rollback', $cfg, $vol, 'snap2');
    call('volume_snapshot_delete', $cfg, $vol, 'snap2', 0);
    call('volume_snapshot_delete', $cfg, $vol, 'snap1', 0);
    is_deeply(call('volume_snapshot_info', $cfg, $vol), {}, 'all gone');
};

subtest 'volume_resize' => sub {
    call('volume_resize', $cfg, $vol, 2 * 2**30 + 1, 0);
    # PVE pads to 1 KiB, jdssc rounds up to the 16K block
    is(scalar(call('volume_size_info', $cfg, $vol)), 2 * 2**30 + 16384, 'grown, rounded up to the block');
};

my ($base, $clone);
subtest 'vdisk_create_base, vdisk_clone (linked), vdisk_free as qm destroy runs it' => sub {
    $base = call('vdisk_create_base', $cfg, $vol);
    is($base, "$S:base-100-disk-0", 'template keeps the disk number');
    $clone = call('vdisk_clone', $cfg, $base, 101);
    is($clone, "$S:base-100-disk-0/vm-101-disk-0", 'a linked clone names its base, as on LVM-thin/RBD/ZFS');
    my $list = call('vdisk_list', $cfg, $S);
    is_deeply([sort map { $_->{volid} } @{ $list->{$S} }], [sort $base, $clone], 'both listed');
    my ($c) = grep { $_->{volid} eq $clone } @{ $list->{$S} };
    is_deeply([@$c{qw(parent vmid)}], ['base-100-disk-0', 101], 'parent and owner of the clone');
    is(call('volume_is_base_and_used', $cfg, $base), 1, 'PVE sees the base in use');
    is(call('volume_has_feature', $cfg, 'clone', $base, undef, 0), 1, 'a template can be cloned');
    is(call('volume_has_feature', $cfg, 'template', $clone, undef, 0), 1, 'a linked clone can become a template');
    ok(!call('volume_has_feature', $cfg, 'template', $base, undef, 0), 'a template cannot');
    my $old = call('vdisk_list', $cfg, $S, undef, ["$S:vm-101-disk-0"]);
    is_deeply([map { $_->{volid} } @{ $old->{$S} }], ["$S:vm-101-disk-0"],
        'a config naming the clone without its base (older plugin) still finds it');
    call('activate_volumes', $cfg, [$clone]);
    ok(-e call('path', $cfg, $clone), 'the clone can be activated and used');
    call('deactivate_volumes', $cfg, [$clone]);
    # qm destroy of the template: PVE refuses before the plugin is asked
    eval { call('vdisk_free', $cfg, $base) };
    like($@, qr/base volume 'base-100-disk-0' is still in use by linked clones/, 'the template with a clone stays');
    ok(eval { PVE::Storage::volume_size_info($cfg, $base) }, 'base still on the array');
    call('vdisk_free', $cfg, $clone);
    is(call('volume_is_base_and_used', $cfg, $base), 0, 'no longer in use');
    call('vdisk_free', $cfg, $base);
    is_deeply(call('vdisk_list', $cfg, $S)->{$S}, [], 'the base went after its clone');
};

subtest 'rename_volume' => sub {
    my $v = call('vdisk_alloc', $cfg, $S, 200, 'raw', undef, 1024);
    my $new = call('rename_volume', $cfg, $v, 201);
    is($new, "$S:vm-201-disk-0", 'reassigned to VM 201');
    is_deeply([map { $_->{volid} } @{ call('vdisk_list', $cfg, $S, 201)->{$S} }], [$new], 'listed under 201');
    call('vdisk_free', $cfg, $new);
};

subtest 'pvesm set / remove (PVE::API2::Storage::Config->update / delete)' => sub {
    call(sub { PVE::API2::Storage::Config->update({ storage => $S, luns_per_target => 4 }) }, 'Config->update');
    is(cfg()->{ids}->{$S}->{luns_per_target}, 4, 'set');
    call(sub { PVE::API2::Storage::Config->update({ storage => $S, delete => 'luns_per_target' }) }, 'Config->update delete');
    ok(!exists cfg()->{ids}->{$S}->{luns_per_target}, 'deleted');
    eval { PVE::API2::Storage::Config->update({ storage => $S, delete => 'pool_name' }) };
    like($@, qr/fixed option 'pool_name'|unable to delete/, 'pool_name cannot be deleted');
    call(sub { PVE::API2::Storage::Config->delete({ storage => $S }) }, 'Config->delete');
    ok(!cfg()->{ids}->{$S}, 'section gone');
    ok(!-e "$PVE::Storage::Custom::JovianDSS::Secrets::PRIV_DIR/$S.pw", 'password file gone');
    is_deeply(\@PVE::AccessControl::REMOVED, [$S], 'storage ACLs dropped (stub)');
};

done_testing();
