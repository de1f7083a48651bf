#!/usr/bin/perl
# `pvesm export` / `pvesm import` (offline migration, qm remote-migrate) through the REAL
# PVE::Storage: volume_export / volume_import / volume_*_formats of the `raw+size` stream, from
# one joviandss storage into another on the same simulator (another cluster_prefix, as a second
# cluster on the same pool). The fake host's LUNs are empty files that vanish on logout: here
# each volume's data lives in a file of its own that the LUN device points to while it is
# active, and a snapshot keeps a copy of its volume's data (what a zvol and its snapshot hold),
# so the bytes really go through the devices the plugin is given. Also: a snapshot's export
# gives the snapshot's data, --with-snapshots is refused before anything happens, a bad or
# short stream leaves no volume behind, a taken name is refused unless allow-rename, and
# nothing stays active on the host.
use strict;
use warnings;
BEGIN { my ($d) = __FILE__ =~ m!^(.*)/[^/]+$!; ($d) = ($d // '.') =~ /^(.*)$/; unshift @INC, "$d/lib" }
use Test::More;
use Fcntl qw(O_RDONLY O_WRONLY SEEK_SET SEEK_CUR);
use POSIX ();
use RealPVE;
use PVETier qw(call start_sim add_storage cfg);
use DataShim;

require PVE::Storage::Custom::JovianDSS::Transfer;
$PVE::Storage::Custom::JovianDSS::Transfer::PROGRESS = 0;

note('perl -T: ' . (${^TAINT} ? 'on' : 'off'));
my $sim = start_sim();
my ($S, $S2) = ('jdss', 'jdss2');
add_storage($sim, $S);
add_storage($sim, $S2, cluster_prefix => 'two', target_prefix => 'iqn.2025-04.proxmox.joviandss.two:');
my $cfg = cfg();
my ($TMP) = RealPVE::tmp();
my $DATA = "$TMP/lun-data";

# the data shim (lib/DataShim.pm): each volume's and snapshot's bytes in a file of its own
# across activations, every jdssc process as "noun verb"
my $shim = DataShim::install($sim, $DATA);
sub procs_of { return $shim->procs_of(@_) }

sub records {
    my @r = glob("$sim->{host_root}/var/lib/jdssc/luns/*/*/lun-*.json");
    return scalar(@r);
}

sub names_on { my ($sid) = @_; return [sort map { $_->{volid} } @{ PVE::Storage::vdisk_list($cfg, $sid)->{$sid} }] }

# deterministic bytes with an all-zero hole in the middle (the import skips writing it)
sub pattern {
    my ($seed, $size) = @_;
    srand($seed);
    my $data = pack('N*', map { int(rand(2**32)) } 1 .. int($size / 4) + 1);
    $data = substr($data, 0, $size);
    substr($data, int($size / 4), int($size / 4)) = "\0" x int($size / 4);
    return $data;
}

sub with_device { return DataShim::with_device($cfg, @_) }

sub write_volume {
    my ($volid, $data) = @_;
    with_device($volid, undef, sub {
        sysopen(my $fh, $_[0], O_WRONLY) or die "$_[0]: $!";
        syswrite($fh, $data) == length($data) or die "short write";
        close($fh);
    });
}

sub read_volume {
    my ($volid, $len, $snap) = @_;
    return with_device($volid, $snap, sub {
        sysopen(my $fh, $_[0], O_RDONLY) or die "$_[0]: $!";
        my $got = sysread($fh, my $buf, $len + 1);
        close($fh);
        return $buf;
    });
}

sub slurp { my ($f) = @_; open(my $fh, '<:raw', $f) or die "$f: $!"; local $/; return scalar <$fh> }
sub spit { my ($f, $d) = @_; open(my $fh, '>:raw', $f) or die "$f: $!"; print {$fh} $d; close($fh) }

sub export_to_file {
    my ($volid, $snap, $file, $with) = @_;
    open(my $fh, '+>:raw', $file) or die "$file: $!";
    call('volume_export', $cfg, $fh, $volid, 'raw+size', $snap, undef, $with // 0);
    close($fh);
    return slurp($file);
}

sub import_from_file {
    my ($file, $volid, $rename, $with) = @_;
    open(my $fh, '<:raw', $file) or die "$file: $!";
    my $r = call('volume_import', $cfg, $fh, $volid, 'raw+size', undef, undef, $with // 0, $rename // 0);
    close($fh);
    return $r;
}

# 5 MiB + 16 KiB: more than one 4 MiB buffer, a partial last one
my $KIB = 5 * 1024 + 16;
my $SIZE = $KIB * 1024;
my $src = call('vdisk_alloc', $cfg, $S, 100, 'raw', undef, $KIB);
my ($A, $B) = (pattern(1, $SIZE), pattern(2, $SIZE));
write_volume($src, $A);
is(read_volume($src, $SIZE), $A, 'the data shim keeps what was written through the device');

subtest 'formats' => sub {
    is_deeply([call('volume_export_formats', $cfg, $src, undef, undef, 0)], ['raw+size'], 'export: raw+size');
    is_deeply([call('volume_export_formats', $cfg, $src, 's1', undef, 0)], ['raw+size'], 'export of a snapshot: raw+size');
    is_deeply([call('volume_export_formats', $cfg, $src, undef, undef, 1)], [], 'export with snapshots: none');
    is_deeply([call('volume_export_formats', $cfg, $src, 's2', 's1', 0)], [], 'incremental export: none');
    is_deeply([call('volume_import_formats', $cfg, "$S2:vm-100-disk-0", undef, undef, 0)], ['raw+size'], 'import: raw+size');
    is_deeply([call('volume_import_formats', $cfg, "$S2:vm-100-disk-0", undef, undef, 1)], [], 'import with snapshots: none');
    is_deeply([call('volume_transfer_formats', $cfg, $src, "$S2:vm-100-disk-0", undef, undef, 0)], ['raw+size'],
        'a common format for storage_migrate');
    is_deeply([call('volume_transfer_formats', $cfg, $src, "$S2:vm-100-disk-0", undef, undef, 1)], [],
        'none with snapshots: storage_migrate refuses before anything runs');
};

my $new;
subtest 'export into a file, import into another storage: the same bytes' => sub {
    my $stream;
    is_deeply(procs_of(sub { $stream = export_to_file($src, undef, "$TMP/stream") }),
        ['volume get', 'login activate', 'login deactivate'], 'export: size, activate, deactivate');
    is(length($stream), 8 + $SIZE, 'header + data');
    is(unpack('Q<', substr($stream, 0, 8)), scalar(PVE::Storage::volume_size_info($cfg, $src)), 'header: the size in bytes');
    ok(substr($stream, 8) eq $A, 'the data of the volume');
    is(records(), 0, 'nothing active on the host after the export');
    is_deeply(procs_of(sub { $new = import_from_file("$TMP/stream", "$S2:vm-100-disk-0") }),
        ['volume create', 'login activate', 'login deactivate'], 'import: create, activate, deactivate');
    is($new, "$S2:vm-100-disk-0", 'volume_import returns the volid');
    is_deeply(names_on($S2), [$new], 'vdisk_list lists it');
    is(scalar(PVE::Storage::volume_size_info($cfg, $new)), $SIZE, 'the same size');
    is(records(), 0, 'nothing active on the host after the import');
    my $written = $shim->{blocks_written}->{"$DATA/$S2-vm-100-disk-0"};
    ok(defined($written) && $written * 512 < $SIZE - $SIZE / 8, 'the zero hole was not written (sparse)')
        or diag('device blocks at deactivation: ' . ($written // 'none'));
    ok(read_volume($new, $SIZE) eq $A, 'the same bytes on the new volume');
};

subtest 'a volume active here before the export stays active' => sub {
    PVE::Storage::activate_volumes($cfg, [$src]);
    my $stream;
    is_deeply(procs_of(sub { $stream = export_to_file($src, undef, "$TMP/stream") }), ['volume get', 'login activate'],
        'no deactivation');
    ok(substr($stream, 8) eq $A, 'the data');
    (my $name = $src) =~ s/^\Q$S\E://;
    ok(PVE::Storage::Custom::JovianDSS::Cli::local_device($cfg->{ids}->{$S}, $S, $name), 'still active');
    PVE::Storage::deactivate_volumes($cfg, [$src]);
    is(records(), 0, 'deactivated by its owner');
};

subtest "a snapshot's export gives the snapshot's data" => sub {
    call('volume_snapshot', $cfg, $src, 's1');
    write_volume($src, $B);
    my $snap = export_to_file($src, 's1', "$TMP/stream-s1");
    is(unpack('Q<', substr($snap, 0, 8)), $SIZE, 'header: the size');
    ok(substr($snap, 8) eq $A, 'the data when the snapshot was taken');
    ok(substr(export_to_file($src, undef, "$TMP/stream"), 8) eq $B, 'the volume itself: the current data');
    is(records(), 0, 'nothing active on the host (the snapshot neither)');
};

subtest 'through a pipe, another process exporting: allow-rename on a taken name' => sub {
    my @before = @{ names_on($S2) };
    eval { import_from_file("$TMP/stream-s1", $new) };
    like($@, qr/^volume '\Q$new\E' already exists$/, 'a taken name without allow-rename: refused, one line');
    is_deeply(names_on($S2), \@before, 'nothing created');
    pipe(my $r, my $w) or die "pipe: $!";
    my $pid = fork() // die "fork: $!";
    if (!$pid) {
        close($r);
        my $ok = eval { PVE::Storage::volume_export($cfg, $w, $src, 'raw+size', 's1', undef, 0); 1 };
        print STDERR $@ if !$ok;
        close($w);
        POSIX::_exit($ok ? 0 : 1);
    }
    close($w);
    my @warn;
    my $got = do {
        local $SIG{__WARN__} = sub { push @warn, @_ };
        call('volume_import', $cfg, $r, $new, 'raw+size', undef, undef, 0, 1);
    };
    close($r);
    waitpid($pid, 0);
    is($?, 0, 'the exporting process succeeded');
    is($got, "$S2:vm-100-disk-1", 'allow-rename: the next free name');
    like("@warn", qr/already exists - importing with a different name/, '... with a warning');
    ok(read_volume($got, $SIZE) eq $A, "the snapshot's bytes");
    is(records(), 0, 'nothing active on the host');
    PVE::Storage::vdisk_free($cfg, $got);
};

subtest '--with-snapshots and other streams: refused before anything happens' => sub {
    my @before = @{ names_on($S2) };
    for my $with (1, ['s1']) {
        my $procs = procs_of(sub { eval { export_to_file($src, undef, "$TMP/stream-w", $with) } });
        like($@, qr/^joviandss cannot export a volume together with its snapshots[^\n]*\n\z/, 'export refused, one line');
        is_deeply($procs, [], 'no jdssc process');
        is(-s "$TMP/stream-w", 0, 'nothing written');
    }
    spit("$TMP/stream-w", "x" x 100);
    open(my $fh, '<:raw', "$TMP/stream-w") or die;
    my $procs = procs_of(sub { eval { call('volume_import', $cfg, $fh, "$S2:vm-100-disk-5", 'raw+size', undef, undef, 1, 0) } });
    like($@, qr/^joviandss cannot import a volume together with its snapshots[^\n]*\n\z/, 'import refused, one line');
    is_deeply($procs, [], 'no jdssc process');
    is(sysseek($fh, 0, SEEK_CUR), '0 but true', 'nothing read from the stream');
    eval { call('volume_export', $cfg, $fh, $src, 'qcow2+size', undef, undef, 0) };
    like($@, qr/^volume export format 'qcow2\+size' not available for joviandss/, 'another format: refused');
    eval { call('volume_import', $cfg, $fh, "$S2:vm-100-disk-5", 'raw+size', undef, 's1', 0, 0) };
    like($@, qr/^joviandss cannot import an incremental stream/, 'an incremental stream: refused');
    is_deeply(names_on($S2), \@before, 'no volume created');
};

subtest 'a bad or short stream leaves no volume on the array' => sub {
    my @before = @{ names_on($S2) };
    my $full = slurp("$TMP/stream");
    for my $case (['short header', substr($full, 0, 3), qr/the stream has no size header \(3 of 8 bytes\)/, []],
        ['truncated', substr($full, 0, 8 + 4 * 2**20 + 5), qr/the stream ended after 4194309 of $SIZE bytes/,
            ['volume create', 'login activate', 'login deactivate', 'volume delete']],
        ['trailing bytes', "$full!", qr/more than the $SIZE bytes its header announced/,
            ['volume create', 'login activate', 'login deactivate', 'volume delete']])
    {
        my ($what, $data, $re, $want) = @$case;
        spit("$TMP/bad", $data);
        my $procs = procs_of(sub { eval { import_from_file("$TMP/bad", "$S2:vm-100-disk-7") } });
        like($@, qr/^[^\n]*$re[^\n]*\n\z/, "$what: refused, one line");
        is_deeply($procs, $want, "$what: jdssc processes");
        is_deeply(names_on($S2), \@before, "$what: no volume left");
        is(records(), 0, "$what: nothing active on the host");
    }
    ok(!-e "$DATA/$S2-vm-100-disk-7", 'its data went with it');
};

subtest 'an export that cannot write: deactivated all the same' => sub {
    pipe(my $r, my $w) or die "pipe: $!";
    close($r);
    my $procs = procs_of(sub { eval { call('volume_export', $cfg, $w, $src, 'raw+size', undef, undef, 0) } });
    like($@, qr/^export of '\Q$src\E' failed: cannot write to the stream: Broken pipe\n\z/, 'one line');
    is_deeply($procs, ['volume get', 'login activate', 'login deactivate'], 'activated, then deactivated');
    is(records(), 0, 'nothing active on the host');
    eval { call('volume_export', $cfg, $w, "$S:vm-100-disk-9", 'raw+size', undef, undef, 0) };
    like($@, qr/not found|does not exist/i, 'a volume not on the array: its error');
    eval { call('volume_export', $cfg, $w, $src, 'raw+size', 'nosuch', undef, 0) };
    like($@, qr/no such snapshot/, 'a snapshot not on the array: refused');
    is(records(), 0, 'nothing active on the host');
};

call('volume_snapshot_delete', $cfg, $src, 's1', 0);
PVE::Storage::vdisk_free($cfg, $_) for $src, $new;
is_deeply([@{ names_on($S) }, @{ names_on($S2) }], [], 'all volumes freed');
done_testing();
