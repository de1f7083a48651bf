package PVE::Cluster;

# Test stand-in for the pmxcfs storage lock: an flock on a file in $ENV{PVE_TEST_LOCK_DIR}
# (default: the temp dir), with pmxcfs's 60 s budget for the locked body. Like the real one it
# returns the body's result and leaves an error in $@ instead of dying.

use strict;
use warnings;

use Fcntl qw(:flock);
use File::Spec;

our $BODY_TIMEOUT = 60;

sub cfs_lock_storage {
    my ($storeid, $timeout, $code, @param) = @_;
    my $dir = $ENV{PVE_TEST_LOCK_DIR} // File::Spec->tmpdir();
    my $res;
    eval {
        open(my $fh, '>>', "$dir/pve-storage-$storeid.lock") or die "cannot open lock file: $!\n";
        local $SIG{ALRM} = sub { die "got lock request timeout\n" };
        alarm($timeout // 10);
        flock($fh, LOCK_EX) or die "cannot lock: $!\n";
        alarm(0);
        local $SIG{ALRM} = sub { die "'storage-$storeid'-locked command timed out - aborting\n" };
        alarm($BODY_TIMEOUT);
        $res = eval { $code->(@param) };
        my $err = $@;
        alarm(0);
        close($fh);
        die $err if $err;
    };
    alarm(0);
    return $res;
}

1;
