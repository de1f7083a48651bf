#!/usr/bin/perl
# The host side through the real jdssc: the simulator publishes, the fake host tools
# (test/host/fakes: iscsiadm, multipath, kernel and udev stand-ins under a relocated root) log
# in. A VM disk's life as PVE drives it: activate -> path -> online resize -> snapshot export ->
# deactivate -> template (create_base) -> linked clone -> reassign (rename) -> free; CHAP and a
# degraded activation; nothing host-wide, no secret on any command line.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;

use JDSSTest qw(plugin scfg start_simulator host_state host_update);
my $P = plugin();
my $J = 'PVE::Storage::Custom::JovianDSS::Cli'; # the jdssc runner
my $sim = start_simulator(fakehost => 1);
my $S = 'jdss';
my $chap = 'chap-secret-4711-xyz';
my $scfg = scfg($sim, multipath => 1, chap_enabled => 1, chap_user_name => 'pve-node');
my $root = $sim->{host_root};

sub sessions { return [sort map { $_->{address} } @{ host_state($sim)->{sessions} }] }
sub published {
    my ($vol, $snap) = @_;
    my @a = ('target', 'get', $vol, (defined $snap ? ('--snapshot', $snap) : ()));
    return $J->can('jdssc')->($scfg, $S, \@a, timeout => 20, quiet => 1)->{published};
}

$P->on_add_hook($S, $scfg, user_password => $sim->{password}, chap_user_password => $chap);
my $vol = $P->alloc_image($S, $scfg, 100, 'raw', undef, 1024 * 1024);
my $wwid;

subtest 'activate_volume, path, qemu_blockdev_options' => sub {
    my $before = $P->path($scfg, $vol, $S);
    like($before, qr{^\Q$root\E/dev/mapper/2[0-9a-f]{16}$}, 'path() of an inactive volume: the map it will get');
    ok(!-e $before, '... which does not exist yet');
    ($wwid) = $before =~ m{/([0-9a-f]+)$};

    is($P->activate_volume($S, $scfg, $vol, undef, {}, {}), 1, 'activate_volume');
    my @p = $P->path($scfg, $vol, $S);
    is_deeply(\@p, [$before, 100, 'images'], 'path() in list context: (path, vmid, vtype)');
    ok(-e $p[0], 'the multipath device exists');
    is_deeply(sessions(), ['127.0.0.2', '127.0.0.3'], 'one session per data portal');
    ok(published($vol), 'published on the array');
    my $offline = { %$scfg, control_port => 1 };
    is(scalar($P->path($offline, $vol, $S)), $before, 'path() of an active volume needs no REST');
    is_deeply($P->qemu_blockdev_options($scfg, $S, $vol, '10.0', {}),
        { driver => 'host_device', filename => $before }, 'qemu_blockdev_options: host_device');
    is($P->activate_volume($S, $scfg, $vol, undef, {}, {}), 1, 'activating again is harmless');
};

subtest 'volume_resize of a running VM rescans every path' => sub {
    # the array's SCST reports the bigger LUN as soon as the zvol grew: the fake data path does
    # not follow a resize, so its LUN grows as the one jdssc process (resize + rescan) starts
    no warnings 'redefine';
    my $run = \&PVE::Storage::Custom::JovianDSS::Cli::run_command;
    local *PVE::Storage::Custom::JovianDSS::Cli::run_command = sub {
        if ("@{ $_[0] }" =~ / volume resize \S+ --size (\d+)/) {
            my $size = $1 + 0; # a JSON number, as the fake kernel expects
            host_update($sim, sub {
                for my $t (values %{ $_[0]->{array}->{targets} }) {
                    $_->{sizeBytes} = $size for grep { $_->{wwid} eq $wwid } values %{ $t->{luns} };
                }
            });
        }
        return $run->(@_);
    };
    $P->volume_resize($scfg, $S, $vol, 2 * 2**30, 1);
    my @resize = grep { "@$_" =~ /volume (?:resize|rescan)|login rescan/ } JDSSTest::argv_log();
    like("@{ $resize[-1] }", qr/volume resize \Q$vol\E --size \d+ --rescan$/, 'one process grew and rescanned it');
    ok(!grep({ "@$_" =~ /login rescan/ } @resize), '... no separate login rescan');
    is(scalar($P->volume_size_info($scfg, $S, $vol)), 2 * 2**30, '2 GiB on the array');
    my $st = host_state($sim);
    my @disks = grep { $_->{wwid} && $_->{wwid} eq $wwid } values %{ $st->{disks} };
    ok(@disks >= 2, scalar(@disks) . ' paths');
    is_deeply([map { $_->{sizeBytes} // $_->{size} } @disks], [map { 2 * 2**30 } @disks], 'every path shows 2 GiB')
        or diag explain \@disks;
};

subtest 'a snapshot exported to this host, then deleted' => sub {
    $P->volume_snapshot($scfg, $S, $vol, 'snap1');
    $P->activate_volume($S, $scfg, $vol, 'snap1', {}, {});
    my $sp = $P->path($scfg, $vol, $S, 'snap1');
    ok(-e $sp, "the snapshot has its own device ($sp)");
    isnt($sp, $P->path($scfg, $vol, $S), '... not the volume\'s');
    ok(published($vol, 'snap1'), 'its export is published');
    $P->volume_snapshot_delete($scfg, $S, $vol, 'snap1', 1);
    ok(!-e $sp, 'device gone');
    ok(!published($vol, 'snap1'), 'export gone');
    is_deeply($P->volume_snapshot_info($scfg, $S, $vol), {}, 'snapshot gone');
    ok(-e $P->path($scfg, $vol, $S), 'the volume itself is untouched');
    $P->volume_snapshot_delete($scfg, $S, $vol, 'snap1', 0);
    pass('deleting it again is harmless (qm delsnapshot after a partial failure)');
};

subtest 'deactivate_volume' => sub {
    my $dev = $P->path($scfg, $vol, $S);
    is($P->deactivate_volume($S, $scfg, $vol, undef, {}), 1, 'deactivate_volume');
    ok(!-e $dev, 'device gone');
    is_deeply(sessions(), [], 'sessions logged out (no other LUN uses them)');
    ok(published($vol), 'the LUN stays published for the next start or a migration');
    is($P->deactivate_volume($S, $scfg, $vol, undef, {}), 1, 'deactivating again is harmless');
};

my ($base, $clone);
subtest 'create_base, linked clone, rename_volume' => sub {
    $P->activate_volume($S, $scfg, $vol, undef, {}, {});
    $base = $P->create_base($S, $scfg, $vol);
    (my $same = $vol) =~ s/^vm-/base-/;
    is($base, $same, "the template keeps the disk number: $base");
    is_deeply(sessions(), [], 'the volume was deactivated first');
    ok(!published($base), '... and unpublished');
    my ($rename) = grep { "@$_" =~ /volume rename \Q$vol\E / } JDSSTest::argv_log();
    like("@$rename", qr/--unpublish\b/, 'one process unpublishes and renames (jdssc guards the rename with the SCSI id it read first)');
    eval { $P->create_base($S, $scfg, $base) };
    like($@, qr/not possible with base image/, 'a template cannot become a template again');
    is_deeply([(map { $_->{volid} } @{ $P->list_images($S, $scfg, 100, undef, {}) })], ["$S:$base"], 'listed under VM 100');

    $clone = $P->clone_image($scfg, $S, $base, 101);
    is($clone, "$base/vm-101-disk-0", 'linked clone of the template, named after its base');
    my @info = $P->volume_size_info($scfg, $S, $clone);
    is($info[3], $base, 'its parent is the template');
    $P->activate_volume($S, $scfg, $clone, undef, {}, {});
    ok(-e $P->path($scfg, $clone, $S), 'the clone can be used');

    my $volid = $P->rename_volume($scfg, $S, $clone, 102, undef);
    is($volid, "$S:$base/vm-102-disk-0", 'reassigned to VM 102 (a volid is returned, the base kept)');
    $clone = "$base/vm-102-disk-0";
    is_deeply(sessions(), [], 'the old device was torn down first');
    is($P->rename_volume($scfg, $S, $clone, 103, 'vm-103-disk-5'), "$S:$base/vm-103-disk-5", 'an explicit target name');
    $clone = "$base/vm-103-disk-5";
    my $other = $P->alloc_image($S, $scfg, 104, 'raw', undef, 1024);
    eval { $P->rename_volume($scfg, $S, $clone, 104, $other) };
    like($@, qr/already exists/, "a taken target name: jdssc's message");
    is($J->can('jdssc_exit')->($@), 4, 'exit 4');
    $P->free_image($S, $scfg, $other, 0, 'raw');
};

subtest 'free_image' => sub {
    eval { $P->free_image($S, $scfg, $base, 1, 'raw') };
    like($@, qr/dependent clones: vm-103-disk-5/, 'a template with a linked clone stays');
    is($J->can('jdssc_exit')->($@), 5, 'exit 5 (busy)');
    $P->activate_volume($S, $scfg, $clone, undef, {}, {});
    my $dev = $P->path($scfg, $clone, $S);
    is($P->free_image($S, $scfg, $clone, 0, 'raw'), undef, 'free_image of an active volume');
    ok(!-e $dev, 'its device went first');
    is_deeply(sessions(), [], 'sessions too');
    my @warn;
    local $SIG{__WARN__} = sub { push @warn, @_ };
    is($P->free_image($S, $scfg, $clone, 0, 'raw'), undef, 'freeing it again (deleted behind PVE\'s back) completes');
    like("@warn", qr/already gone/, '... with a warning');
    $P->free_image($S, $scfg, $base, 1, 'raw');
    is_deeply($P->list_images($S, $scfg, undef, undef, {}), [], 'nothing left on the pool');
};

subtest 'degraded activation is reported' => sub {
    my $v = $P->alloc_image($S, $scfg, 200, 'raw', undef, 1024);
    host_update($sim, sub { $_[0]->{faults}->{unreachable} = ['127.0.0.3:3260'] });
    my @warn;
    {
        local $SIG{__WARN__} = sub { push @warn, @_ };
        $P->activate_volume($S, $scfg, $v, undef, {}, {});
    }
    like("@warn", qr/active without all its paths: 127\.0\.0\.3/, 'a warning names the missing portal');
    ok(-e $P->path($scfg, $v, $S), 'the volume is usable on one path');
    host_update($sim, sub { delete $_[0]->{faults}->{unreachable} });
    $P->free_image($S, $scfg, $v, 0, 'raw');
};

subtest 'remove the storage' => sub {
    $P->on_delete_hook($S, $scfg);
    ok(!-e "$PVE::Storage::Custom::JovianDSS::Secrets::PRIV_DIR/$S.pw", 'password file gone');
};

subtest 'nothing host-wide, no secret on any command line' => sub {
    my $st = host_state($sim);
    is_deeply($st->{violations}, [], 'the fake tools saw no host-wide command');
    ok(scalar(@{ $st->{calls} }) > 10, scalar(@{ $st->{calls} }) . ' host tool calls');
    for my $secret ($sim->{password}, $chap) {
        ok(!grep({ index(join(' ', @{ $_->{argv} }), $secret) >= 0 } @{ $st->{calls} }), 'no secret in a host tool argv');
        ok(!grep({ index("@$_", $secret) >= 0 } JDSSTest::argv_log()), 'no secret in a jdssc argv');
    }
    ok(grep({ "@$_" =~ /login activate/ } JDSSTest::argv_log()), 'activation went through jdssc login');
};

done_testing();
