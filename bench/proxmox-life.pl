#!/usr/bin/perl
# Driver of bench/proxmox.mjs: one VM disk's life through the REAL PVE::Storage (the test/pve
# tier's loading: RealPVE.pm, stubs only for the cluster) and our plugin, against the simulator
# with the fake host. Reads one operation name per line on stdin, runs it, and answers one JSON
# line on stdout: wall time of the PVE call, the jdssc processes it started (every run_command
# of the plugin's jdssc runner, counted in-process: no wrapper script adds a process or a
# millisecond) and the fake host tool calls. The REST requests are read by the caller from the
# simulator's request log. A missing PVE tree or Debian package: RealPVE prints its TAP skip
# line (`1..0 # SKIP ...`) and exits 0.
use strict;
use warnings;
BEGIN { my ($d) = __FILE__ =~ m!^(.*)/[^/]+$!; unshift @INC, ($d // '.') . '/../test/pve/lib' }
use JSON::PP ();
use Time::HiRes qw(time);
use RealPVE;
use PVETier qw(start_sim add_storage cfg);

# Test::More is loaded by the tier; its notes and end-of-test summary are no part of this output.
Test::More->builder->no_ending(1);
Test::More->builder->output(\*STDERR);
Test::More->builder->failure_output(\*STDERR);
$| = 1;

my $JSON = JSON::PP->new->canonical;
my $sim = start_sim();
my $S = 'jdss';
my @procs;
my $resized;

# Every jdssc process the plugin starts goes through Cli.pm's run_command.
{
    no warnings 'redefine';
    my $orig = \&PVE::Storage::Custom::JovianDSS::Cli::run_command;
    *PVE::Storage::Custom::JovianDSS::Cli::run_command = sub {
        my ($cmd) = @_;
        push @procs, summary($cmd);
        # the fake kernel's stand-in for SCST reporting a grown LUN (as test/plugin/06-host.t
        # does), before the process: one `volume resize --rescan` process grows and rescans
        grow_luns($1 + 0) if "@$cmd" =~ / volume resize \S+ --size (\d+)/;
        return $orig->(@_);
    };
}

# `login deactivate`, `volume create` …: the two words after the global flags and --timeout N.
sub summary {
    my ($cmd) = @_;
    my @a = @$cmd;
    shift @a while @a && $a[0] ne '--timeout';
    splice(@a, 0, 2);
    splice(@a, 0, 2) while @a && $a[0] =~ /^--/;
    return join(' ', grep { defined } @a[0, 1]);
}

sub grow_luns {
    my ($size) = @_;
    JDSSSim::host_update($sim, sub {
        for my $t (values %{ $_[0]->{array}->{targets} }) { $_->{sizeBytes} = $size for values %{ $t->{luns} } }
    });
}

sub host_calls { return scalar @{ JDSSSim::host_state($sim)->{calls} // [] } }

add_storage($sim, $S);
my $cfg = cfg();
my ($vol, $base, $clone);

my %OPS = (
    status => sub { PVE::Storage::storage_info($cfg, 'images') },
    alloc => sub { $vol = PVE::Storage::vdisk_alloc($cfg, $S, 100, 'raw', undef, 1024 * 1024) },
    list => sub { PVE::Storage::vdisk_list($cfg, $S, 100) },
    size => sub { PVE::Storage::volume_size_info($cfg, $vol) },
    activate => sub { PVE::Storage::activate_volumes($cfg, [$vol]) },
    path => sub { PVE::Storage::path($cfg, $vol) },
    snapshot => sub { PVE::Storage::volume_snapshot($cfg, $vol, 'snap1') },
    'rollback check' => sub { PVE::Storage::volume_rollback_is_possible($cfg, $vol, 'snap1', []) },
    rollback => sub { PVE::Storage::volume_snapshot_rollback($cfg, $vol, 'snap1') },
    'snapshot delete' => sub { PVE::Storage::volume_snapshot_delete($cfg, $vol, 'snap1', 0) },
    'resize (active)' => sub { PVE::Storage::volume_resize($cfg, $vol, 2 * 2**30 + ++$resized * 2**20, 1) },
    'path (inactive)' => sub { PVE::Storage::path($cfg, $vol) },
    'resize (inactive)' => sub { PVE::Storage::volume_resize($cfg, $vol, 2 * 2**30 + ++$resized * 2**20, 0) },
    deactivate => sub { PVE::Storage::deactivate_volumes($cfg, [$vol]) },
    template => sub { $base = PVE::Storage::vdisk_create_base($cfg, $vol) },
    'linked clone' => sub { $clone = PVE::Storage::vdisk_clone($cfg, $base, 101) },
    'free clone' => sub { PVE::Storage::vdisk_free($cfg, $clone) },
    'free base' => sub { PVE::Storage::vdisk_free($cfg, $base) },
);

print $JSON->encode({ ready => 1, port => $sim->{port}, password => $sim->{password}, ca => $sim->{ca},
    ops => [sort keys %OPS] }), "\n";

while (my $op = <STDIN>) {
    chomp $op;
    last if $op eq '' || $op eq 'quit';
    my $code = $OPS{$op};
    if (!$code) { print $JSON->encode({ op => $op, error => "unknown operation" }), "\n"; next }
    @procs = ();
    my $calls = host_calls();
    my $t = time();
    my $ok = eval { $code->(); 1 };
    my $ms = (time() - $t) * 1000;
    my $err = $ok ? undef : "$@" =~ s/\s+$//r;
    print $JSON->encode({ op => $op, ms => $ms, procs => [@procs], hostCalls => host_calls() - $calls,
        (defined $err ? (error => $err) : ()) }), "\n";
}
