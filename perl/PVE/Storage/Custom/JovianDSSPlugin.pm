package PVE::Storage::Custom::JovianDSSPlugin;

# Proxmox VE storage plugin for Open-E JovianDSS (storage.cfg type `joviandss`).
#
# Deliberately thin: every method is one or two calls of the `jdssc` CLI, which prints one JSON
# document with --json and exits with a documented code (3 not found, 4 exists, 5 busy, 6
# unreachable, ...). Naming, cluster prefixes, REST failover, iSCSI and multipath all live in
# jdssc. Secrets live in /etc/pve/priv/storage/<storeid>.pw and only that path goes on argv.

use strict;
use warnings;

use Fcntl qw(O_WRONLY O_CREAT O_EXCL);
use File::Path ();
use JSON::PP ();
use POSIX qw(ceil);
use Scalar::Util qw(blessed);

use PVE::Tools qw(run_command);
use PVE::Storage::Plugin;

use base qw(PVE::Storage::Plugin);

# A JovianDSS pool is one storage seen by every node: let PVE treat `joviandss` as shared.
push @PVE::Storage::Plugin::SHARED_STORAGE, 'joviandss'
    if !grep { $_ eq 'joviandss' } @PVE::Storage::Plugin::SHARED_STORAGE;

our $PRIV_DIR = '/etc/pve/priv/storage'; # tests point this at a temporary directory
our $JDSSC = '/usr/bin/jdssc'; # $ENV{JDSSC_BIN} overrides it (tests)

# Seconds given to jdssc (--timeout); run_command kills it 5 s later.
use constant { T_STATUS => 5, T_READ => 20, T_LOCKED => 30, T_WRITE => 50, T_HOST => 100 };

# PVE runs alloc, free, clone, create_base and rename under its storage lock, whose body is
# killed after 60 s: those methods set this, and every jdssc call they make fits before it.
our $LOCK_DEADLINE;
sub lock_budget { return time() + 55 }

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
        target_prefix => { type => 'string', pattern => 'iqn\.\d{4}-\d{2}\.\S+', maxLength => 200,
            default => 'iqn.2025-04.proxmox.joviandss.iscsi:',
            description => 'IQN prefix of the targets of this storage (unique per storage).' },
        luns_per_target => { type => 'integer', minimum => 1, maximum => 1024, default => 8,
            description => 'LUNs per target before a VM gets another target.' },
        block_size => { type => 'string', pattern => '(?:4|8|16|32|64|128|256|512)[kK]|1[mM]',
            default => '16K', description => 'Block size of new volumes.' },
        thin_provisioning => $bool->('Create thin (sparse) volumes.', 1),
        multipath => $bool->('Use dm-multipath devices on the hosts.', 0),
        ssl_cert_verify => $bool->('Verify the appliance TLS certificate.', 1),
        jdss_ssl_ca_file => $file->('CA bundle (PEM) that signed the appliance certificate.'),
        chap_enabled => $bool->('Require CHAP on the iSCSI targets.', 0),
        chap_user_name => { type => 'string', pattern => '\S+', maxLength => 255,
            description => 'CHAP user name.' },
        chap_user_password => { type => 'string', minLength => 12, maxLength => 255,
            description => 'CHAP secret, 12-255 characters (kept in the .pw file).' },
        cluster_prefix => { type => 'string', pattern => '[a-zA-Z][a-zA-Z0-9]*', maxLength => 64,
            description => 'Keeps the volumes of several Proxmox clusters apart on one pool.' },
        jdss_debug => $bool->('Log jdssc at debug level.', 0),
        log_file => $file->('jdssc log file (created 0600, secrets redacted).'),
    };
}

sub options {
    my %opt = map { $_ => { optional => 1 } } qw(
        config user_name user_password control_addresses control_port data_port target_prefix
        luns_per_target block_size thin_provisioning multipath ssl_cert_verify jdss_ssl_ca_file
        chap_enabled chap_user_name chap_user_password jdss_debug log_file
        content shared disable nodes path
    );
    $opt{pool_name} = { fixed => 1 };
    $opt{data_addresses} = {};
    $opt{cluster_prefix} = { optional => 1, fixed => 1 };
    return \%opt;
}

# ---- jdssc ---------------------------------------------------------------------------------

# storage.cfg key => jdssc global flag
my @VALUE_FLAGS = (
    [pool_name => '--pool'], [control_addresses => '--control-addresses'],
    [control_port => '--control-port'], [data_addresses => '--data-addresses'],
    [data_port => '--data-port'], [user_name => '--user-name'],
    [target_prefix => '--target-prefix'], [luns_per_target => '--luns-per-target'],
    [chap_user_name => '--chap-user'], [cluster_prefix => '--cluster-prefix'],
    [jdss_ssl_ca_file => '--ca-file'], [log_file => '--log-file'],
);
my @BOOL_FLAGS = (
    [chap_enabled => '--chap-enabled'], [multipath => '--multipath'],
    [ssl_cert_verify => '--ssl-cert-verify'],
);

sub password_file { return "$PRIV_DIR/$_[0].pw" }

sub jdssc_argv {
    my ($scfg, $storeid, $timeout, @args) = @_;
    my @argv = ($ENV{JDSSC_BIN} || $JDSSC);
    push @argv, '-c', $scfg->{config} if defined($scfg->{config}) && $scfg->{config} ne '';
    for my $f (@VALUE_FLAGS) {
        my $v = $scfg->{ $f->[0] };
        push @argv, $f->[1], "$v" if defined($v) && $v ne '';
    }
    for my $f (@BOOL_FLAGS) {
        push @argv, $f->[1], ($scfg->{ $f->[0] } ? 'true' : 'false') if defined($scfg->{ $f->[0] });
    }
    push @argv, '--password-file', password_file($storeid), '--storage-id', $storeid;
    push @argv, '--log-level', 'debug' if $scfg->{jdss_debug};
    return (@argv, '--json', '--timeout', $timeout, @args);
}

# Runs one jdssc command and returns its JSON answer. On failure dies with jdssc's one-line
# message as a ...::Error object (stringifies to the message; ->{exit} is jdssc's exit code).
# %opt: timeout (seconds for jdssc), quiet (do not pass jdssc's warnings on).
sub jdssc {
    my ($scfg, $storeid, $args, %opt) = @_;
    my $timeout = $opt{timeout} // T_WRITE;
    if (defined($LOCK_DEADLINE)) {
        my $left = int($LOCK_DEADLINE - time()) - 5;
        die error(6, "no time left under the storage lock for jdssc @$args[0,1]") if $left < 1;
        $timeout = $left if $timeout > $left;
    }
    my ($out, @err) = ('');
    my $rc = eval {
        run_command(
            [jdssc_argv($scfg, $storeid, $timeout, @$args)],
            timeout => $timeout + 5,
            noerr => 1,
            outfunc => sub { $out .= "$_[0]\n" },
            errfunc => sub { push @err, $_[0] },
        );
    };
    if (my $e = $@) {
        die error(6, "jdssc @$args[0,1] did not finish within " . ($timeout + 5) . " s")
            if $e =~ /got timeout/;
        die error(1, "cannot run jdssc: " . ($e =~ s/\s+$//r));
    }
    my $doc = $out =~ /\S/ ? eval { JSON::PP->new->decode($out) } : undef;
    if ($rc) {
        my $msg = ref($doc) eq 'HASH' && ref($doc->{error}) eq 'HASH' ? $doc->{error}->{message} : undef;
        ($msg) = map { s/^error:\s*//r } grep { /^error:/ } reverse @err if !defined($msg);
        die error($rc, $msg // $err[-1] // "jdssc @$args[0,1] failed with exit code $rc");
    }
    warn "$_\n" for $opt{quiet} ? () : @err;
    die error(1, "jdssc @$args[0,1] printed no JSON answer") if ref($doc) ne 'HASH';
    return $doc;
}

sub error {
    my ($exit, $message) = @_;
    return bless { exit => $exit, message => $message }, 'PVE::Storage::Custom::JovianDSSPlugin::Error';
}

# The jdssc exit code carried by an error, or undef for any other error.
sub jdssc_exit {
    my ($err) = @_;
    return blessed($err) && $err->isa('PVE::Storage::Custom::JovianDSSPlugin::Error') ? $err->{exit} : undef;
}

sub ignore_exit {
    my ($code, $exit) = @_;
    my @res = eval { $code->() };
    my $err = $@ or return @res;
    die $err if (jdssc_exit($err) // -1) != $exit;
    return;
}

sub snap_args { return defined($_[0]) && $_[0] ne '' ? ('--snapshot', $_[0]) : () }

# Picks `jdssc volume free-name` names until $code (creating the volume) stops failing with
# "already exists" (another node may take the same name between the two calls).
sub with_free_name {
    my ($scfg, $storeid, $vmid, $base, $code) = @_;
    for my $try (1 .. 5) {
        my @args = ('volume', 'free-name', '--vmid', $vmid, ($base ? '--base' : ()));
        my $name = jdssc($scfg, $storeid, \@args, timeout => T_READ)->{name};
        return $name if eval { $code->($name); 1 };
        die $@ if (jdssc_exit($@) // -1) != 4 || $try == 5;
    }
}

# ---- secrets (/etc/pve/priv/storage/<storeid>.pw, the format jdssc reads) -------------------

my @SECRETS = qw(user_password chap_user_password);

sub read_secrets {
    my ($storeid) = @_;
    my %s;
    open(my $fh, '<', password_file($storeid)) or return %s;
    while (my $line = <$fh>) {
        $s{$1} = $2 if $line =~ /^(user_password|chap_user_password)\s+(.*?)\s*$/;
    }
    return %s;
}

# $set: { key => value (store) or undef (remove) }; keys that are absent stay as they are.
sub write_secrets {
    my ($storeid, $set, $fresh) = @_;
    my %s = $fresh ? () : read_secrets($storeid);
    for my $k (grep { exists $set->{$_} } @SECRETS) {
        my $v = $set->{$k};
        die "$k must not be empty, contain line breaks or start or end with blanks\n"
            if defined($v) && ($v eq '' || $v =~ /[\r\n]/ || $v =~ /^\s|\s$/);
        if (defined($v)) { $s{$k} = $v } else { delete $s{$k} }
    }
    die "user_password is required (jdssc cannot log in without it)\n" if !defined($s{user_password});
    File::Path::make_path($PRIV_DIR, { mode => 0700 }) if !-d $PRIV_DIR;
    my $file = password_file($storeid);
    my $tmp = "$file.tmp.$$";
    my $umask = umask(077);
    my $ok = sysopen(my $fh, $tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
    umask($umask);
    die "cannot create $tmp: $!\n" if !$ok;
    print {$fh} map { "$_ $s{$_}\n" } grep { defined $s{$_} } @SECRETS;
    if (!close($fh) || !rename($tmp, $file)) {
        my $err = $!;
        unlink $tmp;
        die "cannot write $file: $err\n";
    }
}

sub on_add_hook {
    my ($class, $storeid, $scfg, %sensitive) = @_;
    # The password may come with `pvesm add … --user_password`, or from a password file the
    # admin wrote beforehand (mode 0600), which keeps it off every command line.
    my %prepared = defined($sensitive{user_password}) ? () : read_secrets($storeid);
    my %secrets = (%prepared, map { $_ => $sensitive{$_} } grep { defined $sensitive{$_} } @SECRETS);
    die "user_password is required for a joviandss storage (give --user_password, or write "
        . password_file($storeid) . " first)\n"
        if !defined($secrets{user_password}) || $secrets{user_password} eq '';
    die "chap_enabled needs chap_user_name and chap_user_password\n"
        if $scfg->{chap_enabled} && (!$scfg->{chap_user_name} || !defined($secrets{chap_user_password}));
    write_secrets($storeid, \%secrets, 1);
    if (!$scfg->{disable}) { # fail now, not at the first disk operation (wrong pool, password, CA)
        eval { jdssc($scfg, $storeid, ['pool', 'stats'], timeout => T_READ, quiet => 1) };
        if (my $err = $@) {
            unlink password_file($storeid) if !%prepared;
            die "storage '$storeid': $err";
        }
    }
    return undef;
}

sub update_secrets {
    my ($storeid, $sensitive) = @_;
    return if !grep { exists $sensitive->{$_} } @SECRETS;
    die "user_password cannot be removed from a joviandss storage\n"
        if exists($sensitive->{user_password}) && !defined($sensitive->{user_password});
    write_secrets($storeid, $sensitive);
}

sub on_update_hook {
    my ($class, $storeid, $scfg, %sensitive) = @_;
    update_secrets($storeid, \%sensitive);
    return undef;
}

sub on_update_hook_full {
    my ($class, $storeid, $scfg, $update, $delete, $sensitive) = @_;
    my %s = %{ $sensitive // {} };
    for my $k (@{ $delete // [] }) {
        $s{$k} = undef if grep { $_ eq $k } @SECRETS;
    }
    update_secrets($storeid, \%s);
    return undef;
}

sub on_delete_hook {
    my ($class, $storeid, $scfg) = @_;
    my $file = password_file($storeid);
    unlink($file) or $!{ENOENT} or warn "cannot remove $file: $!\n";
    return undef;
}

# ---- volumes -------------------------------------------------------------------------------

# `vm-<vmid>-…` / `base-<vmid>-…`, also PVE's dir-style import form `<vmid>/<name>[.raw]`.
sub parse_volname {
    my ($class, $volname) = @_;
    if ($volname =~ m!^(?:\d+/)?((vm|base)-(\d+)-[^/\s]+?)(?:\.raw)?$!) {
        my ($name, $kind, $vmid) = ($1, $2, $3);
        die "joviandss stores raw volumes only, not '$volname'\n"
            if $name =~ /\.(?:qcow2|vmdk|subvol|qed)$/;
        return ('images', $name, $vmid, undef, undef, $kind eq 'base' ? 1 : undef, 'raw');
    }
    die "unable to parse joviandss volume name '$volname'\n";
}

sub path {
    my ($class, $scfg, $volname, $storeid, $snapname) = @_;
    my ($vtype, $name, $vmid) = $class->parse_volname($volname);
    my $st = jdssc($scfg, $storeid, ['login', 'status', $name, snap_args($snapname)],
        timeout => T_READ, quiet => 1);
    return wantarray ? ($st->{device}, $vmid, $vtype) : $st->{device};
}

sub qemu_blockdev_options {
    my ($class, $scfg, $storeid, $volname, $machine_version, $options) = @_;
    my $path = $class->path($scfg, $volname, $storeid, $options->{'snapshot-name'});
    return { driver => 'host_device', filename => $path };
}

sub volume_qemu_snapshot_method { return 'storage' }

sub thin_args {
    my ($scfg) = @_;
    return () if !defined($scfg->{thin_provisioning});
    return $scfg->{thin_provisioning} ? '--thin' : '--thick';
}

sub alloc_image {
    my ($class, $storeid, $scfg, $vmid, $fmt, $name, $size) = @_;
    local $LOCK_DEADLINE = lock_budget();
    die "unsupported format '$fmt': joviandss stores raw volumes only\n"
        if defined($fmt) && $fmt ne 'raw';
    die "invalid size '" . ($size // '') . "'\n" if !defined($size) || $size !~ /^\d+(?:\.\d+)?$/;
    my @args = ('--size', ceil($size || 1) * 1024, thin_args($scfg)); # PVE gives KiB
    push @args, '--block-size', uc($scfg->{block_size}) if $scfg->{block_size};
    my $create = sub { jdssc($scfg, $storeid, ['volume', 'create', $_[0], @args], timeout => T_LOCKED) };
    if (defined($name) && $name ne '') {
        my (undef, $n, $owner) = $class->parse_volname($name);
        die "illegal name '$name' - should be 'vm-$vmid-*'\n" if $owner != $vmid;
        $create->($n);
        return $n;
    }
    return with_free_name($scfg, $storeid, $vmid, 0, $create);
}

sub free_image {
    my ($class, $storeid, $scfg, $volname, $isBase, $format) = @_;
    local $LOCK_DEADLINE = lock_budget();
    my (undef, $name) = $class->parse_volname($volname);
    # never delete a volume whose host devices could not be torn down here
    ignore_exit(sub { jdssc($scfg, $storeid, ['login', 'deactivate', $name], timeout => T_READ) }, 3);
    my @gone = ignore_exit(sub {
        jdssc($scfg, $storeid, ['volume', 'delete', $name, '--cascade'], timeout => T_LOCKED);
    }, 3);
    warn "volume '$storeid:$volname' was already gone from the pool\n" if !@gone;
    return undef;
}

sub list_images {
    my ($class, $storeid, $scfg, $vmid, $vollist, $cache) = @_;
    my @filter = defined($vmid) && !$vollist ? ('--vmid', $vmid) : ();
    my $vols = jdssc($scfg, $storeid, ['volume', 'list', @filter], timeout => T_READ, quiet => 1);
    my %want = map { $_ => 1 } @{ $vollist // [] };
    my @res;
    for my $v (@{ $vols->{volumes} // [] }) {
        next if !defined($v->{vmid});
        my $volid = "$storeid:$v->{name}";
        next if $vollist ? !$want{$volid} : defined($vmid) && $v->{vmid} != $vmid;
        push @res, { volid => $volid, format => 'raw', size => $v->{size}, vmid => $v->{vmid},
            ctime => $v->{creation} };
    }
    return \@res;
}

sub status {
    my ($class, $storeid, $scfg, $cache) = @_;
    # pvestatd polls every storage in turn every 10 s: one round over the addresses, short
    # connect timeout, so a down appliance costs a moment, not the whole budget, each cycle.
    my $s = eval { jdssc($scfg, $storeid, ['--attempts', '1', '--connect-timeout', '2', 'pool', 'stats'], timeout => T_STATUS, quiet => 1) };
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
    return 1;
}

sub deactivate_volume {
    my ($class, $storeid, $scfg, $volname, $snapname, $cache) = @_;
    my (undef, $name) = $class->parse_volname($volname);
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
    jdssc($scfg, $storeid, ['volume', 'resize', $name, '--size', $size]); # bytes
    # QEMU's block_resize follows: every path and the map must show the new size first
    jdssc($scfg, $storeid, ['login', 'rescan', $name], timeout => T_HOST) if $running;
    return undef;
}

my $FEATURES = {
    snapshot => { base => 1, current => 1, snap => 1 },
    clone => { base => 1, current => 1, snap => 1 },
    template => { current => 1 },
    copy => { base => 1, current => 1, snap => 1 },
    sparseinit => { base => 1, current => 1 },
    rename => { current => 1 },
};

sub volume_has_feature {
    my ($class, $scfg, $feature, $storeid, $volname, $snapname, $running, $opts) = @_;
    my (undef, undef, undef, undef, undef, $isBase) = $class->parse_volname($volname);
    my $key = $snapname ? 'snap' : $isBase ? 'base' : 'current';
    return $FEATURES->{$feature}->{$key} ? 1 : undef;
}

sub clone_image {
    my ($class, $scfg, $storeid, $volname, $vmid, $snap) = @_;
    local $LOCK_DEADLINE = lock_budget();
    my (undef, $src) = $class->parse_volname($volname);
    my @args = (snap_args($snap), thin_args($scfg));
    return with_free_name($scfg, $storeid, $vmid, 0, sub {
        jdssc($scfg, $storeid, ['volume', 'clone', $src, $_[0], @args], timeout => T_LOCKED);
    });
}

# Renames a volume that nobody uses any more (template conversion, disk reassignment): tear
# down this host's devices and unpublish it (a published zvol cannot be renamed), then rename
# with the SCSI id as a guard, so that a retried rename never renames some other volume.
sub rename_unused {
    my ($scfg, $storeid, $name, $vmid, $base, $newname) = @_;
    jdssc($scfg, $storeid, ['login', 'deactivate', $name, '--unpublish'], timeout => T_LOCKED);
    my $id = jdssc($scfg, $storeid, ['volume', 'get', $name], timeout => T_READ)->{scsiId};
    my $rename = sub {
        jdssc($scfg, $storeid, ['volume', 'rename', $name, $_[0], '--expect-scsi-id', $id],
            timeout => T_LOCKED);
    };
    return with_free_name($scfg, $storeid, $vmid, $base, $rename) if !defined($newname);
    $rename->($newname);
    return $newname;
}

sub create_base {
    my ($class, $storeid, $scfg, $volname) = @_;
    local $LOCK_DEADLINE = lock_budget();
    my (undef, $name, $vmid, undef, undef, $isBase) = $class->parse_volname($volname);
    die "create_base not possible with base image\n" if $isBase;
    # Keep the disk number (vm-100-disk-1 -> base-100-disk-1) like Proxmox's own plugins; only
    # when that name is taken does the template get the next free base- name.
    (my $wanted = $name) =~ s/^vm-/base-/;
    my $new = eval { rename_unused($scfg, $storeid, $name, $vmid, 1, $wanted eq $name ? undef : $wanted) };
    if (my $err = $@) {
        die $err if (jdssc_exit($err) // -1) != 4;
        $new = rename_unused($scfg, $storeid, $name, $vmid, 1, undef);
    }
    return $new;
}

sub rename_volume {
    my ($class, $scfg, $storeid, $source_volname, $target_vmid, $target_volname) = @_;
    local $LOCK_DEADLINE = lock_budget();
    my (undef, $name, undef, undef, undef, $isBase) = $class->parse_volname($source_volname);
    if (defined($target_volname) && $target_volname ne '') {
        (undef, $target_volname) = $class->parse_volname($target_volname);
    } else {
        $target_volname = undef;
    }
    my $new = rename_unused($scfg, $storeid, $name, $target_vmid, $isBase, $target_volname);
    return "$storeid:$new";
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
    my (undef, $name) = $class->parse_volname($volname);
    # a snapshot exported to this host (e.g. for a backup) goes first, with its export
    jdssc($scfg, $storeid, ['login', 'deactivate', $name, '--snapshot', $snap], timeout => T_HOST);
    jdssc($scfg, $storeid, ['snapshot', 'delete', $name, $snap, '--if-exists']);
    return undef;
}

sub volume_rollback_is_possible {
    my ($class, $scfg, $storeid, $volname, $snap, $blockers) = @_;
    my (undef, $name) = $class->parse_volname($volname);
    my $r = jdssc($scfg, $storeid, ['snapshot', 'rollback', $name, $snap, '--check'],
        timeout => T_READ, quiet => 1);
    return 1 if $r->{possible};
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
    jdssc($scfg, $storeid, ['snapshot', 'rollback', $name, $snap]);
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

package PVE::Storage::Custom::JovianDSSPlugin::Error;

# Stringifies to jdssc's message, so PVE shows it as is; ->{exit} is jdssc's exit code.
use overload '""' => sub { "$_[0]->{message}\n" }, bool => sub { 1 }, fallback => 1;

1;
