package PVE::Storage::Custom::JovianDSSPlugin;

# Proxmox VE storage plugin for Open-E JovianDSS (storage.cfg type `joviandss`).
#
# Deliberately thin: every method is one or two calls of the `jdssc` CLI, which prints one JSON
# document with --json and exits with a documented code (3 not found, 4 exists, 5 busy, 6
# unreachable, ...). Naming, cluster prefixes, REST failover, iSCSI and multipath all live in
# jdssc. Secrets live in /etc/pve/priv/storage/<storeid>.pw and only that path goes on argv.
# Running jdssc: JovianDSS/Cli.pm; the password file: JovianDSS/Secrets.pm.

use strict;
use warnings;

use POSIX qw(ceil);

use PVE::Storage::Plugin;
use PVE::Storage::Custom::JovianDSS::Cli qw(
    T_STATUS T_READ T_LOCKED T_WRITE T_HOST lock_budget
    jdssc jdssc_exit ignore_exit snap_args thin_args rename_unused
    active_here local_device force_args guest_here
);
use PVE::Storage::Custom::JovianDSS::Transfer ();
use PVE::Storage::Custom::JovianDSS::Secrets qw(
    secrets_for_add write_secrets update_secrets update_secrets_deleting remove_password_file
);

use base qw(PVE::Storage::Plugin);

# A JovianDSS pool is one storage seen by every node: let PVE treat `joviandss` as shared.
push @PVE::Storage::Plugin::SHARED_STORAGE, 'joviandss'
    if !grep { $_ eq 'joviandss' } @PVE::Storage::Plugin::SHARED_STORAGE;

my $MIN_API = 9;
my $MAX_API = 15;

sub api {
    my $get = PVE::Storage->can('APIVER');
    my $host = $get ? $get->() : $MAX_API;
    return $host < $MIN_API ? $MIN_API : $host > $MAX_API ? $MAX_API : $host;
}

sub type { return 'joviandss' }

sub plugindata {
    return {
        content => [{ images => 1, rootdir => 1, none => 1 }, { images => 1, rootdir => 1 }],
        format => [{ raw => 1 }, 'raw'],
        'sensitive-properties' => { user_password => 1, chap_user_password => 1 },
    };
}

my $IP_LIST = '[0-9A-Fa-f.:]+(?:\s*,\s*[0-9A-Fa-f.:]+)*';
# The same rules jdssc applies (src/config/values.ts), so that storage.cfg refuses what every
# jdssc call would. PVE matches m/^$pattern$/ (no group): no top-level '|' in a pattern. jdssc
# drops one trailing ':' of an IQN prefix before checking it.
my $IQN_PREFIX = 'iqn\.\d{4}-\d{2}\.[a-z0-9][a-z0-9.-]*(?!::$)(?::[a-z0-9.:-]+)?:?';
my $CHAP_USER = '[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?';
my $CHAP_SECRET = '[A-Za-z0-9_!@%()+?.:;-]+';

sub properties {
    my $bool = sub { return { type => 'boolean', description => $_[0], default => $_[1] } };
    my $file = sub { return { type => 'string', format => 'pve-storage-path', description => $_[0] } };
    my $port = sub { return { type => 'integer', minimum => 1, maximum => 65535, default => $_[0], description => $_[1] } };
    return {
        pool_name => { type => 'string', pattern => '[A-Za-z0-9][A-Za-z0-9_.:-]*', maxLength => 128,
            description => 'JovianDSS pool that holds the volumes.' },
        config => $file->('Optional jdssc YAML file (passed with -c); storage.cfg values win.'),
        user_name => { type => 'string', pattern => '\S+', maxLength => 128, default => 'admin',
            description => 'JovianDSS REST user.' },
        user_password => { type => 'string', maxLength => 1024,
            description => 'JovianDSS REST password (kept in /etc/pve/priv/storage/<storage>.pw).' },
        control_addresses => { type => 'string', pattern => $IP_LIST,
            description => 'REST addresses, comma-separated, tried in order (default: data_addresses).' },
        data_addresses => { type => 'string', pattern => $IP_LIST,
            description => 'iSCSI portal addresses (virtual IPs of the pool), comma-separated.' },
        control_port => $port->(82, 'REST port (HTTPS).'),
        data_port => $port->(3260, 'iSCSI port.'),
        target_prefix => { type => 'string', pattern => $IQN_PREFIX, maxLength => 200,
            default => 'iqn.2025-04.proxmox.joviandss.iscsi:',
            description => 'IQN prefix of the targets of this storage (unique per storage).' },
        luns_per_target => { type => 'integer', minimum => 1, maximum => 255, default => 8,
            description => 'LUNs per target before a VM gets another target.' },
        block_size => { type => 'string', pattern => '(?:(?:4|8|16|32|64|128|256|512)[kK]|1[mM])',
            default => '16K', description => 'Block size of new volumes.' },
        thin_provisioning => $bool->('Create thin (sparse) volumes.', 1),
        multipath => $bool->('Use dm-multipath devices on the hosts.', 0),
        ssl_cert_verify => $bool->('Verify the appliance TLS certificate.', 1),
        jdss_ssl_ca_file => $file->('CA bundle (PEM) that signed the appliance certificate.'),
        chap_enabled => $bool->('Require CHAP on the iSCSI targets.', 0),
        chap_user_name => { type => 'string', pattern => $CHAP_USER, maxLength => 255,
            description => "CHAP user name: letters, digits, '_' and '-' ('-' not first or last)." },
        chap_user_password => { type => 'string', pattern => $CHAP_SECRET, minLength => 12, maxLength => 255,
            description => 'CHAP secret, 12-255 characters from A-Z a-z 0-9 - _ ! @ % ( ) + ? . : ; (kept in the .pw file).' },
        cluster_prefix => { type => 'string', pattern => '[a-zA-Z][a-zA-Z0-9]*', maxLength => 64,
            description => 'Keeps the volumes of several Proxmox clusters apart on one pool.' },
        jdss_debug => $bool->('Log jdssc at debug level.', 0),
        log_file => $file->('jdssc log file (created 0600, secrets redacted).'),
    };
}

# No `path`: it only switches PVE into file-style code for this storage (volnames
# `<vmid>/<name>.raw` on migration, path-to-volume mapping); nothing of ours lives in a folder.
# create-base-path, create-subdirs and content-dirs are PVE's own (declared by its dir-style
# plugins) and accepted, so that sections written for Open-E's plugin parse without a warning;
# they do nothing here. Open-E's own keys (debug, jdssc_timeout, delete_timeout, data_copy_bs,
# the lock tuning keys) are NOT declared: a property name declared by two plugins stops every
# storage on the node ("duplicate property"; `debug` is already TrueNAS's), while an unknown key
# only costs a parse warning and is ignored.
sub options {
    my %opt = map { $_ => { optional => 1 } } qw(
        config user_name user_password control_addresses control_port data_port target_prefix
        luns_per_target block_size thin_provisioning multipath ssl_cert_verify jdss_ssl_ca_file
        chap_enabled chap_user_name chap_user_password jdss_debug log_file
        content shared disable nodes create-base-path create-subdirs content-dirs
    );
    $opt{pool_name} = { fixed => 1 };
    $opt{data_addresses} = {};
    $opt{cluster_prefix} = { optional => 1, fixed => 1 };
    return \%opt;
}

# ---- hooks (storage.cfg add / set / remove) -----------------------------------------------

sub on_add_hook {
    my ($class, $storeid, $scfg, %sensitive) = @_;
    # The password may come with `pvesm add … --user_password`, or from a password file the
    # admin wrote beforehand (mode 0600), which keeps it off every command line.
    my ($secrets, $prepared) = secrets_for_add($storeid, 'joviandss', %sensitive);
    die "chap_enabled needs chap_user_name and chap_user_password\n"
        if $scfg->{chap_enabled} && (!$scfg->{chap_user_name} || !defined($secrets->{chap_user_password}));
    write_secrets($storeid, $secrets, 1);
    if (!$scfg->{disable}) { # fail now, not at the first disk operation (wrong pool, password, CA)
        eval { jdssc($scfg, $storeid, ['pool', 'stats'], timeout => T_READ, quiet => 1) };
        if (my $err = $@) {
            remove_password_file($storeid) if !$prepared;
            die "storage '$storeid': $err";
        }
    }
    return undef;
}

sub on_update_hook {
    my ($class, $storeid, $scfg, %sensitive) = @_;
    update_secrets($storeid, \%sensitive);
    return undef;
}

sub on_update_hook_full {
    my ($class, $storeid, $scfg, $update, $delete, $sensitive) = @_;
    update_secrets_deleting($storeid, $sensitive, $delete);
    return undef;
}

sub on_delete_hook {
    my ($class, $storeid, $scfg) = @_;
    remove_password_file($storeid);
    return undef;
}

# ---- volumes -------------------------------------------------------------------------------

# `vm-<vmid>-…` / `base-<vmid>-…`; a linked clone of a template is `base-<vmid>-…/vm-<vmid2>-…`
# (as on LVM-thin, RBD and ZFS: PVE's "base still in use" check reads the base from it). The
# array name is the part after the '/'; that the clone hangs off the base is recorded by the
# array itself (the clone's origin), so the prefix is rebuilt from it by list_images. Also PVE's
# dir-style import form `<vmid>/<name>[.raw]`.
sub parse_volname {
    my ($class, $volname) = @_;
    if ($volname =~ m!^(?:(base-(\d+)-[^/\s]+)/|\d+/)?((vm|base)-(\d+)-[^/\s]+?)(?:\.raw)?$!) {
        my ($basename, $basevmid, $name, $kind, $vmid) = ($1, $2, $3, $4, $5);
        die "joviandss stores raw volumes only, not '$volname'\n"
            if $name =~ /\.(?:qcow2|vmdk|subvol|qed)$/;
        return ('images', $name, $vmid, $basename, $basevmid, $kind eq 'base' ? 1 : undef, 'raw');
    }
    die "unable to parse joviandss volume name '$volname'\n";
}

# The volname PVE sees for an array volume: `<base>/<name>` when it is a clone of a template.
sub volname_of {
    my ($v) = @_;
    my $o = ref($v->{origin}) eq 'HASH' ? $v->{origin}->{volume} : undef;
    return defined($o) && $o =~ /^base-\d+-[^\/\s]+$/ ? "$o/$v->{name}" : $v->{name};
}

# Proxmox asks for paths all the time, of inactive volumes too and on its destroy paths: this
# host's LUN record answers without a process (read here as `jdssc login status` reads it);
# else one quick REST round gives the WWID path the volume will get. When the array cannot say
# (unreachable, volume gone) the answer is a placeholder that never exists, instead of an error.
sub path {
    my ($class, $scfg, $volname, $storeid, $snapname) = @_;
    my ($vtype, $name, $vmid) = $class->parse_volname($volname);
    my $dev = local_device($scfg, $storeid, $name, $snapname);
    return wantarray ? ($dev, $vmid, $vtype) : $dev if defined($dev);
    my $st = device_status($scfg, $storeid, $name, $snapname);
    my $path = $st && $st->{device} ? $st->{device} : placeholder_path($storeid, $name, $snapname);
    return wantarray ? ($path, $vmid, $vtype) : $path;
}

# `jdssc login status` in a budget fit for path(): undef when the array cannot answer.
sub device_status {
    my ($scfg, $storeid, $name, $snapname) = @_;
    my ($st) = eval {
        jdssc($scfg, $storeid, ['--attempts', '1', '--connect-timeout', '2', 'login', 'status', $name,
            snap_args($snapname)], timeout => T_STATUS, quiet => 1);
    };
    if (my $err = $@) {
        my $exit = jdssc_exit($err) // -1;
        die $err if $exit != 3 && $exit != 6; # only "gone" and "unreachable" are expected here
        return undef;
    }
    return $st;
}

sub placeholder_path {
    my ($storeid, $name, $snapname) = @_;
    return "/dev/jdssc/$storeid/$name" . (defined($snapname) && $snapname ne '' ? "\@$snapname" : '');
}

sub qemu_blockdev_options {
    my ($class, $scfg, $storeid, $volname, $machine_version, $options) = @_;
    my (undef, $name) = $class->parse_volname($volname);
    my $snap = $options->{'snapshot-name'};
    my $dev = local_device($scfg, $storeid, $name, $snap);
    return { driver => 'host_device', filename => $dev } if defined($dev);
    my $st = jdssc($scfg, $storeid, ['login', 'status', $name, snap_args($snap)], timeout => T_READ, quiet => 1);
    die "snapshot '$snap' of '$storeid:$volname' is not active on this host (activate_volume first)\n"
        if defined($snap) && $snap ne '' && !$st->{active};
    die "no device known for '$storeid:$volname'\n" if !$st->{device};
    return { driver => 'host_device', filename => $st->{device} };
}

# A filesystem inside the guest (container mount points) is frozen for the array snapshot.
sub volume_snapshot_needs_fsfreeze { return 1 }

sub volume_qemu_snapshot_method { return 'storage' }

sub alloc_image {
    my ($class, $storeid, $scfg, $vmid, $fmt, $name, $size) = @_;
    local $PVE::Storage::Custom::JovianDSS::Cli::LOCK_DEADLINE = lock_budget();
    die "unsupported format '$fmt': joviandss stores raw volumes only\n"
        if defined($fmt) && $fmt ne 'raw';
    die "invalid size '" . ($size // '') . "'\n" if !defined($size) || $size !~ /^\d+(?:\.\d+)?$/;
    my @args = ('--size', ceil($size || 1) * 1024, thin_args($scfg)); # PVE gives KiB
    push @args, '--block-size', uc($scfg->{block_size}) if $scfg->{block_size};
    if (defined($name) && $name ne '') {
        my (undef, $n, $owner) = $class->parse_volname($name);
        die "illegal name '$name' - should be 'vm-$vmid-*'\n" if $owner != $vmid;
        jdssc($scfg, $storeid, ['volume', 'create', $n, @args], timeout => T_LOCKED);
        return $n;
    }
    # one process: jdssc picks the first free vm-<vmid>-disk-N itself, and the next one when
    # another node created that name meanwhile (the array refuses a taken name)
    return jdssc($scfg, $storeid, ['volume', 'create', '--vmid', $vmid, @args], timeout => T_LOCKED)->{name};
}

# PVE's storage lock, as PVE::Storage::Plugin takes it; the plugin only notes that its body
# runs under it (free_image defers its host work then).
our $UNDER_STORAGE_LOCK;

sub cluster_lock_storage {
    my ($class, $storeid, $shared, $timeout, $func, @param) = @_;
    return $class->SUPER::cluster_lock_storage($storeid, $shared, $timeout, sub {
        local $UNDER_STORAGE_LOCK = 1;
        return $func->(@_);
    }, @param);
}

# Never deletes a volume whose devices on this host could not be torn down first. A volume
# with nothing active here (the common case: Proxmox deactivates a stopped guest's disks) is
# one jdssc process of array requests, run in place. One active here needs a host teardown,
# which can wait for the device to go idle: under PVE's storage lock (vdisk_free) that part
# and the delete after it are returned as PVE's cleanup worker, which vdisk_free runs after
# the lock is released (a task of its own in pvedaemon, in place for the CLI). The volume
# keeps its name on the array until the worker deletes it, so no alloc can hand that name out
# meanwhile: a free name is picked past it, and an explicit alloc of it is refused (exit 4)
# until it is gone. A worker that fails dies saying the volume was NOT deleted (the task log
# shows it); the volume is then still there, under its name, for a retry or `jdssc cleanup`.
sub free_image {
    my ($class, $storeid, $scfg, $volname, $isBase, $format) = @_;
    my (undef, $name, $vmid) = $class->parse_volname($volname);
    my @force = force_args($vmid);
    my $delete = sub {
        my @gone = ignore_exit(sub {
            jdssc($scfg, $storeid, ['volume', 'delete', $name, '--cascade', @force], timeout => $_[0]);
        }, 3);
        warn "volume '$storeid:$volname' was already gone from the pool\n" if !@gone;
    };
    if (!active_here($scfg, $storeid, $name, '*')) { # nothing to tear down: no process for it
        local $PVE::Storage::Custom::JovianDSS::Cli::LOCK_DEADLINE =
            $UNDER_STORAGE_LOCK ? lock_budget() : $PVE::Storage::Custom::JovianDSS::Cli::LOCK_DEADLINE;
        $delete->($UNDER_STORAGE_LOCK ? T_LOCKED : T_WRITE);
        return undef;
    }
    my $work = sub {
        ignore_exit(sub { jdssc($scfg, $storeid, ['login', 'deactivate', $name, @force], timeout => T_HOST) }, 3);
        $delete->(T_WRITE);
    };
    if (!$UNDER_STORAGE_LOCK) {
        $work->();
        return undef;
    }
    return sub {
        local $PVE::Storage::Custom::JovianDSS::Cli::LOCK_DEADLINE = undef;
        eval { $work->() };
        die "volume '$storeid:$volname' was NOT deleted: $@" if $@;
        print "removed volume '$storeid:$volname'\n";
    };
}

sub list_images {
    my ($class, $storeid, $scfg, $vmid, $vollist, $cache) = @_;
    my @filter = defined($vmid) && !$vollist ? ('--vmid', $vmid) : ();
    my $vols = jdssc($scfg, $storeid, ['volume', 'list', @filter], timeout => T_READ, quiet => 1);
    # a $vollist entry matches by array name, and keeps the form it was asked for (a VM config
    # may name a linked clone without its base- prefix)
    my %want;
    for my $volid (@{ $vollist // [] }) {
        my ($sid, $volname) = $volid =~ m!^([^:]+):(.+)$! or next;
        next if $sid ne $storeid;
        my (undef, $name) = eval { $class->parse_volname($volname) } or next;
        $want{$name} = $volid;
    }
    my @res;
    for my $v (@{ $vols->{volumes} // [] }) {
        next if !defined($v->{vmid});
        next if $vollist ? !$want{ $v->{name} } : defined($vmid) && $v->{vmid} != $vmid;
        my $volname = volname_of($v);
        my ($parent) = $volname =~ m!^([^/]+)/!;
        push @res, { volid => $vollist ? $want{ $v->{name} } : "$storeid:$volname", format => 'raw',
            size => $v->{size}, vmid => $v->{vmid}, ctime => $v->{creation},
            (defined($parent) ? (parent => $parent) : ()) };
    }
    return \@res;
}

sub status {
    my ($class, $storeid, $scfg, $cache) = @_;
    # pvestatd polls every storage in turn every 10 s: one round over the addresses, short
    # connect timeout, so a down appliance costs a moment, not the whole budget, each cycle.
    # --max-age: an answer up to 10 s old from the status cache every node's pvestatd shares
    # (/run) serves most polls without a request to the array.
    my $s = eval {
        jdssc($scfg, $storeid, ['--attempts', '1', '--connect-timeout', '2', 'pool', 'stats', '--max-age', '10'],
            timeout => T_STATUS, quiet => 1);
    };
    return (0, 0, 0, 0) if !$s;
    return ($s->{total}, $s->{free}, $s->{used}, 1);
}

sub get_identity {
    my ($class, $scfg, $storeid) = @_;
    my $s = jdssc($scfg, $storeid, ['pool', 'stats'], timeout => T_READ, quiet => 1);
    return "$s->{name}-$s->{id}";
}

# No REST here: activation of the storage is per volume (activate_volume).
sub activate_storage { return 1 }
sub deactivate_storage { return 1 }

sub activate_volume {
    my ($class, $storeid, $scfg, $volname, $snapname, $cache, $hints) = @_;
    my (undef, $name) = $class->parse_volname($volname);
    my $r = jdssc($scfg, $storeid, ['login', 'activate', $name, snap_args($snapname)], timeout => T_HOST);
    if ($r->{degraded}) {
        my @bad = map { "$_->{address}" . ($_->{error} ? " ($_->{error})" : '') }
            grep { !$_->{ok} } @{ $r->{portals} // [] };
        warn "volume '$storeid:$volname' is active without all its paths: @bad\n";
    }
    # jdssc answered from this host's LUN record (REST away, iSCSI data still flowing): the task
    # log says so, since nothing on the array was checked or changed
    warn "volume '$storeid:$volname': the array did not answer; using it as active on this host\n"
        if ($r->{answeredBy} // '') eq 'host-record';
    return 1;
}

# A volume not active here (no record of it or of its snapshots) has nothing to tear down: no
# process. A snapshot always goes to jdssc: its export is also removed on the array.
sub deactivate_volume {
    my ($class, $storeid, $scfg, $volname, $snapname, $cache) = @_;
    my (undef, $name) = $class->parse_volname($volname);
    return 1 if (!defined($snapname) || $snapname eq '') && !active_here($scfg, $storeid, $name, '*');
    jdssc($scfg, $storeid, ['login', 'deactivate', $name, snap_args($snapname)], timeout => T_HOST);
    return 1;
}

sub volume_size_info {
    my ($class, $scfg, $storeid, $volname, $timeout) = @_;
    my (undef, $name) = $class->parse_volname($volname);
    my $t = $timeout ? ($timeout > T_STATUS ? int($timeout) : T_STATUS) : T_READ;
    my $v = jdssc($scfg, $storeid, ['volume', 'get', $name], timeout => $t, quiet => 1);
    my $parent = ref($v->{origin}) eq 'HASH' ? $v->{origin}->{volume} : undef;
    return wantarray ? ($v->{size}, 'raw', $v->{size}, $parent, $v->{creation}) : $v->{size};
}

sub volume_resize {
    my ($class, $scfg, $storeid, $volname, $size, $running, $snapname) = @_;
    die "joviandss cannot resize a snapshot\n" if defined($snapname) && $snapname ne '';
    my (undef, $name) = $class->parse_volname($volname);
    # bytes; --rescan when this host's records show it active: the same process then rescans
    # its paths (a volume not active here needs no host work, and jdssc reads no host state)
    my @rescan = active_here($scfg, $storeid, $name, undef) ? ('--rescan') : ();
    jdssc($scfg, $storeid, ['volume', 'resize', $name, '--size', $size, @rescan], timeout => @rescan ? T_HOST : T_WRITE);
    return undef;
}

# Every path and the map of a volume active on this host show its size on the array (QEMU's
# block_resize follows a resize of a running VM; a stopped VM's volume may still be active,
# e.g. for a backup or a container mount). Not active here (no record, or exit 3): nothing to do.
sub rescan_if_active {
    my ($scfg, $storeid, $name) = @_;
    return if !active_here($scfg, $storeid, $name, undef);
    ignore_exit(sub { jdssc($scfg, $storeid, ['login', 'rescan', $name], timeout => T_HOST) }, 3);
}

my $FEATURES = {
    snapshot => { base => 1, current => 1, snap => 1 },
    clone => { base => 1, current => 1, snap => 1 },
    template => { current => 1 },
    copy => { base => 1, current => 1, snap => 1 },
    sparseinit => { base => 1, current => 1 },
    rename => { current => 1 },
};

# 'template' is asked by qemu-server's and pve-container's template_create right before each
# vdisk_create_base, outside the storage lock, for a guest that is stopped (checked there) and
# under its config lock. A disk of a guest of this node about to become a template has its
# devices on this host torn down here, so that create_base's rename under the lock is array
# work only. Anything that fails here is left to create_base, which tears down again itself.
sub volume_has_feature {
    my ($class, $scfg, $feature, $storeid, $volname, $snapname, $running, $opts) = @_;
    my (undef, $name, $vmid, undef, undef, $isBase) = $class->parse_volname($volname);
    my $key = $snapname ? 'snap' : $isBase ? 'base' : 'current';
    my $has = $FEATURES->{$feature}->{$key} ? 1 : undef;
    if ($has && $feature eq 'template' && !$running && guest_here($vmid)
        && active_here($scfg, $storeid, $name, '*')) {
        eval { jdssc($scfg, $storeid, ['login', 'deactivate', $name, '--force'], timeout => T_READ) };
        warn "teardown of '$storeid:$volname' before the template conversion: $@" if $@ && (jdssc_exit($@) // -1) != 3;
    }
    return $has;
}

sub clone_image {
    my ($class, $scfg, $storeid, $volname, $vmid, $snap) = @_;
    local $PVE::Storage::Custom::JovianDSS::Cli::LOCK_DEADLINE = lock_budget();
    my (undef, $src, undef, undef, undef, $isBase) = $class->parse_volname($volname);
    my @args = (snap_args($snap), thin_args($scfg));
    my $new = jdssc($scfg, $storeid, ['volume', 'clone', $src, '--vmid', $vmid, @args], timeout => T_LOCKED)->{name};
    return $isBase ? "$src/$new" : $new;
}

sub create_base {
    my ($class, $storeid, $scfg, $volname) = @_;
    local $PVE::Storage::Custom::JovianDSS::Cli::LOCK_DEADLINE = lock_budget();
    my (undef, $name, $vmid, $basename, undef, $isBase) = $class->parse_volname($volname);
    die "create_base not possible with base image\n" if $isBase;
    # Keep the disk number (vm-100-disk-1 -> base-100-disk-1) like Proxmox's own plugins; only
    # when that name is taken does the template get the next free base- name. --force for a
    # guest of this node: another node's leftover session cannot stop `qm template` half-way.
    (my $wanted = $name) =~ s/^vm-/base-/;
    my $new = rename_unused($scfg, $storeid, $name, $vmid, 1, $wanted eq $name ? undef : $wanted, 1,
        force_args($vmid));
    return defined($basename) ? "$basename/$new" : $new;
}

sub rename_volume {
    my ($class, $scfg, $storeid, $source_volname, $target_vmid, $target_volname) = @_;
    local $PVE::Storage::Custom::JovianDSS::Cli::LOCK_DEADLINE = lock_budget();
    my (undef, $name, $vmid, $basename, undef, $isBase) = $class->parse_volname($source_volname);
    if (defined($target_volname) && $target_volname ne '') {
        (undef, $target_volname) = $class->parse_volname($target_volname);
    } else {
        $target_volname = undef;
    }
    # A disk of this host that is still active is torn down by this process under the storage
    # lock (PVE asks 'rename' before it checks whether the VM runs: no teardown can come first).
    my $new = rename_unused($scfg, $storeid, $name, $target_vmid, $isBase, $target_volname, undef,
        force_args($vmid));
    return defined($basename) ? "$storeid:$basename/$new" : "$storeid:$new";
}

# ---- snapshots -----------------------------------------------------------------------------

sub volume_snapshot {
    my ($class, $scfg, $storeid, $volname, $snap) = @_;
    my (undef, $name) = $class->parse_volname($volname);
    jdssc($scfg, $storeid, ['snapshot', 'create', $name, $snap]);
    return undef;
}

sub volume_snapshot_delete {
    my ($class, $scfg, $storeid, $volname, $snap, $running) = @_;
    my (undef, $name, $vmid) = $class->parse_volname($volname);
    my @force = force_args($vmid);
    # a snapshot exported to this host (e.g. for a backup) goes first; its export on the array,
    # whoever made it, is removed by `snapshot delete` itself (export clones first) — with
    # --force for a guest of this node, whose snapshot another node cannot be using
    jdssc($scfg, $storeid, ['login', 'deactivate', $name, '--snapshot', $snap, @force], timeout => T_HOST)
        if active_here($scfg, $storeid, $name, $snap);
    jdssc($scfg, $storeid, ['snapshot', 'delete', $name, $snap, '--if-exists', @force]);
    return undef;
}

# PVE::Storage::volume_snapshot_rollback asks this again (without $blockers) right before the
# rollback, after qemu-server / pve-container asked in their prepare step. A "possible" from
# this process in the last 120 s answers that second question once, without a jdssc process:
# the rollback itself checks again on the array and refuses (exit 5, naming the blockers) if
# anything changed, so a stale "possible" can never destroy a snapshot. A question with
# $blockers (a prepare step, which decides whether any disk is rolled back) always asks the
# array, and a refusal is never remembered.
my %ROLLBACK_OK;
my $ROLLBACK_OK_SECONDS = 120;

sub volume_rollback_is_possible {
    my ($class, $scfg, $storeid, $volname, $snap, $blockers) = @_;
    my (undef, $name) = $class->parse_volname($volname);
    my $key = join("\0", $storeid, $name, $snap);
    my $at = delete $ROLLBACK_OK{$key};
    return 1 if !defined($blockers) && defined($at) && time() - $at <= $ROLLBACK_OK_SECONDS && time() >= $at;
    my $r = jdssc($scfg, $storeid, ['snapshot', 'rollback', $name, $snap, '--check'],
        timeout => T_READ, quiet => 1);
    if ($r->{possible}) {
        $ROLLBACK_OK{$key} = time();
        return 1;
    }
    my @snaps = @{ $r->{blockers}->{snapshots} // [] };
    my @clones = @{ $r->{blockers}->{clones} // [] };
    push @$blockers, @snaps, @clones if ref($blockers) eq 'ARRAY';
    my @why = ((@snaps ? "newer snapshots: @snaps" : ()), (@clones ? "dependent clones: @clones" : ()));
    die "can't rollback '$storeid:$volname' to '$snap': " . join('; ', @why) . "\n";
}

# The check above already passed; if a snapshot appeared since, jdssc refuses (exit 5).
sub volume_snapshot_rollback {
    my ($class, $scfg, $storeid, $volname, $snap) = @_;
    my (undef, $name) = $class->parse_volname($volname);
    delete $ROLLBACK_OK{ join("\0", $storeid, $name, $snap) };
    jdssc($scfg, $storeid, ['snapshot', 'rollback', $name, $snap]);
    rescan_if_active($scfg, $storeid, $name); # the rolled-back size, if it is active here
    return undef;
}

sub volume_snapshot_info {
    my ($class, $scfg, $storeid, $volname) = @_;
    my (undef, $name) = $class->parse_volname($volname);
    my ($r) = ignore_exit(sub {
        jdssc($scfg, $storeid, ['snapshot', 'list', $name], timeout => T_READ, quiet => 1);
    }, 3);
    return {} if !$r;
    return { map { $_->{name} => { id => $_->{guid}, timestamp => $_->{creation} } }
        @{ $r->{snapshots} // [] } };
}

# `pvesm export`/`pvesm import`, offline and remote migration: the raw+size stream through the
# volume's device on this host (JovianDSS/Transfer.pm).
sub volume_export_formats { return PVE::Storage::Custom::JovianDSS::Transfer::volume_export_formats(@_) }
sub volume_import_formats { return PVE::Storage::Custom::JovianDSS::Transfer::volume_import_formats(@_) }
sub volume_export { return PVE::Storage::Custom::JovianDSS::Transfer::volume_export(@_) }
sub volume_import { return PVE::Storage::Custom::JovianDSS::Transfer::volume_import(@_) }

1;
