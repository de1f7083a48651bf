#!/usr/bin/perl
# The package's check of /etc/pve/storage.cfg (run by postinst configure, installed as
# /usr/lib/jdssc/storage-cfg-check). A node switching from Open-E's plugin keeps its `joviandss`
# and `joviandss-nfs` sections; this reads them with the Proxmox storage code and the plugins
# just installed, exactly as pvedaemon will, and prints one line per storage that loses
# something, naming what to do: a section Proxmox now skips, keys it ignores, values it
# refuses, a missing password file. A joviandss password file found only at Open-E's place
# (/etc/pve/priv/storage/joviandss/<id>.pw) is copied to ours (/etc/pve/priv/storage/<id>.pw;
# the old one stays, so going back to Open-E's package still works). joviandss-nfs reads
# Open-E's place itself (docs/NAS.md). Never prints a value (a line could hold a secret) and
# always exits 0: a package must not fail to install over a storage.cfg problem.
# Under `dpkg --root` (DPKG_ROOT set: the packaging test) it works inside that root.

use strict;
use warnings;

use Fcntl qw(O_WRONLY O_CREAT O_EXCL);

my $ROOT = $ENV{DPKG_ROOT} // '';
$ROOT =~ s!/+$!!;
my $CFG = '/etc/pve/storage.cfg';
my $PRIV = '/etc/pve/priv/storage';
my %OURS = map { $_ => 1 } qw(joviandss joviandss-nfs);

sub say_line { print "jdssc: $_[0]\n" }

sub slurp {
    my ($file) = @_;
    open(my $fh, '<', $file) or return undef;
    local $/;
    return scalar <$fh>;
}

my $text = slurp("$ROOT$CFG");
exit 0 if !defined $text;

# Our sections in file order, by the section header grammar PVE uses (`type: id`).
my @sections;
while ($text =~ /^([a-z][a-z0-9_-]*):\s*(\S+)\s*$/mg) {
    push @sections, { type => $1, id => $2 } if $OURS{$1};
}
exit 0 if !@sections;

my (%notes, @load_errors);
my $parsed = eval { parse_with_pve($text) };
if (!$parsed) {
    (my $why = $@ || 'unknown error') =~ s/\n.*//s;
    $why =~ s/ \(you may need.*| in \@INC.*//;
    say_line("storage.cfg not checked: cannot load the Proxmox storage code ($why); "
        . 'run `pvesm status` and fix what it warns about');
}
say_line($_) for @load_errors;

for my $s (@sections) {
    my ($id, $type) = @$s{qw(id type)};
    my @n = $parsed ? section_notes($parsed, $id, $type) : ();
    push @n, password_note($id, $type);
    say_line("storage '$id' ($type): " . join('; ', @n)) if @n;
}
exit 0;

# Loads PVE::Storage (every built-in plugin and the ones in /usr/share/perl5/PVE/Storage/
# Custom) and parses the text with the storage.cfg parser, warnings collected. Inside a dpkg
# root our installed plugins are registered from there, at the moment PVE's own loader would.
sub parse_with_pve {
    my ($cfg_text) = @_;
    unshift @INC, "$ROOT/usr/share/perl5" if $ROOT ne '';
    require PVE::Storage::Plugin;
    {
        my $init = PVE::Storage::Plugin->can('init');
        no warnings qw(redefine once);
        local *PVE::Storage::Plugin::init = sub {
            register_from_root() if $ROOT ne '';
            goto &$init;
        };
        local $SIG{__WARN__} = sub { push @load_errors, map { s/\s+$//r } @_ };
        require PVE::Storage;
    }
    my @warn;
    my $cfg = do {
        local $SIG{__WARN__} = sub { push @warn, @_ };
        PVE::Storage::Plugin->parse_config($CFG, $cfg_text);
    };
    return { cfg => $cfg, warnings => \@warn };
}

sub register_from_root {
    my $dir = "$ROOT/usr/share/perl5/PVE/Storage/Custom";
    opendir(my $dh, $dir) or return;
    for my $file (sort grep { /^\w+\.pm$/ } readdir($dh)) {
        (my $mod = "PVE::Storage::Custom::$file") =~ s/\.pm$//;
        eval {
            require "PVE/Storage/Custom/$file";
            my $type = $mod->type();
            $mod->register() if !PVE::Storage::Plugin->private()->{plugins}->{$type};
        };
        push @load_errors, "cannot load /usr/share/perl5/PVE/Storage/Custom/$file: " . ($@ =~ s/\n.*//sr) if $@;
    }
}

# What Proxmox makes of one section: skipped, keys ignored, values refused, odd lines.
sub section_notes {
    my ($p, $id, $type) = @_;
    my (@skip, @ignored, @refused, $odd);
    for my $w (@{ $p->{warnings} }) {
        if ($w =~ /\(skip section '\Q$id\E'\): (.*?)\s*$/s) {
            push @skip, $1 =~ s/ - got .*//r;
        } elsif ($w =~ /\(section '\Q$id\E'\) - unable to parse value of '([^']+)': (.*?)\s*$/s) {
            my ($k, $err) = ($1, $2);
            # not an option of this type / not declared by any plugin: PVE drops the key
            if ($err =~ /^(?:unexpected property|unknown property type)/) { push @ignored, $k }
            else { push @refused, "$k (" . ($err =~ s/ - got .*//r) . ')' }
        } elsif ($w =~ /\(section '\Q$id\E'\) - ignore config line/) {
            $odd++;
        }
    }
    my @n;
    push @n, 'Proxmox skips this storage (' . join('; ', @skip) . "): check its section in $CFG" if @skip;
    if (@ignored) {
        my $plugin = eval { PVE::Storage::Plugin->lookup($type) };
        my $opts = $plugin ? $plugin->options() : {};
        my @renames = map { $opts->{"jdss_$_"} ? "$_ is now jdss_$_" : () } @ignored;
        push @n, 'keys ignored: ' . join(', ', @ignored) . " (delete them from $CFG"
            . (@renames ? '; ' . join(', ', @renames) : '') . ')';
    }
    push @n, 'values refused: ' . join(', ', @refused) . " (fix them in $CFG)" if @refused;
    push @n, "$odd line(s) Proxmox cannot read in its section" if $odd;
    return @n;
}

sub password_note {
    my ($id, $type) = @_;
    my $ours = "$PRIV/$id.pw";
    my $theirs = "$PRIV/$type/$id.pw";
    return () if -f "$ROOT$ours";
    if (!-f "$ROOT$theirs") {
        return "no password file: write $ours (a line `user_password <REST password>`, mode 0600)";
    }
    return () if $type eq 'joviandss-nfs'; # read from Open-E's place by the plugin
    my $err = copy_secret($theirs, $ours);
    return $err
        ? "password file not copied ($err): run `install -m 0600 $theirs $ours`"
        : "password file copied from $theirs to $ours (the old one stays)";
}

# Paths as the node sees them (without DPKG_ROOT); the copy is made 0600 and never replaces a file.
sub copy_secret {
    my ($from, $to) = @_;
    my $data = slurp("$ROOT$from");
    return "cannot read $from: $!" if !defined $data;
    my $umask = umask(077);
    my $ok = sysopen(my $fh, "$ROOT$to", O_WRONLY | O_CREAT | O_EXCL, 0600);
    umask($umask);
    return "cannot create $to: $!" if !$ok;
    my $written = print {$fh} $data;
    my $closed = close($fh);
    if (!$written || !$closed) {
        my $e = $!;
        unlink "$ROOT$to";
        return "cannot write $to: $e";
    }
    return '';
}
