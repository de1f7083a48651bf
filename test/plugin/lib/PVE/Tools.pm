package PVE::Tools;

# Test stand-in for PVE::Tools::run_command: argv array (never a shell), timeout (the child
# is killed with SIGKILL, then "command '...' failed: got timeout"), outfunc/errfunc called per
# line, noerr (return the exit code instead of dying). Every argv is recorded in @COMMANDS so
# tests can check what was run and that no secret ever reached a command line.

use strict;
use warnings;

use Exporter 'import';
use IO::Select;
use IPC::Open3 qw(open3);
use Symbol qw(gensym);
use Time::HiRes ();

our @EXPORT_OK = qw(run_command);
our @COMMANDS;
# Tests may hook in after each command (e.g. to play the array's side of a data path).
our $AFTER_RUN;

sub cmd_string { return join(' ', map { /^[\w\/.,:=+-]+$/ ? $_ : "'$_'" } @{ $_[0] }) }

sub run_command {
    my ($cmd, %param) = @_;
    die "run_command: this stand-in takes an argv array\n" if ref($cmd) ne 'ARRAY';
    push @COMMANDS, [@$cmd];
    my $cmdstr = cmd_string($cmd);
    my ($timeout, $outfunc, $errfunc) = @param{qw(timeout outfunc errfunc)};
    $outfunc //= sub { print "$_[0]\n" };
    $errfunc //= sub { print STDERR "$_[0]\n" };

    my ($in, $out, $err) = (undef, undef, gensym);
    my $pid = open3($in, $out, $err, @$cmd);
    close($in);
    my $sel = IO::Select->new($out, $err);
    my %buf = ($out => '', $err => '');
    my %func = ($out => $outfunc, $err => $errfunc);
    my $deadline = $timeout ? Time::HiRes::time() + $timeout : undef;
    my $timed_out;
    while ($sel->count) {
        my $wait = $deadline ? $deadline - Time::HiRes::time() : undef;
        if (defined($wait) && $wait <= 0) { $timed_out = 1; last }
        for my $fh ($sel->can_read($wait)) {
            my $n = sysread($fh, my $chunk, 65536);
            if (!$n) {
                $sel->remove($fh);
                $func{$fh}->($buf{$fh}) if length $buf{$fh};
                next;
            }
            $buf{$fh} .= $chunk;
            while ($buf{$fh} =~ s/^([^\n]*)\n//) { $func{$fh}->($1) }
        }
    }
    if ($timed_out) {
        kill('KILL', $pid);
        waitpid($pid, 0);
        die "command '$cmdstr' failed: got timeout\n";
    }
    waitpid($pid, 0);
    my $status = $?;
    die "command '$cmdstr' failed: got signal " . ($status & 127) . "\n" if $status & 127;
    my $rc = $status >> 8;
    $AFTER_RUN->($cmd, $rc) if $AFTER_RUN;
    die "command '$cmdstr' failed: exit code $rc\n" if $rc && !$param{noerr};
    return $rc;
}

1;
