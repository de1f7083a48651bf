#!/usr/bin/perl
# The real PVE::Storage loads our plugin as its loader loads /usr/share/perl5/PVE/Storage/
# Custom/*.pm (interface and API checks, register, Plugin->init() merging every schema): no
# warning, the repository's copy, the current API; storage.cfg sections parse with the real
# SectionConfig parser.
use strict;
use warnings;
BEGIN { my ($d) = __FILE__ =~ m!^(.*)/[^/]+$!; ($d) = ($d // '.') =~ /^(.*)$/; unshift @INC, "$d/lib" }
use Test::More;
use RealPVE;

note("PVE storage code from $RealPVE::SOURCE");
my $P = $RealPVE::PLUGIN;
is_deeply(\@RealPVE::LOAD_WARNINGS, [], 'loaded without a warning');
like($INC{'PVE/Storage/Custom/JovianDSSPlugin.pm'}, qr!^\Q$RealPVE::ROOT\E/perl/!, 'the repository copy');
is(PVE::Storage::Plugin->lookup('joviandss'), $P, 'registered as type joviandss');
is($P->api(), PVE::Storage::APIVER(), 'api() = APIVER ' . PVE::Storage::APIVER());
ok(grep({ $_ eq 'joviandss' } @PVE::Storage::Plugin::SHARED_STORAGE), 'a shared storage type');
my $create = PVE::Storage::Plugin->createSchema();
ok($create->{properties}->{pool_name}, 'pool_name in the merged create schema (pvesm add)');
ok($create->{properties}->{data_addresses}, 'data_addresses too');

sub parse {
    my ($text) = @_;
    my @warn;
    local $SIG{__WARN__} = sub { push @warn, @_ };
    my $cfg = PVE::Storage::Plugin->parse_config('/etc/pve/storage.cfg', $text);
    return ($cfg, join('', @warn));
}

subtest 'storage.cfg sections (real SectionConfig parser)' => sub {
    my ($cfg, $warn) = parse(<<'CFG');
joviandss: jdss-Pool-0
	pool_name Pool-0
	data_addresses 192.168.29.102,192.168.30.102
	control_addresses 192.168.28.102
	content images,rootdir
	shared 1
	multipath 1
	thin_provisioning 1
CFG
    is($warn, '', 'no warning');
    my $s = $cfg->{ids}->{'jdss-Pool-0'};
    is_deeply([@$s{qw(type pool_name multipath shared)}], ['joviandss', 'Pool-0', 1, 1], 'parsed');
    is_deeply($s->{content}, { images => 1, rootdir => 1 }, 'content');
};

done_testing();
