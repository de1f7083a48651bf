package PVE::Cluster;

# Test stub of pve-cluster's PVE::Cluster for the real-PVE tier (test/pve): the real one talks
# to pmxcfs through an XS extension. Files live in $ENV{PVE_TEST_CFS_DIR} (storage.cfg …) and
# are read with the parsers the real modules register; locks are mkdir locks there with
# pmxcfs's budget (10 s to acquire, 60 s alarm around the body, errors left in $@). One node.

use strict;
use warnings;

use Exporter 'import';
use File::Basename ();
use File::Path ();
use POSIX ();
use Time::HiRes ();

use PVE::INotify;
use PVE::Tools;

our @EXPORT_OK = qw(cfs_read_file cfs_write_file cfs_register_file cfs_lock_file);

my $file_info = {};

sub cfs_dir {
    my $dir = $ENV{PVE_TEST_CFS_DIR} // die "PVE_TEST_CFS_DIR is not set (test stub of PVE::Cluster)\n";
    ($dir) = $dir =~ m!^(/[^\0]*)$! or die "PVE_TEST_CFS_DIR must be an absolute path\n"; # untaint (-T)
    return $dir;
}

sub cfs_register_file {
    my ($filename, $parser, $writer) = @_;
    die "file '$filename' already registered" if $file_info->{$filename};
    $file_info->{$filename} = { parser => $parser, writer => $writer };
}

sub cfs_read_file {
    my ($filename) = @_;
    my $info = $file_info->{$filename} || die "unknown file type '$filename'\n";
    my $path = cfs_dir() . "/$filename";
    # pmxcfs hands out untainted data: the stub does the same, like the real IPCC read
    my $data = -e $path ? PVE::Tools::file_get_contents($path) : undef;
    ($data) = $data =~ /^(.*)$/s if defined $data;
    return $info->{parser}->("/etc/pve/$filename", $data);
}

sub cfs_write_file {
    my ($filename, $data, $force_utf8) = @_;
    my $info = $file_info->{$filename} || die "unknown file type '$filename'\n";
    my $writer = $info->{writer} || die "no writer defined";
    my $raw = $writer->("/etc/pve/$filename", $data);
    my $path = cfs_dir() . "/$filename";
    File::Path::make_path(File::Basename::dirname($path));
    PVE::Tools::file_set_contents($path, $raw, undef, $force_utf8);
}

my $cfs_lock = sub {
    my ($lockid, $timeout, $code, @param) = @_;
    my $prev_alarm = alarm(0);
    my $lockdir = cfs_dir() . '/.locks';
    mkdir $lockdir;
    my $filename = "$lockdir/$lockid";
    my ($res, $got_lock, $is_code_err) = (undef, 0, 0);
    eval {
        $timeout ||= 10;
        my $until = Time::HiRes::time() + $timeout;
        until ($got_lock = mkdir($filename)) {
            die "got lock request timeout\n" if Time::HiRes::time() > $until;
            Time::HiRes::sleep(0.1);
        }
        local $SIG{ALRM} = sub { die "'$lockid'-locked command timed out - aborting\n" };
        alarm(60);
        $is_code_err = 1;
        $res = $code->(@param);
        alarm(0);
    };
    my $err = $@;
    alarm(0);
    rmdir $filename if $got_lock;
    alarm($prev_alarm);
    if ($err) {
        $@ = ref($err) eq 'PVE::Exception' || $is_code_err ? $err : "cfs-lock '$lockid' error: $err";
        return undef;
    }
    $@ = undef;
    return $res;
};

sub cfs_lock_file {
    my ($filename, $timeout, $code, @param) = @_;
    (my $lockid = "file-$filename") =~ s/[.\/]/_/g;
    return $cfs_lock->($lockid, $timeout, $code, @param);
}

sub cfs_lock_storage {
    my ($storeid, $timeout, $code, @param) = @_;
    return $cfs_lock->("storage-$storeid", $timeout, $code, @param);
}

sub cfs_update { return }
sub get_nodelist { return [PVE::INotify::nodename()] }
sub check_node_exists { return 1 }
sub get_vmlist { return { ids => {} } }
sub get_members { return {} }
sub remote_node_ip { return '127.0.0.1' }
sub broadcast_node_kv { return }
sub broadcast_tasklist { return }
sub log_msg { return }

1;
