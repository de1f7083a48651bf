package PVE::Storage::Custom::JovianDSS::Secrets;

# The storage's secrets in /etc/pve/priv/storage/<storeid>.pw, in the format jdssc reads
# (`user_password <pw>` / `chap_user_password <pw>` lines). Only the file's path ever goes on
# a command line (jdssc --password-file). A joviandss-nfs storage taken over from Open-E's
# plugin keeps its file where Open-E put it (same format): that one is read and written first.

use strict;
use warnings;

use Exporter 'import';
use Fcntl qw(O_WRONLY O_CREAT O_EXCL);
use File::Path ();

our @EXPORT_OK = qw(
    @SECRETS password_file read_secrets write_secrets update_secrets
    secrets_for_add update_secrets_deleting remove_password_file
);

our $PRIV_DIR = '/etc/pve/priv/storage'; # tests point this at a temporary directory

our @SECRETS = qw(user_password chap_user_password);

sub password_file {
    my ($storeid) = @_;
    my $openE = "$PRIV_DIR/joviandss-nfs/$storeid.pw";
    return -f $openE ? $openE : "$PRIV_DIR/$storeid.pw";
}

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

# The secrets part of `pvesm set`: nothing to do when no secret is named.
sub update_secrets {
    my ($storeid, $sensitive) = @_;
    return if !grep { exists $sensitive->{$_} } @SECRETS;
    die "user_password cannot be removed from a joviandss storage\n"
        if exists($sensitive->{user_password}) && !defined($sensitive->{user_password});
    write_secrets($storeid, $sensitive);
}

# `pvesm add`: the secrets given on its command line over those of a password file the admin
# wrote beforehand (mode 0600, which keeps them off every command line). Returns the merged
# secrets and whether that file existed; dies, naming both ways, without a user password.
sub secrets_for_add {
    my ($storeid, $type, %sensitive) = @_;
    my %prepared = defined($sensitive{user_password}) ? () : read_secrets($storeid);
    my %secrets = (%prepared, map { $_ => $sensitive{$_} } grep { defined $sensitive{$_} } @SECRETS);
    die "user_password is required for a $type storage (give --user_password, or write "
        . password_file($storeid) . " first)\n"
        if !defined($secrets{user_password}) || $secrets{user_password} eq '';
    return (\%secrets, scalar(%prepared) ? 1 : 0);
}

# `pvesm set` with `--delete`: a deleted secret is removed (user_password refused).
sub update_secrets_deleting {
    my ($storeid, $sensitive, $delete) = @_;
    my %s = %{ $sensitive // {} };
    for my $k (@{ $delete // [] }) {
        $s{$k} = undef if grep { $_ eq $k } @SECRETS;
    }
    update_secrets($storeid, \%s);
}

sub remove_password_file {
    my ($storeid) = @_;
    my $file = password_file($storeid);
    unlink($file) or $!{ENOENT} or warn "cannot remove $file: $!\n";
}

1;
