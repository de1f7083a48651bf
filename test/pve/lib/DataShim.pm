package DataShim;

# The real-PVE tier's data shim: the fake host's LUN devices are empty regular files that
# vanish on logout, so the shim keeps each volume's (and snapshot's) data in a file of its own,
# named <storage id>-<array name>[@<snapshot>], and moves it in and out of the devices around
# the jdssc processes the plugin runs (it wraps PVE::Storage::Custom::JovianDSS::Cli::run_command)
# — what a zvol and its snapshots hold, so the bytes really go through the devices:
#   login activate      the data file goes into the device once (a second activation of an
#                       active LUN keeps what was written since), sized as the array says;
#   login deactivate    the device goes back into its data file first (noting how many
#                       512-byte blocks the device had allocated: the sparse check);
#   volume rename       (it tears down this host's devices itself) every device of the volume
#                       goes back first; its files follow the new name;
#   snapshot create     the volume's current data is copied to the snapshot's file;
#   snapshot rollback   the snapshot's data becomes the volume's (its device's too, if active);
#   volume clone        the new volume starts with its source's (or source snapshot's) data;
#   volume resize       the fake host's array reports the new LUN size before the process (as
#                       SCST does once the zvol grew, so a --rescan sees it); an active device
#                       grows with it;
#   volume / snapshot delete   the data goes with it.
# Also every process as "noun verb" (procs_of).

use strict;
use warnings;

use Cwd qw(abs_path);
use JSON::PP ();

# with_device($cfg, $volid, $snap, $code): activate through PVE::Storage, run $code with the
# device path, deactivate (also when $code dies); $code's result.
sub with_device {
    my ($cfg, $volid, $snap, $code) = @_;
    PVE::Storage::activate_volumes($cfg, [$volid], $snap);
    my ($dev) = PVE::Storage::path($cfg, $volid, $snap) =~ m!^(/.*)$!;
    my @res = eval { $code->($dev) };
    my $err = $@;
    PVE::Storage::deactivate_volumes($cfg, [$volid], $snap);
    die $err if $err;
    return $res[0];
}

# install($sim, $dir): wraps run_command once; returns the shim (a hash: dir, procs,
# blocks_written, active — device file => data file while the LUN is active here).
sub install {
    my ($sim, $dir) = @_;
    mkdir $dir or die "$dir: $!" if !-d $dir;
    my ($hostdev) = abs_path("$sim->{host_root}/dev") =~ m!^(/.*)$!;
    my $self = bless { sim => $sim, dir => $dir, hostdev => $hostdev, procs => [], active => {},
        wwid => {}, blocks_written => {} }, __PACKAGE__;
    my $run = \&PVE::Storage::Custom::JovianDSS::Cli::run_command;
    no warnings 'redefine';
    *PVE::Storage::Custom::JovianDSS::Cli::run_command = sub { return $self->run($run, @_) };
    return $self;
}

# The data file of a volume (array name) or of one of its snapshots.
sub file {
    my ($self, $sid, $name, $snap) = @_;
    my ($k) = ("$sid-$name" . (defined($snap) ? "\@$snap" : '')) =~ /^([\w.\@*-]+)$/ or die "odd name $name\n";
    return "$self->{dir}/$k";
}

sub procs_of {
    my ($self, $code) = @_;
    @{ $self->{procs} } = ();
    $code->();
    return [@{ $self->{procs} }];
}

sub cp { system('cp', '--sparse=always', @_) == 0 or die "cp @_ failed\n" }

sub device_of {
    my ($self, $file) = @_;
    return (grep { $self->{active}->{$_} eq $file } keys %{ $self->{active} })[0];
}

# Where a volume's (or snapshot's) current bytes are: its device while active, else its file.
sub current {
    my ($self, $file) = @_;
    return $self->device_of($file) // $file;
}

sub put_back {
    my ($self, $dev) = @_;
    my $file = delete $self->{active}->{$dev};
    delete $self->{wwid}->{$dev};
    $self->{blocks_written}->{$file} = (stat($dev))[12];
    cp($dev, $file);
}

sub option {
    my ($args, $name) = @_;
    my ($v) = map { $args->[ $_ + 1 ] } grep { $args->[$_] eq $name } 0 .. $#$args;
    return $v;
}

sub run {
    my ($self, $run, $cmd, %o) = @_;
    my @a = @$cmd;
    shift @a while @a && $a[0] ne '--timeout';
    splice(@a, 0, 2);
    splice(@a, 0, 2) while @a && $a[0] =~ /^--/;
    my ($noun, $verb, @rest) = @a;
    my $what = "$noun $verb";
    push @{ $self->{procs} }, $what;
    my $sid = option($cmd, '--storage-id');
    my $snap = option(\@rest, '--snapshot');
    my $file = sub { $self->file($sid, @_) };
    my $vol = $rest[0];
    if ($what eq 'snapshot create') {
        my $from = $self->current($file->($vol));
        cp($from, $file->(@rest[0, 1])) if -e $from;
    } elsif ($what eq 'login deactivate') {
        my $dev = $self->device_of($file->($vol, $snap));
        $self->put_back($dev) if $dev;
    } elsif ($what eq 'volume rename') {
        $self->put_back($_) for grep { $self->{active}->{$_} =~ m!/\Q$sid-$vol\E(?:\@[^/]*)?$! } keys %{ $self->{active} };
    } elsif ($what eq 'volume resize') {
        my $size = option(\@rest, '--size') + 0;
        my $dev = $self->device_of($file->($vol));
        my $wwid = $dev ? $self->{wwid}->{$dev} : undef;
        JDSSSim::host_update($self->{sim}, sub {
            for my $t (values %{ $_[0]->{array}->{targets} }) {
                $_->{sizeBytes} = $size for grep { $_->{wwid} eq $wwid } values %{ $t->{luns} };
            }
        }) if $wwid;
    }
    my $out = '';
    my $outfunc = $o{outfunc};
    $o{outfunc} = sub { $out .= "$_[0]\n"; $outfunc->(@_) if $outfunc };
    my $rc = $run->($cmd, %o);
    return $rc if $rc;
    my $answer = sub { JSON::PP->new->decode($out) };
    if ($what eq 'login activate') {
        my $r = $answer->();
        my ($real) = (abs_path($r->{device}) // '') =~ m!^(/.*)$!;
        if ($real =~ m!^\Q$self->{hostdev}\E/! && -f $real && !$self->{active}->{$real}) {
            my $f = $file->($vol, $snap);
            cp($f, $real) if -e $f;
            truncate($real, $r->{sizeBytes}) or die "truncate $real: $!";
            $self->{active}->{$real} = $f;
            $self->{wwid}->{$real} = $r->{wwid};
        }
    } elsif ($what eq 'volume delete') {
        unlink($file->($vol), glob($file->($vol) . '@*'));
    } elsif ($what eq 'snapshot delete') {
        unlink($file->(@rest[0, 1]));
    } elsif ($what eq 'snapshot rollback' && !grep { $_ eq '--check' } @rest) {
        my $from = $file->(@rest[0, 1]);
        if (-e $from) {
            cp($from, $file->($vol));
            my $dev = $self->device_of($file->($vol));
            cp($from, $dev) if $dev;
        }
    } elsif ($what eq 'volume clone') {
        my $from = $self->current($file->($vol, $snap));
        cp($from, $file->($answer->()->{name})) if -e $from;
    } elsif ($what eq 'volume rename') {
        my $new = $answer->()->{name};
        for my $old (grep { -e } $file->($vol), glob($file->($vol) . '@*')) {
            (my $to = $old) =~ s!/\Q$sid-$vol\E(\@[^/]*)?$!"/$sid-$new" . ($1 // '')!e;
            rename($old, $to) or die "rename $old: $!";
        }
    } elsif ($what eq 'volume resize') {
        my $dev = $self->device_of($file->($vol));
        truncate($dev, option(\@rest, '--size')) or die "truncate $dev: $!" if $dev;
    }
    return $rc;
}

1;
