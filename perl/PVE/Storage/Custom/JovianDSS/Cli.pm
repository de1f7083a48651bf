package PVE::Storage::Custom::JovianDSS::Cli;

# Running jdssc for the plugin: storage.cfg -> global flags, one JSON answer per call, jdssc's
# exit code (3 not found, 4 exists, 5 busy, 6 unreachable, ...) kept on the error it dies with.

use strict;
use warnings;

use Exporter 'import';
use JSON::PP ();
use Scalar::Util qw(blessed);

use PVE::Tools qw(run_command);
use PVE::Storage::Custom::JovianDSS::Secrets qw(password_file);

our @EXPORT_OK = qw(
    T_STATUS T_READ T_LOCKED T_WRITE T_HOST lock_budget
    jdssc jdssc_argv jdssc_exit ignore_exit snap_args thin_args with_free_name rename_unused
);

our $JDSSC = '/usr/bin/jdssc'; # $ENV{JDSSC_BIN} overrides it (tests)

# Seconds given to jdssc (--timeout); run_command kills it 5 s later.
use constant { T_STATUS => 5, T_READ => 20, T_LOCKED => 30, T_WRITE => 50, T_HOST => 100 };

# PVE runs alloc, free, clone, create_base and rename under its storage lock, whose body is
# killed after 60 s: those methods set this (local ... = lock_budget()), and every jdssc call
# they make fits before it.
our $LOCK_DEADLINE;
sub lock_budget { return time() + 55 }

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

package PVE::Storage::Custom::JovianDSSPlugin::Error;

# Stringifies to jdssc's message, so PVE shows it as is; ->{exit} is jdssc's exit code.
# (The class keeps the plugin's name: callers may check for it.)
use overload '""' => sub { "$_[0]->{message}\n" }, bool => sub { 1 }, fallback => 1;

1;
