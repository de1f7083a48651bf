#!/usr/bin/perl
# config-examples/storage.cfg stays valid: every key is a property the plugin declares (or a
# standard one it lists in options()), and every section is of type joviandss.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../../perl";
use Test::More;

use PVE::Storage::Custom::JovianDSSPlugin;
my $P = 'PVE::Storage::Custom::JovianDSSPlugin';
my %props = (%{ $P->properties() }, map { $_ => 1 } keys %{ $P->options() });

open(my $fh, '<', "$FindBin::Bin/../../config-examples/storage.cfg") or die "storage.cfg: $!";
my ($section, $count) = (undef, 0);
while (my $line = <$fh>) {
    next if $line =~ /^\s*(#|$)/;
    if ($line =~ /^(\S+):\s+(\S+)\s*$/) {
        is($1, 'joviandss', "section $2 is of type joviandss");
        $section = $2;
        $count++;
        next;
    }
    my ($key, $value) = $line =~ /^\s+(\S+)\s+(.*?)\s*$/ or next;
    ok(exists $props{$key}, "$section: $key is a known property");
    unlike($key, qr/password/, "$section: no secret in storage.cfg");
}
cmp_ok($count, '>=', 5, 'one pool, two pools, multipath, CHAP and cluster prefix examples');
done_testing();
