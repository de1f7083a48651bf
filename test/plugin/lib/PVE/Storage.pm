package PVE::Storage;

# Test stand-in for the part of PVE::Storage (pve-storage 9.1) the plugin meets: the API
# version constants and the loader that accepts or rejects a custom plugin. APIVER/APIAGE are
# plain subs so that tests can replace them (`local *PVE::Storage::APIVER = sub { 12 }`).

use strict;
use warnings;

use PVE::Storage::Plugin;

sub APIVER { 15 }
sub APIAGE { 6 }

# The checks PVE::Storage runs for every *.pm in /usr/share/perl5/PVE/Storage/Custom/: what it
# dies with is what the real loader only warns about (and the storage type silently vanishes).
# Returns the warnings the real loader would print.
sub load_custom_plugin {
    my ($modname) = @_;
    (my $file = "$modname.pm") =~ s!::!/!g;
    require $file;
    die "not derived from PVE::Storage::Plugin\n" if !$modname->isa('PVE::Storage::Plugin');
    die "does not provide an api() method\n" if !$modname->can('api');
    my $version = $modname->api();
    die "implements an API version newer than current ($version > " . APIVER() . ")\n"
        if $version > APIVER();
    my $min = APIVER() - APIAGE();
    die "API version too old, please update the plugin ($version < $min)\n" if $version < $min;
    my @warnings;
    push @warnings, "Plugin \"$modname\" is implementing an older storage API, an upgrade is recommended\n"
        if $version != APIVER();
    return @warnings;
}

1;
