#!/usr/bin/perl
# Proxmox flows around a disk, through the REAL PVE::Storage, with the data shim
# (lib/DataShim.pm) so that the bytes really go through the devices the plugin gives:
# a vmstate volume as qemu-server allocates it for a snapshot with RAM; a container volume as
# pct uses it (ext4 made on the device, snapshot / rollback, offline resize of an active
# volume); a template with linked clones freed in qm destroy's order, and a clone of a clone's
# snapshot; a disk reassigned to another VM (qm disk move --target-vmid) with a snapshot while
# active here, and a disk moved to another joviandss storage (qm disk move --storage).
use strict;
use warnings;
BEGIN { my ($d) = __FILE__ =~ m!^(.*)/[^/]+$!; ($d) = ($d // '.') =~ /^(.*)$/; unshift @INC, "$d/lib" }
use Test::More;
use Cwd ();
use Fcntl qw(O_RDONLY O_WRONLY SEEK_SET);
use RealPVE;
use PVETier qw(call start_sim add_storage cfg);
use DataShim;

my $sim = start_sim();
my ($S, $S2) = ('jdss', 'jdss2');
add_storage($sim, $S);
add_storage($sim, $S2, cluster_prefix => 'two', target_prefix => 'iqn.2025-04.proxmox.joviandss.two:');
my $cfg = cfg();
my ($TMP) = RealPVE::tmp();
my $shim = DataShim::install($sim, "$TMP/lun-data");
my $MiB = 2**20;

sub records { return scalar(my @r = glob("$sim->{host_root}/var/lib/jdssc/luns/*/*/lun-*.json")) }
sub names_on { my ($sid, $vmid) = @_; return [sort map { $_->{volid} } @{ PVE::Storage::vdisk_list($cfg, $sid, $vmid)->{$sid} }] }

sub pattern {
    my ($seed, $size) = @_;
    srand($seed);
    return substr(pack('N*', map { int(rand(2**32)) } 1 .. int($size / 4) + 1), 0, $size);
}

sub pwrite {
    my ($dev, $offset, $data) = @_;
    sysopen(my $fh, $dev, O_WRONLY) or die "$dev: $!";
    sysseek($fh, $offset, SEEK_SET) or die "seek $dev: $!";
    syswrite($fh, $data) == length($data) or die "short write to $dev";
    close($fh) or die "$dev: $!";
}

sub pread {
    my ($dev, $offset, $len) = @_;
    sysopen(my $fh, $dev, O_RDONLY) or die "$dev: $!";
    sysseek($fh, $offset, SEEK_SET) or die "seek $dev: $!";
    my $got = sysread($fh, my $buf, $len) // die "read $dev: $!";
    close($fh);
    return $buf;
}

sub with_device { return DataShim::with_device($cfg, @_) }
sub write_volume { my ($volid, $data) = @_; with_device($volid, undef, sub { pwrite($_[0], 0, $data) }) }
sub read_volume { my ($volid, $len, $snap) = @_; return with_device($volid, $snap, sub { pread($_[0], 0, $len) }) }

# a host tool on a device (as pct runs mkfs, e2fsck, resize2fs): its output, dies on failure
sub tool {
    my (@cmd) = @_;
    my $out = '';
    PVE::Tools::run_command(\@cmd, outfunc => sub { $out .= "$_[0]\n" }, errfunc => sub { $out .= "$_[0]\n" });
    return $out;
}
sub fs_field { my ($dev, $field) = @_; return tool('dumpe2fs', '-h', $dev) =~ /^\Q$field\E:\s*(.*?)\s*$/m ? $1 : undef }
sub fs_cat { my ($dev, $file) = @_; return tool('debugfs', '-R', "cat /$file", $dev) =~ s/^debugfs [^\n]*\n//r }
# the root folder's names (debugfs ls -p: /inode/mode/uid/gid/name/size/)
sub fs_ls {
    my ($dev) = @_;
    my @names = map { (split(m!/!))[5] } grep { m!^/\d+/! } split(/\n/, tool('debugfs', '-R', 'ls -p /', $dev));
    return [sort grep { !/^(?:\.|\.\.|lost\+found)$/ } @names];
}
sub fs_put {
    my ($dev, $name, $text) = @_;
    open(my $fh, '>', "$TMP/put") or die $!;
    print {$fh} $text;
    close($fh);
    tool('debugfs', '-w', '-R', "write $TMP/put $name", $dev);
}

subtest 'vmstate volume: qm snapshot --vmstate, then qm delsnapshot' => sub {
    my $mem = 512; # MiB of RAM; qemu-server allocates 2 x RAM + 500 MiB for the state
    my $kib = ($mem * 2 + 500) * 1024;
    my $state = call('vdisk_alloc', $cfg, $S, 100, 'raw', 'vm-100-state-pre_upgrade', $kib);
    is($state, "$S:vm-100-state-pre_upgrade", 'the name qemu-server asked for');
    is(scalar(call('volume_size_info', $cfg, $state)), $kib * 1024, 'the size asked for');
    # qemu-server takes the path for the savevm-start QMP command, then activates the volume
    my $before = call('path', $cfg, $state);
    ok(!-e $before, "not there before activation ($before)");
    call('activate_volumes', $cfg, [$state]);
    is(call('path', $cfg, $state), $before, 'path() once active: the same as before activation');
    ok(-e $before && -s $before == $kib * 1024, 'the device is there, of the full size');
    my ($head, $tail) = (pattern(11, $MiB), pattern(12, $MiB));
    pwrite($before, 0, $head);
    pwrite($before, $kib * 1024 - $MiB, $tail);
    call('deactivate_volumes', $cfg, [$state]);
    ok(!-e $before, 'device gone after deactivate_volumes');
    my ($h, $t) = @{ with_device($state, undef, sub { [pread($_[0], 0, $MiB), pread($_[0], $kib * 1024 - $MiB, $MiB)] }) };
    ok($h eq $head && $t eq $tail, 'the state written through the device is read back after a new activation (qm rollback loads it)');
    ok(grep({ $_ eq $state } @{ names_on($S, 100) }), 'vdisk_list lists it under the VM');
    call('vdisk_free', $cfg, $state);
    is_deeply(names_on($S, 100), [], 'freed (qm delsnapshot)');
    ok(!-e $shim->file($S, 'vm-100-state-pre_upgrade'), 'its data went with it');
    is(records(), 0, 'nothing active on the host');
};

subtest 'container volume: pct create, snapshot, rollback, resize' => sub {
    my $ct = call('vdisk_alloc', $cfg, $S, 200, 'raw', undef, 64 * 1024);
    is($ct, "$S:vm-200-disk-0", 'rootdir volume of CT 200');
    call('activate_volumes', $cfg, [$ct]);
    my $dev = call('path', $cfg, $ct);
    is(-s $dev, 64 * $MiB, 'the device has the size of the volume');
    tool('mkfs.ext4', '-F', '-q', '-E', 'nodiscard', $dev); # pve-container's format_disk
    my $uuid = fs_field($dev, 'Filesystem UUID');
    ok($uuid, "ext4 made on path() ($uuid)");
    fs_put($dev, 'before', "written before the snapshot\n");
    is(fs_cat($dev, 'before'), "written before the snapshot\n", 'a file written into it');

    is(call('volume_snapshot_needs_fsfreeze', $cfg, $ct), 1, 'pct freezes the container for the snapshot');
    call('volume_snapshot', $cfg, $ct, 'ct1');
    fs_put($dev, 'after', "written after the snapshot\n");
    is_deeply(fs_ls($dev), [qw(after before)], 'a file written after the snapshot');
    is(call('volume_rollback_is_possible', $cfg, $ct, 'ct1', []), 1, 'pct rollback: possible');
    call('volume_snapshot_rollback', $cfg, $ct, 'ct1');
    $dev = call('path', $cfg, $ct);
    is_deeply(fs_ls($dev), ['before'], 'rolled back on the active device: the later file is gone');
    like(tool('e2fsck', '-fn', $dev), qr/clean|\d+ files/, 'the rolled-back file system checks clean');

    my $blocks = fs_field($dev, 'Block count');
    call('volume_resize', $cfg, $ct, 128 * $MiB, 0); # pct resize of a stopped CT: $running = 0
    is(scalar(call('volume_size_info', $cfg, $ct)), 128 * $MiB, 'grown on the array');
    is(call('path', $cfg, $ct), $dev, 'still the same device');
    my ($disk) = Cwd::abs_path($dev) =~ m!/([^/]+)$!;
    is(PVE::Tools::file_read_firstline("$sim->{host_root}/sys/block/$disk/size") * 512, 128 * $MiB,
        "the host's kernel sees the new size: rescanned though not running");
    tool('e2fsck', '-f', '-y', $dev); # what pct resize runs next
    tool('resize2fs', $dev);
    is(fs_field($dev, 'Block count'), 2 * $blocks, 'resize2fs grew the file system to the device');
    # the next pct start: a new activation (the device file is made anew from the shim's data)
    call('deactivate_volumes', $cfg, [$ct]);
    ok(!-e $dev, 'device gone after deactivate_volumes');
    call('activate_volumes', $cfg, [$ct]);
    is(call('path', $cfg, $ct), $dev, 'activated again: the same device');
    is(-s $dev, 128 * $MiB, '... of the new size');
    is(fs_field($dev, 'Filesystem UUID'), $uuid, '... the file system survived deactivate / activate');
    is(fs_field($dev, 'Block count'), 2 * $blocks, '... grown');
    is(fs_cat($dev, 'before'), "written before the snapshot\n", '... with its file');
    call('deactivate_volumes', $cfg, [$ct]);
    call('volume_snapshot_delete', $cfg, $ct, 'ct1', 0);
    call('vdisk_free', $cfg, $ct);
    is_deeply(names_on($S, 200), [], 'freed (pct destroy)');
    is(records(), 0, 'nothing active on the host');
};

subtest 'template with two linked clones, freed in qm destroy order; a clone of a clone snapshot' => sub {
    my $size = 4 * $MiB;
    my ($P, $Q) = (pattern(21, $size), pattern(22, $size));
    my $disk = call('vdisk_alloc', $cfg, $S, 300, 'raw', undef, $size / 1024);
    write_volume($disk, $P);
    my $base = call('vdisk_create_base', $cfg, $disk);
    is($base, "$S:base-300-disk-0", 'qm template');
    my $c1 = call('vdisk_clone', $cfg, $base, 301);
    my $c2 = call('vdisk_clone', $cfg, $base, 302);
    is_deeply([$c1, $c2], ["$S:base-300-disk-0/vm-301-disk-0", "$S:base-300-disk-0/vm-302-disk-0"], 'two linked clones');
    with_device($c1, undef, sub {
        ok(pread($_[0], 0, $size) eq $P, "a clone starts with the template's data");
        pwrite($_[0], 0, $Q);
    });
    ok(read_volume($c2, $size) eq $P, 'a write to one clone does not change the other');
    is(call('volume_is_base_and_used', $cfg, $base), 1, 'volume_is_base_and_used: the base is in use');

    # qm destroy of the template: qemu-server checks volume_is_base_and_used and stops; the
    # storage layer refuses too
    eval { call('vdisk_free', $cfg, $base) };
    like($@, qr/base volume 'base-300-disk-0' is still in use by linked clones/, 'vdisk_free of the used base: refused');
    is_deeply(names_on($S, 300), [$base], 'the base is kept');

    is(call('volume_has_feature', $cfg, 'snapshot', $c1, undef, 0), 1, 'a linked clone can be snapshotted');
    call('volume_snapshot', $cfg, $c1, 'cs');
    is(call('volume_has_feature', $cfg, 'clone', $c1, 'cs', 0), 1, "volume_has_feature: a clone of a linked clone's snapshot");
    my $c3 = call('vdisk_clone', $cfg, $c1, 303, 'cs');
    is($c3, "$S:vm-303-disk-0", 'clone of base-300-disk-0/vm-301-disk-0@cs (its parent is a snapshot, not a base)');
    ok(read_volume($c3, $size) eq $Q, "it has the clone's data at the snapshot");

    # qm destroy 301 while 303 hangs off its snapshot: PVE has no check for that; the array's
    my @before = @{ names_on($S) };
    eval { call('vdisk_free', $cfg, $c1) };
    like($@, qr/^volume vm-301-disk-0 has dependent clones: vm-303-disk-0; delete them first$/,
        'vdisk_free of a clone with a dependent clone: refused by the array, naming it');
    is_deeply(names_on($S), \@before, '... nothing deleted');

    for my $v ($c3, $c1) {
        call('vdisk_free', $cfg, $v);
        is(call('volume_is_base_and_used', $cfg, $base), 1, "$v freed, the base still in use");
    }
    call('vdisk_free', $cfg, $c2);
    is(call('volume_is_base_and_used', $cfg, $base), 0, 'the last clone freed: the base is no longer in use');
    call('vdisk_free', $cfg, $base);
    is_deeply(names_on($S), [], 'the base went last');
    is_deeply([glob($shim->file($S, '*'))], [], 'no data left behind') or diag(explain([glob($shim->file($S, '*'))]));
    is(records(), 0, 'nothing active on the host');
};

subtest 'qm disk move --target-vmid (rename_volume) of a disk with a snapshot, active here' => sub {
    my $size = 4 * $MiB;
    my ($A, $B) = (pattern(31, $size), pattern(32, $size));
    my $d = call('vdisk_alloc', $cfg, $S, 400, 'raw', undef, $size / 1024);
    call('activate_volumes', $cfg, [$d]);
    my $dev = call('path', $cfg, $d);
    pwrite($dev, 0, $A);
    call('volume_snapshot', $cfg, $d, 'r1');
    pwrite($dev, 0, $B);
    is(call('volume_has_feature', $cfg, 'rename', $d, undef, 0), 1, "volume_has_feature: 'rename'");
    my $new = call('rename_volume', $cfg, $d, 401);
    is($new, "$S:vm-401-disk-0", 'reassigned to VM 401');
    ok(!-e $dev, "the old name's device was torn down");
    is_deeply([names_on($S, 400), names_on($S, 401)], [[], [$new]], 'listed under 401 only');
    is_deeply([keys %{ call('volume_snapshot_info', $cfg, $new) }], ['r1'], 'the snapshot came along');
    ok(read_volume($new, $size) eq $B, 'the data written while active under the old name');
    ok(read_volume($new, $size, 'r1') eq $A, "the snapshot's data");
    eval { call('activate_volumes', $cfg, [$d]) };
    like($@, qr/^volume vm-400-disk-0 does not exist$/, 'the old volid no longer activates');
    call('volume_snapshot_delete', $cfg, $new, 'r1', 0);
    call('vdisk_free', $cfg, $new);
    is(records(), 0, 'nothing active on the host');
};

subtest 'qm disk move --storage to another joviandss storage (another cluster_prefix)' => sub {
    my $size = 8 * $MiB + 16384;
    my $C = pattern(41, $size);
    my $src = call('vdisk_alloc', $cfg, $S, 500, 'raw', undef, $size / 1024);
    call('activate_volumes', $cfg, [$src]);
    my $from = call('path', $cfg, $src);
    pwrite($from, 0, $C); # the VM wrote it
    my $bytes = call('volume_size_info', $cfg, $src);
    my $dst = call('vdisk_alloc', $cfg, $S2, 500, 'raw', undef, $bytes / 1024);
    is($dst, "$S2:vm-500-disk-0", 'the target on the second storage');
    call('activate_volumes', $cfg, [$src, $dst]); # qemu-server activates both
    my $to = call('path', $cfg, $dst);
    isnt($from, $to, 'two devices');
    # what qemu-img convert -n does for a stopped VM: device to device, in pieces
    for (my $off = 0; $off < $bytes; $off += 4 * $MiB) {
        my $len = $bytes - $off < 4 * $MiB ? $bytes - $off : 4 * $MiB;
        pwrite($to, $off, pread($from, $off, $len));
    }
    call('deactivate_volumes', $cfg, [$src, $dst]);
    call('vdisk_free', $cfg, $src); # --delete 1: the source goes
    is_deeply([names_on($S), names_on($S2)], [[], [$dst]], 'only the target is left');
    ok(read_volume($dst, $size) eq $C, 'the same bytes on the target');
    call('vdisk_free', $cfg, $dst);
    is(records(), 0, 'nothing active on the host');
};

done_testing();
