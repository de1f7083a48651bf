package PVE::Storage::Custom::JovianDSS::Cli;

# Running jdssc for the plugin: storage.cfg -> global flags, one JSON answer per call, jdssc's
# exit code (3 not found, 4 exists, 5 busy, 6 unreachable, ...) kept on the error it dies with.
# Also this host's LUN records, read in Perl where they answer without a jdssc process.

use strict;
use warnings;

use Exporter 'import';
use JSON::PP ();
use Scalar::Util qw(blessed);

use PVE::Tools qw(run_command);
use PVE::Storage::Custom::JovianDSS::Secrets qw(password_file);

our @EXPORT_OK = qw(
    T_STATUS T_READ T_LOCKED T_WRITE T_HOST LOCK_SECONDS lock_budget
    jdssc jdssc_argv jdssc_exit ignore_exit snap_args thin_args with_free_name rename_unused
    active_here local_device guest_here force_args
);

our $JDSSC = '/usr/bin/jdssc'; # $ENV{JDSSC_BIN} overrides it (tests)

# Seconds given to jdssc (--timeout); run_command kills it 5 s later.
use constant { T_STATUS => 5, T_READ => 20, T_LOCKED => 7, T_WRITE => 50, T_HOST => 100 };

# PVE runs alloc, free, clone, create_base and rename under its storage lock (cfs_lock_storage
# on a cluster). The lock's body may run 60 s, but every other node that asks for the lock
# meanwhile gives up after 10 s ("got lock request timeout"): a bulk clone, a destroy or a
# backup's fleecing image on another node then fails. So what runs under it must end well
# within those 10 s: LOCK_SECONDS = 9 in all, each jdssc call under it gets what is left minus
# a 2 s kill margin (at most T_LOCKED = 7 s of its own deadline; jdssc keeps its --timeout, the
# margin only covers its exit). Only array work runs
# there — one jdssc process of a few REST requests, well under a second against the simulator
# (test/pve/10-lock-timing.t) —; waits on this host (tearing down a device before a delete)
# run outside the lock (JovianDSSPlugin.pm: free_image's cleanup worker, create_base's
# teardown in volume_has_feature). Those methods set this (local ... = lock_budget()).
use constant { LOCK_SECONDS => 9, KILL_MARGIN_LOCKED => 2 };
our $LOCK_DEADLINE;
sub lock_budget { return time() + LOCK_SECONDS }

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
    my $margin = defined($LOCK_DEADLINE) ? KILL_MARGIN_LOCKED : 5;
    if (defined($LOCK_DEADLINE)) {
        my $left = int($LOCK_DEADLINE - time()) - KILL_MARGIN_LOCKED;
        die error(6, "no time left under the storage lock for jdssc @$args[0,1]") if $left < 1;
        $timeout = $left if $timeout > $left;
    }
    my ($out, @err) = ('');
    my $rc = eval {
        run_command(
            [jdssc_argv($scfg, $storeid, $timeout, @$args)],
            timeout => $timeout + $margin,
            noerr => 1,
            outfunc => sub { $out .= "$_[0]\n" },
            errfunc => sub { push @err, $_[0] },
        );
    };
    if (my $e = $@) {
        die error(6, "jdssc @$args[0,1] did not finish within " . ($timeout + $margin) . " s")
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

sub thin_args {
    my ($scfg) = @_;
    return () if !defined($scfg->{thin_provisioning});
    return $scfg->{thin_provisioning} ? '--thin' : '--thick';
}

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

# Renames a volume that nobody uses any more (template conversion, disk reassignment) in one
# jdssc process: it checks the rename can happen (source there, new name free), tears down this
# host's devices and unpublishes the volume (a published zvol cannot be renamed), then renames
# it guarded by the SCSI id it read first, so that it never renames some other volume. Without
# $newname, or with $or_free when $newname is taken, the first free name of $vmid (base- with
# $base); a name another node takes meanwhile is refused by the array and the next one tried.
# @force: force_args() of the volume's owner (see below).
sub rename_unused {
    my ($scfg, $storeid, $name, $vmid, $base, $newname, $or_free, @force) = @_;
    my @to = defined($newname) ? ($newname) : ();
    my @free = !defined($newname) || $or_free ? ('--vmid', $vmid, ($base ? '--base' : ())) : ();
    return jdssc($scfg, $storeid, ['volume', 'rename', $name, @to, @free, '--unpublish', @force],
        timeout => T_LOCKED)->{name};
}

# ---- the owner guest's node ---------------------------------------------------------------
# jdssc refuses to detach a LUN from a target another host is logged in to (exit 5): that host
# may be using it. But Proxmox leaves volumes active on other nodes by design (clone sources,
# resize, EFI disk creation, disk-move sources), so that guard alone made `qm template`,
# destroy, disk reassignment and snapshot deletion fail whenever another node had once touched
# a disk of the guest — and `qm template` stop half-way, between two disks.
#
# Decision (issue 13 item 10): for the operations Proxmox runs only on the owner guest's node,
# for a stopped guest (or an unused disk) under the guest's config lock — free (destroy, unused
# disk removal, fleecing images), create_base (template), rename (reassign), snapshot delete —
# the plugin passes `--force` when the guest that owns the volume (the vmid in its name) has
# its config on THIS node. A guest runs only on the node that holds its config, so no VM or
# container runs that disk anywhere else; another node's session to the target is a leftover
# (its devices there are stale, nothing opens them). jdssc then detaches only that LUN (the
# target goes only when it holds no LUN any more); the other node's stale LUN record and
# device are removed by its next activation of that LUN number (a LUN now carrying another
# volume is torn down first) or by `jdssc cleanup` there (a record whose volume is gone).
# Without a daemon on that node nothing tells it earlier, and nothing needs to: the stale
# device is never opened (Proxmox no longer knows the volume, or knows it under a new name).
# When the owner's config is NOT here — `pvesm free` of another node's guest's disk or of an
# orphan volume, a call made by hand — nothing guarantees that the guest is stopped: no
# --force, the guard stays and jdssc names the hosts (exit 5).
# Not covered by Proxmox's locking: a disk of guest 100 attached to another guest (a "shared
# disk" configured by hand in another VM's config) is freed with its owner, and a running VM on
# another node would lose it. Proxmox frees such disks with their owner on every shared
# storage; the array cannot see who opens a LUN, only who is logged in to the target.
our $LOCAL_GUESTS = '/etc/pve/local'; # pmxcfs: this node's folder (tests point it elsewhere)

sub guest_here {
    my ($vmid) = @_;
    return 0 if !defined($vmid) || $vmid !~ /^\d+$/;
    return scalar grep { -e "$LOCAL_GUESTS/$_/$vmid.conf" } qw(qemu-server lxc);
}

sub force_args { return guest_here($_[0]) ? ('--force') : () }

# ---- this host's LUN records, read without a process ------------------------------------
# jdssc keeps one JSON file per LUN it activated on this host (src/host/state/records.ts):
# <host_root>/var/lib/jdssc/luns/<storage id>/<target>/lun-<n>.json. `login deactivate` (without
# --unpublish or a snapshot), `login rescan` and `login status` of an active volume read these
# files first and, when none concerns the volume, do nothing else (no REST, no host tool):
# reading them here spares that jdssc process. Any doubt — an unreadable folder or file, a
# record of an unknown shape, a host_root the plugin cannot read from the config file — counts
# as "maybe active", and the process runs as before.
our $RECORDS = '/var/lib/jdssc/luns';

# host_root of jdssc's config file (-c, else $JDSSC_CONFIG; default /), or undef when unsure.
sub host_root {
    my ($scfg) = @_;
    my $file = defined($scfg->{config}) && $scfg->{config} ne '' ? $scfg->{config} : $ENV{JDSSC_CONFIG};
    return '/' if !defined($file) || $file eq '';
    open(my $fh, '<', $file) or return undef;
    my $root = '/';
    while (my $l = <$fh>) {
        next if $l !~ /^host_root\s*:(.*)$/;
        my $v = $1 =~ s/^\s+|\s+$//gr;
        if ($v =~ /^'([^']*)'$/ || $v =~ /^"([^"\\]*)"$/) { $v = $1 }
        elsif ($v eq '' || $v =~ /[#&*|>'"!%@`{}\[\]]/) { return undef } # YAML the plugin does not parse
        $root = $v;
    }
    return $root;
}

# This host's records of volume $name (every snapshot's too), or undef when unsure.
sub local_records {
    my ($scfg, $storeid, $name) = @_;
    my $root = host_root($scfg) // return undef;
    my $dir = ($root =~ s!/+$!!r) . "$RECORDS/$storeid";
    opendir(my $dh, $dir) or return $!{ENOENT} ? [] : undef;
    my @recs;
    for my $t (grep { !/^\.\.?$/ } readdir($dh)) {
        opendir(my $th, "$dir/$t") or return undef;
        for my $f (grep { /^lun-\d+\.json$/ } readdir($th)) {
            open(my $fh, '<', "$dir/$t/$f") or return undef;
            my $r = eval { local $/; JSON::PP->new->decode(scalar <$fh>) };
            return undef if ref($r) ne 'HASH' || !defined($r->{volume}) || ref($r->{volume})
                || (defined($r->{snapshot}) && ref($r->{snapshot})) || !defined($r->{device}) || ref($r->{device});
            push @recs, $r if $r->{volume} eq $name;
        }
    }
    return \@recs;
}

# 0 only when this host surely has nothing of volume $name active: $snap undef = the volume,
# '*' = the volume or any snapshot of it, else that snapshot.
sub active_here {
    my ($scfg, $storeid, $name, $snap) = @_;
    my $recs = local_records($scfg, $storeid, $name) // return 1;
    return scalar grep {
        defined($snap) && $snap eq '*' ? 1 : defined($snap) ? ($_->{snapshot} // '') eq $snap : !defined($_->{snapshot})
    } @$recs;
}

# The device of an active volume (or snapshot) from its record, as `jdssc login status` answers it.
sub local_device {
    my ($scfg, $storeid, $name, $snap) = @_;
    my $recs = local_records($scfg, $storeid, $name) // return undef;
    my $want = defined($snap) && $snap ne '' ? $snap : undef;
    my ($r) = grep { defined($want) ? ($_->{snapshot} // '') eq $want : !defined($_->{snapshot}) } @$recs;
    return $r ? $r->{device} : undef;
}

package PVE::Storage::Custom::JovianDSSPlugin::Error;

# Stringifies to jdssc's message, so PVE shows it as is; ->{exit} is jdssc's exit code.
# (The class keeps the plugin's name: callers may check for it.)
use overload '""' => sub { "$_[0]->{message}\n" }, bool => sub { 1 }, fallback => 1;

1;
