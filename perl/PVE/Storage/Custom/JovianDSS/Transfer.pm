package PVE::Storage::Custom::JovianDSS::Transfer;

# `pvesm export` / `pvesm import` for the joviandss plugin, so offline migration to and from
# other storages and `qm remote-migrate` work: the `raw+size` stream of PVE::Storage::Plugin
# (an 8-byte little-endian size, then the raw bytes of the disk), nothing else. The plugin's
# methods delegate here with their own arguments ($class is the plugin).
#
# Export: the volume (or one snapshot of it) is activated on this host by jdssc, its device
# read in Perl into the stream, and deactivated again unless it was active here before.
# Import: a new volume of the announced size, activated, exactly that many bytes written to its
# device (all-zero blocks skipped: the new volume reads zeros there already), deactivated; on
# any failure it is deactivated and deleted again, so nothing is left on the array.
# Not done: streams with snapshots (--with-snapshots) and incremental streams (--base).

use strict;
use warnings;

use Fcntl qw(O_RDONLY O_WRONLY);
use IO::Handle ();
use Time::HiRes ();

use PVE::Storage::Custom::JovianDSS::Cli qw(
    T_READ T_LOCKED T_HOST jdssc jdssc_exit ignore_exit snap_args thin_args active_here
);

our $BUFFER = 4 * 1024 * 1024; # bytes per read of the stream or the device
our $ZERO_BLOCK = 64 * 1024; # import: all-zero runs of this size are skipped, not written
our $PROGRESS = 1; # a dd-style progress line on STDERR every 10 s and at the end

my $FORMAT = 'raw+size';

sub volume_export_formats {
    my ($class, $scfg, $storeid, $volname, $snapshot, $base_snapshot, $with_snapshots) = @_;
    return () if $with_snapshots || defined($base_snapshot);
    return ($FORMAT);
}

sub volume_import_formats {
    my ($class, $scfg, $storeid, $volname, $snapshot, $base_snapshot, $with_snapshots) = @_;
    return () if $with_snapshots || defined($base_snapshot);
    return ($FORMAT);
}

# The refusals every transfer makes before it touches the volume or the stream.
sub check_request {
    my ($what, $format, $base_snapshot, $with_snapshots) = @_;
    die "joviandss cannot $what a volume together with its snapshots (only the current data or"
        . " one snapshot, format $FORMAT)\n" if $with_snapshots;
    die "joviandss cannot $what an incremental stream (base snapshot '$base_snapshot')\n"
        if defined($base_snapshot);
    die "volume $what format '" . ($format // '') . "' not available for joviandss (only $FORMAT)\n"
        if !defined($format) || $format ne $FORMAT;
}

# One line from any error (jdssc's errors already are one line).
sub one_line {
    my ($err) = @_;
    my $s = "$err";
    $s =~ s/\s*\n\s*/; /g;
    $s =~ s/[;\s]+$//;
    return $s;
}

sub volume_export {
    my ($class, $scfg, $storeid, $fh, $volname, $format, $snapshot, $base_snapshot, $with_snapshots) = @_;
    check_request('export', $format, $base_snapshot, $with_snapshots);
    my (undef, $name) = $class->parse_volname($volname);
    my $snap = defined($snapshot) && $snapshot ne '' ? $snapshot : undef;
    my $what = "'$storeid:$volname'" . (defined($snap) ? " snapshot '$snap'" : '');
    my $size = array_size($scfg, $storeid, $name, $snap, $what);
    my $was_active = active_here($scfg, $storeid, $name, $snap);
    my $ok = eval {
        local $SIG{PIPE} = 'IGNORE'; # a receiver gone is an EPIPE error here, then cleaned up
        local @SIG{qw(INT TERM HUP)} = (sub { die "interrupted by signal SIG$_[0]\n" }) x 3;
        my $dev = activate($scfg, $storeid, $name, $snap, $size);
        sysopen(my $in, $dev, O_RDONLY) or die "cannot open $dev: $!\n";
        write_all($fh, pack('Q<', $size), 'the stream');
        copy($in, $dev, $fh, 'the stream', $size, 0);
        close($in);
        1;
    };
    my $err = $@;
    if (!$was_active) {
        eval { deactivate($scfg, $storeid, $name, $snap) };
        if (my $e = $@) {
            $err = $ok ? $e : "$err (and deactivating it failed: " . one_line($e) . ")";
            $ok = 0;
        }
    }
    die "export of $what failed: " . one_line($err) . "\n" if !$ok;
    return;
}

sub volume_import {
    my ($class, $scfg, $storeid, $fh, $volname, $format, $snapshot, $base_snapshot, $with_snapshots,
        $allow_rename) = @_;
    check_request('import', $format, $base_snapshot, $with_snapshots);
    my ($vtype, $name, $vmid, undef, undef, $isBase) = $class->parse_volname($volname);
    die "joviandss cannot import volumes of type '$vtype'\n" if $vtype ne 'images';
    my $header = read_exactly($fh, 8);
    die "import of '$storeid:$name': the stream has no size header (" . length($header) . " of 8 bytes)\n"
        if length($header) < 8;
    my $size = unpack('Q<', $header);
    die "import of '$storeid:$name': the stream announces an empty volume\n" if !$size;

    my $new = create($scfg, $storeid, $name, $vmid, $isBase, $size, $allow_rename);
    my $ok = eval {
        local $SIG{PIPE} = 'IGNORE';
        local @SIG{qw(INT TERM HUP)} = (sub { die "interrupted by signal SIG$_[0]\n" }) x 3;
        my $dev = activate($scfg, $storeid, $new, undef, $size);
        sysopen(my $out, $dev, O_WRONLY) or die "cannot open $dev for writing: $!\n";
        copy($fh, 'the stream', $out, $dev, $size, 1);
        die "the stream carries more than the $size bytes its header announced\n"
            if length(read_exactly($fh, 1));
        $out->sync() or die "cannot flush $dev: $!\n";
        close($out) or die "cannot close $dev: $!\n";
        deactivate($scfg, $storeid, $new, undef);
        1;
    };
    if (!$ok) {
        my $err = $@;
        my @left;
        eval { deactivate($scfg, $storeid, $new, undef) if active_here($scfg, $storeid, $new, '*'); 1 }
            or push @left, 'deactivating it failed: ' . one_line($@);
        eval {
            ignore_exit(sub { jdssc($scfg, $storeid, ['volume', 'delete', $new, '--cascade'], timeout => T_LOCKED) }, 3);
            1;
        } or push @left, "deleting it failed (remove '$storeid:$new' by hand): " . one_line($@);
        die "import into '$storeid:$new' failed: " . one_line($err) . (@left ? ' (' . join('; ', @left) . ')' : '') . "\n";
    }
    return "$storeid:$new";
}

# ---- pieces ------------------------------------------------------------------------------

# Bytes of the volume (`volume get`), or of the volume as the snapshot holds it
# (`snapshot list --size`).
sub array_size {
    my ($scfg, $storeid, $name, $snap, $what) = @_;
    my $size;
    if (defined($snap)) {
        my $r = jdssc($scfg, $storeid, ['snapshot', 'list', $name, '--size'], timeout => T_READ, quiet => 1);
        my ($s) = grep { ($_->{name} // '') eq $snap } @{ $r->{snapshots} // [] };
        die "export of $what: no such snapshot\n" if !$s;
        $size = $s->{size};
    } else {
        $size = jdssc($scfg, $storeid, ['volume', 'get', $name], timeout => T_READ, quiet => 1)->{size};
    }
    die "export of $what: the array reports no size\n" if !defined($size) || $size !~ /^\d+$/ || !$size;
    return $size + 0;
}

# Activates the volume or snapshot here; its device (untainted), at least $size bytes large.
sub activate {
    my ($scfg, $storeid, $name, $snap, $size) = @_;
    my $r = jdssc($scfg, $storeid, ['login', 'activate', $name, snap_args($snap)], timeout => T_HOST);
    my ($dev) = ($r->{device} // '') =~ m!^(/[\w./:@+-]+)$! or die "jdssc named no usable device for $name\n";
    die "the device $dev shows $r->{sizeBytes} bytes, fewer than the $size of the volume\n"
        if defined($r->{sizeBytes}) && $r->{sizeBytes} =~ /^\d+$/ && $r->{sizeBytes} < $size;
    warn "$name is active without all its paths\n" if $r->{degraded};
    return $dev;
}

# A snapshot always goes to jdssc (its export on the array goes too); a volume only when this
# host has a record of it.
sub deactivate {
    my ($scfg, $storeid, $name, $snap) = @_;
    return if !defined($snap) && !active_here($scfg, $storeid, $name, undef);
    ignore_exit(sub { jdssc($scfg, $storeid, ['login', 'deactivate', $name, snap_args($snap)], timeout => T_HOST) }, 3);
}

# The new volume: under $name, or (taken, with $allow_rename) under the first free name of $vmid.
sub create {
    my ($scfg, $storeid, $name, $vmid, $isBase, $size, $allow_rename) = @_;
    my @args = ('--size', $size, thin_args($scfg));
    push @args, '--block-size', uc($scfg->{block_size}) if $scfg->{block_size};
    my $r = eval { jdssc($scfg, $storeid, ['volume', 'create', $name, @args], timeout => T_LOCKED) };
    if (my $err = $@) {
        die $err if (jdssc_exit($err) // -1) != 4;
        die "volume '$storeid:$name' already exists\n" if !$allow_rename;
        warn "volume '$storeid:$name' already exists - importing with a different name\n";
        $r = jdssc($scfg, $storeid, ['volume', 'create', '--vmid', $vmid, ($isBase ? '--base' : ()), @args],
            timeout => T_LOCKED);
    }
    my ($new) = ($r->{name} // '') =~ /^((?:vm|base)-\d+-[^\/\s]+)$/
        or die "jdssc volume create answered no usable name\n";
    return $new;
}

# Up to $n bytes (fewer only at the end of the stream).
sub read_exactly {
    my ($fh, $n) = @_;
    my $buf = '';
    while (length($buf) < $n) {
        my $got = sysread($fh, $buf, $n - length($buf), length($buf));
        if (!defined($got)) {
            next if $!{EINTR};
            die "cannot read the stream: $!\n";
        }
        last if !$got;
    }
    return $buf;
}

sub write_all {
    my ($fh, $data, $label) = @_;
    my $off = 0;
    while ($off < length($data)) {
        my $n = syswrite($fh, $data, length($data) - $off, $off);
        if (!defined($n)) {
            next if $!{EINTR};
            die "cannot write to $label: $!\n";
        }
        $off += $n;
    }
}

# Copies exactly $size bytes from $in to $out; with $sparse, runs of all-zero $ZERO_BLOCK
# blocks are skipped (seek) instead of written.
sub copy {
    my ($in, $in_label, $out, $out_label, $size, $sparse) = @_;
    my $zero = "\0" x $ZERO_BLOCK;
    my ($done, $pos, $t0) = (0, 0, Time::HiRes::time());
    my $next_report = $t0 + 10;
    while ($done < $size) {
        my $want = $size - $done < $BUFFER ? $size - $done : $BUFFER;
        my $buf = read_exactly($in, $want);
        die "$in_label ended after " . ($done + length($buf)) . " of $size bytes\n" if length($buf) < $want;
        if (!$sparse) {
            write_all($out, $buf, $out_label);
        } else {
            for (my $o = 0; $o < $want;) {
                my $len = $want - $o < $ZERO_BLOCK ? $want - $o : $ZERO_BLOCK;
                if (substr($buf, $o, $len) eq ($len == $ZERO_BLOCK ? $zero : substr($zero, 0, $len))) {
                    $o += $len;
                    next;
                }
                my $end = $o + $len; # a run of blocks that are not all zero: one write
                while ($end < $want) {
                    my $l = $want - $end < $ZERO_BLOCK ? $want - $end : $ZERO_BLOCK;
                    last if substr($buf, $end, $l) eq ($l == $ZERO_BLOCK ? $zero : substr($zero, 0, $l));
                    $end += $l;
                }
                my $at = $done + $o;
                if ($pos != $at) {
                    sysseek($out, $at, 0) // die "cannot seek in $out_label: $!\n";
                }
                write_all($out, substr($buf, $o, $end - $o), $out_label);
                $pos = $done + $end;
                $o = $end;
            }
        }
        $done += $want;
        if ($PROGRESS && (my $now = Time::HiRes::time()) >= $next_report) {
            progress($done, $now - $t0);
            $next_report = $now + 10;
        }
    }
    progress($done, Time::HiRes::time() - $t0) if $PROGRESS;
}

# The shape of dd's status=progress line (PVE's migration log picks those out).
sub progress {
    my ($bytes, $secs) = @_;
    printf STDERR "%d bytes (%.1f GB, %.1f GiB) copied, %d s, %.1f MB/s\n", $bytes, $bytes / 1e9,
        $bytes / 2**30, $secs, $secs > 0 ? $bytes / 1e6 / $secs : 0;
}

1;
