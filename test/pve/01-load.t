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

subtest "a section written for Open-E's plugin" => sub {
    my ($cfg, $warn) = parse(<<'CFG');
joviandss: jdss-Pool-0
	pool_name Pool-0
	data_addresses 192.168.29.102
	content images,rootdir
	shared 1
	create-base-path 1
	create-subdirs 0
	thin_provisioning 1
CFG
    is($warn, '', "PVE's own create-base-path / create-subdirs: accepted, no warning");
    ok($cfg->{ids}->{'jdss-Pool-0'}, 'section loaded');
    ($cfg, $warn) = parse(<<'CFG');
joviandss: jdss-Pool-0
	pool_name Pool-0
	data_addresses 192.168.29.102
	path /mnt/joviandss
	debug 1
	jdssc_timeout 113
CFG
    my $s = $cfg->{ids}->{'jdss-Pool-0'};
    ok($s, 'a section with keys only Open-E knew still loads ...');
    like($warn, qr/'debug'.*\n.*'jdssc_timeout'/s, '... they are ignored with a warning (not declared: see options())');
    like($warn, qr/'path'/, 'path is not accepted (file-style code)');
    ok(!exists $s->{path} && !exists $s->{debug}, 'none of them reaches the plugin');
};

subtest 'parse_volname as PVE calls it' => sub {
    is_deeply([$P->parse_volname('vm-100-disk-0')], ['images', 'vm-100-disk-0', 100, undef, undef, undef, 'raw'], 'a disk');
    is_deeply([$P->parse_volname('base-100-disk-0')], ['images', 'base-100-disk-0', 100, undef, undef, 1, 'raw'], 'a template');
    is_deeply([$P->parse_volname('base-100-disk-0/vm-101-disk-2')],
        ['images', 'vm-101-disk-2', 101, 'base-100-disk-0', 100, undef, 'raw'], 'a linked clone: array name after the /');
    is_deeply([$P->parse_volname('100/vm-100-disk-1.raw')], ['images', 'vm-100-disk-1', 100, undef, undef, undef, 'raw'], 'dir-style import name');
    eval { $P->parse_volname('vm-100-disk-0/vm-101-disk-0') };
    like($@, qr/unable to parse/, 'only a base- volume can be a parent');
};

done_testing();
