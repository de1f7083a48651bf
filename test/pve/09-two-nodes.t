#!/usr/bin/perl
# Two nodes, A and B, on one array and one storage.cfg, through the REAL PVE::Storage (issue 13
# item 10). Proxmox leaves volumes active on other nodes by design (clone sources, templates,
# resize, migration sources), while jdssc refuses to detach a LUN another host is logged in to
# (exit 5). The plugin passes --force for the operations Proxmox runs on the owner guest's node
# when that guest's config is on this node (Cli.pm guest_here). Here each such flow runs on A
# with the volume still active on B, then B's view of it: its deactivation of the stale volume
# is harmless and leaves B clean, and its next activation of the renamed volume works. Without
# the guest on A, the refusal is the exit-5 message and nothing is half done. The last subtest:
# a volume name reused after a forced destroy, activated on B, gets the new volume (the array
# decides while it answers; B's stale record of the old one goes).
# 09-two-nodes-multipath.t runs this file again with multipath on: a renamed volume keeps its
# WWID, so B's old and new names share one map, which the stale name's teardown must keep.
use strict;
use warnings;
BEGIN { my ($d) = __FILE__ =~ m!^(.*)/[^/]+$!; ($d) = ($d // '.') =~ /^(.*)$/; unshift @INC, "$d/lib" }
use Test::More;
use RealPVE;
use PVETier qw(call add_storage cfg);
use TwoNodes qw(start_two_nodes on_node guest_on guest_off records_of sessions_of device_of);

our $MULTIPATH //= 0; # set by 09-two-nodes-multipath.t
note('multipath: ' . ($MULTIPATH ? 'on' : 'off'));
my $sim = start_two_nodes();
my $S = 'jdss';
add_storage($sim, $S, multipath => $MULTIPATH);
my $cfg = cfg();
my ($IQN_A, $IQN_B) = map { $sim->{hosts}->{$_}->{initiator} } qw(A B);

sub jdssc { return PVE::Storage::Custom::JovianDSS::Cli::jdssc($cfg->{ids}->{$S}, $S, [@_], quiet => 1) }
sub exit_of { return PVE::Storage::Custom::JovianDSS::Cli::jdssc_exit($_[0]) }
sub on_array { return [sort map { $_->{volid} } @{ PVE::Storage::vdisk_list($cfg, $S)->{$S} }] }
sub initiators_of { return [sort map { $_->{initiator} } @{ jdssc('target', 'sessions', $_[0])->{sessions} }] }
sub same_lun { my ($r, $q) = @_; return $r->{volume} eq $q->{volume} && ($r->{snapshot} // '') eq ($q->{snapshot} // '') }

# A subtest that dies is one failure with its message; the next subtests still run.
sub flow {
    my ($name, $code) = @_;
    subtest($name => sub { eval { $code->(); 1 } or fail("died: $@") });
}

# The forced flow under test: its failure is one failed check naming jdssc's message, and the
# subtest goes on.
sub runs {
    my ($fn, @args) = @_;
    my @res = eval { call($fn, @args) };
    ok(!$@, "$fn runs to its end") or diag("$fn: $@");
    return wantarray ? @res : $res[0];
}

# A disk of VM $vmid, created (on A) and activated on B; returns the volid and B's record.
sub active_on_b {
    my ($vmid) = @_;
    on_node('A');
    my $vol = call('vdisk_alloc', $cfg, $S, $vmid, 'raw', undef, 1024 * 1024);
    on_node('B');
    call('activate_volumes', $cfg, [$vol]);
    my ($rec) = grep { $_->{volume} eq (split /:/, $vol)[1] } @{ records_of('B', $S) };
    ok($rec && -e $rec->{device}, "$vol active on B ($rec->{device})");
    on_node('A');
    return ($vol, $rec);
}

# B after Proxmox's deactivation of a volume (or snapshot) that a forced flow on A took away:
# no error, no record of it, its device gone, and no session left to its old target unless B
# still has something else there.
sub b_deactivates_stale {
    my ($vol, $rec) = @_;
    my $snap = $rec->{snapshot};
    on_node('B');
    ok(eval { call('deactivate_volumes', $cfg, [$vol], $snap); 1 }, "B: deactivate_volumes of the stale $vol"
        . ($snap ? "\@$snap" : '') . ' succeeds') or diag($@);
    my @left = @{ records_of('B', $S) };
    is_deeply([grep { same_lun($_, $rec) } @left], [], 'B keeps no record of it');
    ok(!-e $rec->{device}, 'its device is gone on B');
    my $in_use = grep { $_->{target} eq $rec->{target} } @left;
    is(scalar(grep { $_->{target} eq $rec->{target} } @{ sessions_of('B') }), $in_use ? 2 : 0,
        $in_use ? "B keeps its two sessions to $rec->{target} (another LUN of it is active)" : "B is logged out of $rec->{target}");
    on_node('A');
}

flow 'the simulator serves two hosts: the array sees both initiators' => sub {
    isnt($IQN_A, $IQN_B, 'two initiator names');
    my ($vol, $rec) = active_on_b(90);
    call('activate_volumes', $cfg, [$vol]); # on A too
    is_deeply(initiators_of($rec->{target}), [sort $IQN_A, $IQN_B], 'the array sees both nodes');
    my $dev_a = device_of('A', $S, 'vm-90-disk-0');
    ok($dev_a && -e $dev_a && $dev_a ne $rec->{device}, 'each node has its own device');
    call('deactivate_volumes', $cfg, [$vol]);
    is_deeply(initiators_of($rec->{target}), [$IQN_B], "A's deactivation leaves B logged in");
    ok(-e $rec->{device}, "B's device stays");
    eval { call('vdisk_free', $cfg, $vol) };
    is(exit_of($@), 5, 'without VM 90 on A, its destroy there is refused (exit 5)');
    on_node('B');
    call('deactivate_volumes', $cfg, [$vol]);
    call('vdisk_free', $cfg, $vol);
    is_deeply(on_array(), [], 'gone');
    on_node('A');
};

flow 'without the guest on A: refusals are clear and nothing is half done' => sub {
    my ($vol, $rec) = active_on_b(107);
    guest_on('B', 107); # VM 107 lives on B: A must not take its disk away
    my $busy = qr/\Q$rec->{target}\E has live iSCSI sessions from other hosts: \Q$IQN_B\E.*pass --force/;

    ok(call('volume_has_feature', $cfg, 'template', $vol, undef, 0), 'template feature (no teardown: not our guest)');
    eval { call('vdisk_create_base', $cfg, $vol) };
    my $err = $@;
    is(exit_of($err), 5, 'vdisk_create_base: exit 5');
    like("$err", $busy, 'naming B and the way out');
    is_deeply(on_array(), [$vol], 'no half template: the volume keeps its vm- name');

    eval { call('rename_volume', $cfg, $vol, 108) };
    is(exit_of($@), 5, 'rename_volume (reassign): exit 5');
    like("$@", $busy, 'same message');
    eval { call('vdisk_free', $cfg, $vol) };
    is(exit_of($@), 5, 'vdisk_free: exit 5');
    like("$@", $busy, 'same message');
    is_deeply(on_array(), [$vol], 'still there, under its name');

    on_node('B');
    call('volume_snapshot', $cfg, $vol, 'snap1');
    call('activate_volumes', $cfg, [$vol], 'snap1');
    on_node('A');
    eval { call('volume_snapshot_delete', $cfg, $vol, 'snap1', 0) };
    is(exit_of($@), 5, "volume_snapshot_delete of B's exported snapshot: exit 5");
    is_deeply([keys %{ call('volume_snapshot_info', $cfg, $vol) }], ['snap1'], 'the snapshot stays');

    on_node('B');
    ok(-e $rec->{device} && device_of('B', $S, 'vm-107-disk-0') eq $rec->{device}, 'B still has its device and record');
    ok(-e device_of('B', $S, 'vm-107-disk-0', 'snap1'), "B's snapshot export still works");
    call('deactivate_volumes', $cfg, [$vol], 'snap1');
    call('deactivate_volumes', $cfg, [$vol]);
    call('activate_volumes', $cfg, [$vol]);
    ok(-e call('path', $cfg, $vol), 'B can deactivate and activate it again');
    # VM 107's own node destroys it (nothing active elsewhere now)
    call('deactivate_volumes', $cfg, [$vol]);
    call('volume_snapshot_delete', $cfg, $vol, 'snap1', 0);
    call('vdisk_free', $cfg, $vol);
    guest_off('B', 107);
    on_node('A');
    is_deeply(on_array(), [], 'VM 107 destroyed on B');
};

flow '(a) qm template on A of a VM whose disk is active on B' => sub {
    my ($vol, $rec) = active_on_b(100);
    guest_on('A', 100);
    # qemu-server's template_create: the feature question, then vdisk_create_base
    ok(call('volume_has_feature', $cfg, 'template', $vol, undef, 0), 'template feature');
    my $base = runs('vdisk_create_base', $cfg, $vol);
    is($base, "$S:base-100-disk-0", 'the template keeps the disk number');
    is_deeply(on_array(), [$base], 'renamed on the array');

    # B uses the template where Proxmox would — a full clone on B reads the base, activated
    # there — while it still holds the stale record of vm-100-disk-0 (nothing told it)
    on_node('B');
    call('activate_volumes', $cfg, [$base]);
    my $dev = device_of('B', $S, 'base-100-disk-0');
    ok($dev && -e $dev, "B activates the template ($dev)");
    my ($brec) = grep { $_->{volume} eq 'base-100-disk-0' } @{ records_of('B', $S) };
    is($brec->{wwid}, jdssc('target', 'get', 'base-100-disk-0')->{wwid}, "B's device is the template's LUN on the array");
    ok(eval { call('deactivate_volumes', $cfg, [$vol]); 1 }, 'B: deactivate of the stale vm-100-disk-0 succeeds') or diag($@);
    is_deeply([map { $_->{volume} } @{ records_of('B', $S) }], ['base-100-disk-0'], 'no record of the old name; the template stays active');
    ok(-e $dev, "the template's device stays");
    # a linked clone's VM starts on B
    my $clone = call('vdisk_clone', $cfg, $base, 101);
    call('activate_volumes', $cfg, [$clone]);
    ok(-e call('path', $cfg, $clone), "B starts the linked clone $clone");
    call('deactivate_volumes', $cfg, [$clone, $base]);
    call('vdisk_free', $cfg, $clone);
    on_node('A');
    call('vdisk_free', $cfg, $base);
    guest_off('A', 100);
    is_deeply(on_array(), [], 'template and clone destroyed');
};

flow '(b) destroy on A of a disk active on B' => sub {
    my ($vol, $rec) = active_on_b(102);
    guest_on('A', 102);
    runs('vdisk_free', $cfg, $vol);
    is_deeply(on_array(), [], 'deleted on the array');
    b_deactivates_stale($vol, $rec);
    guest_off('A', 102);
};

flow '(b) destroy on A of a disk active on B; B rid of it by jdssc cleanup instead' => sub {
    my ($vol, $rec) = active_on_b(110);
    guest_on('A', 110);
    runs('vdisk_free', $cfg, $vol);
    on_node('B');
    eval { jdssc('cleanup', '--only', 'host', '--vmids', '1') };
    is(exit_of($@), 10, "B's cleanup dry run finds something (exit 10)");
    my $r = jdssc('cleanup', '--only', 'host', '--vmids', '1', '--apply', '--grace', '0');
    is_deeply([map { [$_->{kind}, $_->{detail}] } @{ $r->{items} }], [['record', 'its volume no longer exists on the array']],
        'the stale record, its volume gone');
    is_deeply(records_of('B', $S), [], 'B keeps no record');
    ok(!-e $rec->{device}, 'its device is gone on B');
    is_deeply(sessions_of('B'), [], 'B logged out');
    on_node('A');
    guest_off('A', 110);
};

flow '(c) reassign on A of a disk active on B; B activates the new name without deactivating first' => sub {
    my ($vol, $rec) = active_on_b(103);
    guest_on('A', $_) for 103, 104; # move_disk --target-vmid: both VMs on this node
    my $new = runs('rename_volume', $cfg, $vol, 104);
    is($new, "$S:vm-104-disk-0", 'reassigned');
    is_deeply(on_array(), [$new], 'renamed on the array');
    # VM 104 moves to B and starts there: B still holds the stale vm-103 record and device
    on_node('B');
    call('activate_volumes', $cfg, [$new]);
    my $dev = device_of('B', $S, 'vm-104-disk-0');
    ok($dev && -e $dev, "B activates $new ($dev)");
    # the stale volume's deactivation, if Proxmox ever asks, must not touch the new one
    ok(eval { call('deactivate_volumes', $cfg, [$vol]); 1 }, 'B: deactivate of the stale name succeeds') or diag($@);
    is_deeply([grep { $_->{volume} eq 'vm-103-disk-0' } @{ records_of('B', $S) }], [], 'no record of the old name');
    is_deeply([grep { $_->{target} eq $rec->{target} } @{ sessions_of('B') }], [], "B is logged out of $rec->{target}");
    # the renamed volume keeps its WWID: with multipath, B's new paths join the stale volume's
    # map, and tearing the stale record down must keep that map and the new name's paths
    ok(-e $dev && device_of('B', $S, 'vm-104-disk-0') eq $dev, "the new volume's device and record stay");
    call('deactivate_volumes', $cfg, [$new]);
    is_deeply(records_of('B', $S), [], 'B clean');
    is_deeply(sessions_of('B'), [], 'B logged out');
    on_node('A');
    call('vdisk_free', $cfg, $new);
    guest_off('A', $_) for 103, 104;
};

flow '(c) reassign on A of a disk active on B; B activates the new name, then runs jdssc cleanup' => sub {
    my ($vol, $rec) = active_on_b(111);
    guest_on('A', $_) for 111, 112;
    my $new = runs('rename_volume', $cfg, $vol, 112);
    on_node('B');
    call('activate_volumes', $cfg, [$new]);
    my $dev = device_of('B', $S, 'vm-112-disk-0');
    ok($dev && -e $dev, "B activates $new");
    my $r = jdssc('cleanup', '--only', 'host', '--vmids', '1', '--apply', '--grace', '0');
    is_deeply([map { $_->{name} } @{ $r->{items} }], ["vm-111-disk-0 ($rec->{target} LUN 0)"], 'cleanup takes the stale record');
    is_deeply([map { $_->{volume} } @{ records_of('B', $S) }], ['vm-112-disk-0'], "the new name's record stays");
    ok(-e $dev, "the new volume's device stays");
    is(scalar(grep { $_->{target} ne $rec->{target} } @{ sessions_of('B') }), 2, 'and its two sessions');
    call('deactivate_volumes', $cfg, [$new]);
    is_deeply(records_of('B', $S), [], 'B clean');
    on_node('A');
    call('vdisk_free', $cfg, $new);
    guest_off('A', $_) for 111, 112;
};

flow '(d) delete on A of a snapshot that B has activated (exported)' => sub {
    my ($vol, $rec) = active_on_b(105);
    guest_on('A', 105);
    call('volume_snapshot', $cfg, $vol, 'snap1');
    on_node('B');
    call('activate_volumes', $cfg, [$vol], 'snap1'); # e.g. a backup reading the snapshot on B
    my ($srec) = grep { ($_->{snapshot} // '') eq 'snap1' } @{ records_of('B', $S) };
    ok($srec && -e $srec->{device}, "B has the snapshot's device ($srec->{device})");
    on_node('A');
    runs('volume_snapshot_delete', $cfg, $vol, 'snap1', 0);
    is_deeply(call('volume_snapshot_info', $cfg, $vol), {}, 'snapshot deleted');
    b_deactivates_stale($vol, $srec);
    on_node('B');
    ok(-e $rec->{device}, "B's volume itself is untouched");
    call('deactivate_volumes', $cfg, [$vol]);
    is_deeply(records_of('B', $S), [], 'B clean');
    on_node('A');
    call('vdisk_free', $cfg, $vol);
    guest_off('A', 105);
};

flow '(e) live migration A -> B: active on both, A deactivates, B keeps working' => sub {
    guest_on('A', 106);
    my $vol = call('vdisk_alloc', $cfg, $S, 106, 'raw', undef, 1024 * 1024);
    call('activate_volumes', $cfg, [$vol]); # the VM runs on A
    on_node('B');
    call('activate_volumes', $cfg, [$vol]); # the migration target starts
    my $dev_b = call('path', $cfg, $vol);
    my ($rec_b) = @{ records_of('B', $S) };
    on_node('A');
    is_deeply(initiators_of($rec_b->{target}), [sort $IQN_A, $IQN_B], 'both nodes logged in');
    call('deactivate_volumes', $cfg, [$vol]); # migration done: the source lets go
    guest_off('A', 106);
    guest_on('B', 106);
    is_deeply(records_of('A', $S), [], 'A clean');
    is_deeply(sessions_of('A'), [], 'A logged out');
    is_deeply(initiators_of($rec_b->{target}), [$IQN_B], 'B still logged in');
    on_node('B');
    ok(-e $dev_b, "B's device stays ($dev_b)");
    is_deeply(call('qemu_blockdev_options', $cfg, $vol, '10.0', {}), { driver => 'host_device', filename => $dev_b },
        'QEMU on B opens it');
    call('volume_snapshot', $cfg, $vol, 'after-migration'); # the VM on B keeps being managed
    call('volume_snapshot_delete', $cfg, $vol, 'after-migration', 1);
    ok(-e $dev_b && device_of('B', $S, 'vm-106-disk-0') eq $dev_b, 'snapshot and its deletion from B: device and record stay');
    # later destroyed on B, its node now
    call('deactivate_volumes', $cfg, [$vol]);
    call('vdisk_free', $cfg, $vol);
    is_deeply(records_of('B', $S), [], 'B clean');
    guest_off('B', 106);
    on_node('A');
    is_deeply(on_array(), [], 'nothing left on the array');
};

# After a forced destroy on A, B keeps its record of the deleted volume. When Proxmox reuses the
# name — VM 109 destroyed, a new VM 109 created, its disk vm-109-disk-0 then started on B — B
# must get the new volume (another WWID and LUN), not the old record's device, which on a real
# target (re-created under the same name) is a different disk of the new VM: while the array
# answers it decides, and the stale record is torn down after the activation.
flow 'a name reused after a forced destroy: B must not answer from its stale record' => sub {
    my ($vol, $rec) = active_on_b(109);
    guest_on('A', 109);
    runs('vdisk_free', $cfg, $vol);
    # the new VM 109 runs on A: two disks, disk 1 activated (published) first, so it gets LUN 0
    # of target vm-109-0 and disk 0 LUN 1
    my @new = map { call('vdisk_alloc', $cfg, $S, 109, 'raw', undef, 1024 * 1024) } 1 .. 2;
    is_deeply(\@new, ["$S:vm-109-disk-0", "$S:vm-109-disk-1"], 'the old name is handed out again');
    call('activate_volumes', $cfg, [$new[1]]);
    call('activate_volumes', $cfg, [$new[0]]);
    my $want = jdssc('target', 'get', 'vm-109-disk-0');
    # it migrates to B: disk 0, then disk 1
    on_node('B');
    call('activate_volumes', $cfg, [$new[0]]);
    my ($got) = grep { $_->{volume} eq 'vm-109-disk-0' } @{ records_of('B', $S) };
    my $dev0 = call('path', $cfg, $new[0]);
    is($got->{wwid}, $want->{wwid}, "B's vm-109-disk-0 carries the new volume's WWID");
    is($got->{lun}, $want->{lun}, 'and is the LUN the array has it at');
    is(scalar(grep { $_->{volume} eq 'vm-109-disk-0' } @{ records_of('B', $S) }), 1, "B's stale record of the old one went");
    call('activate_volumes', $cfg, [$new[1]]);
    ok(-e $dev0, "disk 0's device on B survives the activation of disk 1");
    call('deactivate_volumes', $cfg, [@new]);
    is_deeply(records_of('B', $S), [], 'B clean');
    on_node('A');
    call('deactivate_volumes', $cfg, [@new]);
    call('vdisk_free', $cfg, $_) for @new;
    guest_off('A', 109);
    is_deeply(on_array(), [], 'nothing left on the array');
};

done_testing();
