#!/usr/bin/perl
# The packaging test's reader of <root>/etc/pve/storage.cfg: the real PVE::Storage (PERL5LIB from
# the test) with the storage plugins installed in <root>/usr/share/perl5/PVE/Storage/Custom
# registered where PVE's own loader would (after the built-ins, before init()), then the real
# storage.cfg parser. Prints one JSON document: the sections, the parser's warnings, for each
# type the module and the file it was loaded from, and for each section the password file the
# installed plugins would read (under <root>) and whether it yields a user_password (never the
# value). Exit 77: the PVE code cannot be loaded.
use strict;
use warnings;

use JSON::PP;

my ($root) = @ARGV or die "usage: $0 <root>\n";
unshift @INC, "$root/usr/share/perl5";
my %from;
eval {
    require PVE::Storage::Plugin;
    my $init = PVE::Storage::Plugin->can('init');
    no warnings qw(redefine once);
    local *PVE::Storage::Plugin::init = sub {
        my $dir = "$root/usr/share/perl5/PVE/Storage/Custom";
        opendir(my $dh, $dir) or die "$dir: $!\n";
        for my $file (sort grep { /\.pm$/ } readdir($dh)) {
            (my $mod = "PVE::Storage::Custom::$file") =~ s/\.pm$//;
            require "PVE/Storage/Custom/$file";
            $mod->register();
        }
        goto &$init;
    };
    require PVE::Storage;
    1;
} or do {
    print STDERR "cannot load the PVE storage code: $@";
    exit 77;
};

my $plugins = PVE::Storage::Plugin->private()->{plugins};
for my $type (qw(joviandss joviandss-nfs)) {
    my $mod = $plugins->{$type} or next;
    (my $file = "$mod.pm") =~ s!::!/!g;
    $from{$type} = { module => $mod, file => $INC{$file} };
}
my $text = do { local (@ARGV, $/) = "$root/etc/pve/storage.cfg"; <> };
my @warn;
my $cfg = do {
    local $SIG{__WARN__} = sub { push @warn, @_ };
    PVE::Storage::Plugin->parse_config('/etc/pve/storage.cfg', $text);
};
my %secrets;
if (my $read = PVE::Storage::Custom::JovianDSS::Secrets->can('read_secrets')) {
    no warnings 'once';
    local $PVE::Storage::Custom::JovianDSS::Secrets::PRIV_DIR = "$root/etc/pve/priv/storage";
    for my $id (sort keys %{ $cfg->{ids} }) {
        my %s = $read->($id);
        my $file = PVE::Storage::Custom::JovianDSS::Secrets::password_file($id);
        $secrets{$id} = { file => $file =~ s/^\Q$root\E//r, user_password => defined($s{user_password}) ? JSON::PP::true : JSON::PP::false };
    }
}
print JSON::PP->new->canonical->convert_blessed->encode(
    { ids => $cfg->{ids}, warnings => [map { s/\s+$//r } @warn], plugins => \%from, secrets => \%secrets });
