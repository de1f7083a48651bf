#!/usr/bin/perl
# What Proxmox does around a volume when the array is away or the volume is gone, through the
# real PVE::Storage: path() answers from this host's LUN record without REST, or a placeholder,
# and never dies; an active healthy volume activates again; freeing a volume already gone
# succeeds. And the host follows the array: a
# resize or rollback of a volume active here rescans it even when no VM runs; an inactive
# snapshot gives a clear error for QEMU; container snapshots are frozen.
use strict;
use warnings;
BEGIN { my ($d) = __FILE__ =~ m!^(.*)/[^/]+$!; ($d) = ($d // '.') =~ /^(.*)$/; unshift @INC, "$d/lib" }
use Test::More;
use Storable qw(dclone);
use Time::HiRes qw(time);
use RealPVE;
use PVETier qw(call start_sim add_storage cfg);

my $sim = start_sim();
my $S = 'jdss';
add_storage($sim, $S);
my $cfg = cfg();
# the same storage with its REST port closed (127.0.0.1:1 refuses at once)
my $away = dclone($cfg);
$away->{ids}->{$S}->{control_port} = 1;

# every jdssc argv the plugin runs; after a resize, the fake host's array reports the new LUN
# size (as SCST does once the zvol grew)
my @argv;
{
    no warnings 'redefine';
    my $run = \&PVE::Storage::Custom::JovianDSS::Cli::run_command;
    *PVE::Storage::Custom::JovianDSS::Cli::run_command = sub {
        my $cmd = "@{ $_[0] }";
        push @argv, $cmd;
        # (before the process: one `volume resize --rescan` process grows and rescans)
        if ($cmd =~ / volume resize (\S+) --size (\d+)/) {
            my ($name, $size) = ($1, $2 + 0);
            my ($wwid) = (PVE::Storage::path($cfg, "$S:$name") =~ m!(2[0-9a-f]{16})$!);
            JDSSSim::host_update($sim, sub {
                for my $t (values %{ $_[0]->{array}->{targets} }) {
                    $_->{sizeBytes} = $size for grep { $wwid && $_->{wwid} eq $wwid } values %{ $t->{luns} };
                }
            });
        }
        return $run->(@_);
    };
}
sub ran { my ($re) = @_; return scalar grep { /$re/ } @argv }

my $vol = call('vdisk_alloc', $cfg, $S, 100, 'raw', undef, 1024 * 1024);
my $idle = call('vdisk_alloc', $cfg, $S, 100, 'raw', undef, 1024);

subtest 'path() of an active volume: from the LUN record, no REST' => sub {
    call('activate_volumes', $cfg, [$vol]);
    my $dev = call('path', $cfg, $vol);
    ok(-e $dev, "device $dev");
    my $t = time();
    is(call('path', $away, $vol), $dev, 'the same path with the array unreachable');
    cmp_ok(time() - $t, '<', 5, 'at once');
    # a VM restart on this node while REST is away: the active, healthy volume activates again
    my @warn;
    ok(eval { local $SIG{__WARN__} = sub { push @warn, @_ }; PVE::Storage::activate_volumes($away, [$vol]); 1 },
        'activate_volumes again with the array unreachable') or diag($@);
    like("@warn", qr/^volume '\Q$vol\E': the array did not answer; using it as active on this host$/m, '... and the task log says so');
    @warn = ();
    { local $SIG{__WARN__} = sub { push @warn, @_ }; PVE::Storage::activate_volumes($cfg, [$vol]) }
    is_deeply(\@warn, [], 'no such warning while the array answers');
    is(call('path', $away, $vol), $dev, '... the same device');
};

subtest 'path() of an inactive volume with the array away: a placeholder, no error' => sub {
    my $t = time();
    my ($p, $owner, $vtype) = eval { call('path', $away, $idle) };
    is($@, '', 'path() does not die');
    (my $name = $idle) =~ s/^\Q$S\E://;
    is($p, "/dev/jdssc/$S/$name", 'placeholder path');
    is_deeply([$owner, $vtype], [100, 'images'], 'owner and type');
    cmp_ok(time() - $t, '<', 8, 'within the status budget');
};

subtest 'a volume deleted behind PVE\'s back: path() and vdisk_free still work' => sub {
    my $gone = call('vdisk_alloc', $cfg, $S, 102, 'raw', undef, 1024);
    (my $name = $gone) =~ s/^\Q$S\E://;
    PVE::Storage::Custom::JovianDSS::Cli::jdssc($cfg->{ids}->{$S}, $S, ['volume', 'delete', $name], quiet => 1);
    is(eval { call('path', $cfg, $gone) }, "/dev/jdssc/$S/$name", 'path(): placeholder, no error');
    my @warn;
    local $SIG{__WARN__} = sub { push @warn, @_ };
    ok(eval { call('vdisk_free', $cfg, $gone); 1 }, 'vdisk_free succeeds') or diag $@;
    like("@warn", qr/already gone/, '... with a warning');
};

subtest 'volume_resize of a volume active here, VM not running: rescanned' => sub {
    @argv = ();
    call('volume_resize', $cfg, $vol, 2 * 2**30, 0);
    (my $name = $vol) =~ s/^\Q$S\E://;
    is(ran(qr/ volume resize \Q$name\E --size \d+ --rescan$/), 1, 'resized and rescanned in one process (not only if $running)');
    is(ran(qr/ login rescan /), 0, '... no separate login rescan');
    @argv = ();
    call('volume_resize', $cfg, $idle, 2 * 2**20, 0);
    is(ran(qr/ login rescan |--rescan/), 0, 'no rescan for a volume not active here (no LUN record) ...');
    is(scalar(call('volume_size_info', $cfg, $idle)), 2 * 2**20, '... which is grown');
};

subtest 'rollback of a volume active here: rescanned' => sub {
    call('volume_snapshot', $cfg, $vol, 's1');
    @argv = ();
    call('volume_snapshot_rollback', $cfg, $vol, 's1');
    is(ran(qr/ login rescan /), 1, 'login rescan after the rollback');
    ok(-e call('path', $cfg, $vol), 'still usable');
};

subtest 'qemu_blockdev_options of a snapshot not active here: a clear error' => sub {
    eval { call('qemu_blockdev_options', $cfg, $vol, '10.0', { 'snapshot-name' => 's1' }) };
    like($@, qr/snapshot 's1' of '\Q$vol\E' is not active on this host/, 'no filename => undef');
    call('activate_volumes', $cfg, [$vol], 's1');
    my $bd = call('qemu_blockdev_options', $cfg, $vol, '10.0', { 'snapshot-name' => 's1' });
    ok($bd->{filename} && -e $bd->{filename}, 'once active: its device');
    call('deactivate_volumes', $cfg, [$vol], 's1');
};

is(call('volume_snapshot_needs_fsfreeze', $cfg, $vol), 1, 'volume_snapshot_needs_fsfreeze: 1');

call('deactivate_volumes', $cfg, [$vol]);
call('vdisk_free', $cfg, $_) for $vol, $idle;
ok(!grep({ index($_, $sim->{password}) >= 0 } @argv), 'no secret on a jdssc command line');
done_testing();
