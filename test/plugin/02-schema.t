#!/usr/bin/perl
# storage.cfg schema: no property name collides with PVE's own plugins or well-known
# third-party ones (PVE merges all plugins' properties into one schema and a duplicate stops
# every storage daemon), options() only name declared properties, and values are checked.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;

use JDSSTest qw(plugin);
use PVE::Storage::KnownPlugins;
my $P = plugin();

my $ours = $P->properties();
my @expected = qw(
    pool_name config user_name user_password control_addresses data_addresses control_port
    data_port target_prefix luns_per_target block_size thin_provisioning multipath
    ssl_cert_verify jdss_ssl_ca_file chap_enabled chap_user_name chap_user_password
    cluster_prefix jdss_debug log_file
);
is_deeply([sort keys %$ours], [sort @expected], 'the plugin declares exactly these properties');

subtest 'no name is declared by PVE 9.1 or a well-known plugin' => sub {
    my $known = PVE::Storage::KnownPlugins::all_names();
    for my $name (sort keys %$ours) {
        ok(!exists $known->{$name}, "$name is ours alone")
            or diag("$name is already declared by $known->{$name}");
    }
    ok(exists $known->{debug}, 'the list knows the TrueNAS plugin\'s bare `debug`');
    ok(!exists $ours->{debug}, 'so ours is `jdss_debug`');
};

subtest 'PVE schema merge with every known plugin registered' => sub {
    PVE::Storage::Plugin::reset_registry();
    PVE::Storage::KnownPlugins::register_all();
    $P->register();
    eval { PVE::Storage::Plugin->init() };
    is($@, '', 'init() merges all properties without "duplicate property"');
    my $merged = PVE::Storage::Plugin::private()->{propertyList};
    ok($merged->{$_}, "option '$_' names a declared property") for sort keys %{ $P->options() };

    package PVE::Storage::Custom::Clash { our @ISA = ('PVE::Storage::Plugin');
        sub type { 'clash' } sub plugindata { {} } sub properties { { debug => { type => 'boolean' } } } }
    PVE::Storage::Plugin::reset_registry();
    PVE::Storage::KnownPlugins::register_all();
    PVE::Storage::Custom::Clash->register();
    eval { PVE::Storage::Plugin->init() };
    like($@, qr/duplicate property 'debug'/, 'the stand-in does catch a clash (a bare `debug`)');
};

subtest 'options: what is required, fixed, optional' => sub {
    my $o = $P->options();
    is_deeply($o->{pool_name}, { fixed => 1 }, 'pool_name: required, fixed after add');
    is_deeply($o->{data_addresses}, {}, 'data_addresses: required');
    is_deeply($o->{cluster_prefix}, { optional => 1, fixed => 1 }, 'cluster_prefix: optional, fixed');
    ok($o->{$_}->{optional}, "$_ optional") for qw(content shared disable nodes create-base-path user_password chap_user_password);
    ok(!exists $P->properties()->{$_}, "$_ listed, not redeclared") for qw(content shared disable nodes create-base-path create-subdirs content-dirs);
    ok(!exists $o->{path}, 'no path: it would switch PVE into file-style code');
};

subtest 'check_config as pvesm add / pvesm set' => sub {
    PVE::Storage::Plugin::reset_registry();
    PVE::Storage::KnownPlugins::register_all();
    $P->register();
    PVE::Storage::Plugin->init();
    my %ok = (pool_name => 'Pool-0', data_addresses => '192.168.29.102, 192.168.30.102',
        control_addresses => '192.168.28.102,fd00::2', control_port => 82, block_size => '64k',
        thin_provisioning => 'yes', cluster_prefix => 'pveA', target_prefix => 'iqn.2025-04.proxmox.joviandss.iscsi:',
        chap_user_name => 'pve', log_file => '/var/log/jdssc.log', jdss_ssl_ca_file => '/etc/pve/jdss-ca.pem',
        content => 'images,rootdir', shared => 1);
    my $c = eval { $P->check_config('jdss1', {%ok}, 1) };
    is($@, '', 'a full configuration is accepted') or return;
    is($c->{thin_provisioning}, 1, 'booleans are stored as 0/1');
    my @bad = (
        [{ %ok, pool_name => undef }, qr/pool_name: property is missing/],
        [{ %ok, data_addresses => undef }, qr/data_addresses: property is missing/],
        [{ %ok, data_addresses => 'host.example.com' }, qr/data_addresses: value does not match/],
        [{ %ok, control_port => 70000 }, qr/control_port: value may not exceed/],
        [{ %ok, block_size => '3K' }, qr/block_size: value does not match/],
        [{ %ok, cluster_prefix => '1abc' }, qr/cluster_prefix: value does not match/],
        [{ %ok, target_prefix => 'not-an-iqn' }, qr/target_prefix: value does not match/],
        [{ %ok, log_file => 'relative.log' }, qr/log_file: invalid format/],
        [{ %ok, luns_per_target => 0 }, qr/luns_per_target: value must have a minimum/],
        [{ %ok, luns_per_target => 256 }, qr/luns_per_target: value may not exceed 255/],
        [{ %ok, block_size => '64Kx' }, qr/block_size: value does not match/],
        [{ %ok, block_size => '41M' }, qr/block_size: value does not match/],
        [{ %ok, target_prefix => 'iqn.2025-04.Proxmox.jdss:' }, qr/target_prefix: value does not match/],
        [{ %ok, target_prefix => 'iqn.2025-04.x::' }, qr/target_prefix: value does not match/],
        [{ %ok, chap_user_name => '-pve' }, qr/chap_user_name: value does not match/],
        [{ %ok, chap_user_name => 'pve user' }, qr/chap_user_name: value does not match/],
        [{ %ok, chap_user_password => 'chap secret 12' }, qr/chap_user_password: value does not match/],
        [{ %ok, chap_user_password => 'short-secr' }, qr/chap_user_password: value must be at least 12/],
        [{ %ok, debug => 1 }, qr/debug: unexpected property/],
    );
    for my $b (@bad) {
        my %cfg = %{ $b->[0] };
        delete $cfg{$_} for grep { !defined $cfg{$_} } keys %cfg;
        eval { $P->check_config('jdss1', \%cfg, 1) };
        like($@, $b->[1], "refused: $b->[1]");
    }
    eval { $P->check_config('jdss1', { pool_name => 'Pool-1' }, 0, \%ok) };
    like($@, qr/can't change value of fixed parameter 'pool_name'/, 'pool_name cannot change');
    eval { $P->check_config('jdss1', { cluster_prefix => 'other' }, 0, \%ok) };
    like($@, qr/fixed parameter 'cluster_prefix'/, 'cluster_prefix cannot change');
    is(eval { $P->check_config('jdss1', { multipath => 1, luns_per_target => 16 }, 0, \%ok) } && $@, '',
        'other settings can change');
    # the bounds and name rules jdssc itself applies (src/config/values.ts, schema.ts)
    my %edge = (luns_per_target => 255, block_size => '1m', target_prefix => 'iqn.2025-04.x.y-z:pve:1',
        chap_user_name => 'pve_node-1', chap_user_password => 'aZ0-_!@%()+?.:;');
    for my $k (sort keys %edge) {
        is(eval { $P->check_config('jdss1', { %ok, $k => $edge{$k} }, 1) } && $@, '', "accepted: $k $edge{$k}");
    }
};

subtest 'storage.cfg -> jdssc global flags' => sub {
    my %cfg = (pool_name => 'Pool-1', config => '/etc/pve/jdss.yaml', user_name => 'pve',
        control_addresses => '10.0.0.1,10.0.0.2', control_port => 8443, data_addresses => '10.0.1.1',
        data_port => 3261, target_prefix => 'iqn.2025-04.x:', luns_per_target => 4, block_size => '64K',
        thin_provisioning => 0, multipath => 1, ssl_cert_verify => 0, jdss_ssl_ca_file => '/etc/ca.pem',
        chap_enabled => 1, chap_user_name => 'u1', cluster_prefix => 'c1', jdss_debug => 1,
        log_file => '/var/log/jdssc.log', content => { images => 1 }, shared => 1);
    local $PVE::Storage::Custom::JovianDSS::Cli::JDSSC = '/usr/bin/jdssc';
    local $ENV{JDSSC_BIN};
    my @argv = PVE::Storage::Custom::JovianDSS::Cli::jdssc_argv(\%cfg, 'st1', 20, 'pool', 'stats');
    no warnings 'qw'; # the address lists have commas
    is_deeply(\@argv, [qw(/usr/bin/jdssc -c /etc/pve/jdss.yaml --pool Pool-1
        --control-addresses 10.0.0.1,10.0.0.2 --control-port 8443 --data-addresses 10.0.1.1
        --data-port 3261 --user-name pve --target-prefix iqn.2025-04.x: --luns-per-target 4
        --chap-user u1 --cluster-prefix c1 --ca-file /etc/ca.pem --log-file /var/log/jdssc.log
        --chap-enabled true --multipath true --ssl-cert-verify false),
        '--password-file', "$PVE::Storage::Custom::JovianDSS::Secrets::PRIV_DIR/st1.pw",
        qw(--storage-id st1 --log-level debug --json --timeout 20 pool stats)], 'every key, in order')
        or diag "@argv";
    my @min = PVE::Storage::Custom::JovianDSS::Cli::jdssc_argv({ pool_name => 'P', data_addresses => '1.2.3.4' }, 's', 5, 'x');
    is_deeply([@min[1 .. $#min]], ['--pool', 'P', '--data-addresses', '1.2.3.4', '--password-file',
        "$PVE::Storage::Custom::JovianDSS::Secrets::PRIV_DIR/s.pw", qw(--storage-id s --json --timeout 5 x)],
        'unset keys pass no flag (jdssc defaults apply)');

    my $help = `$JDSSTest::ROOT/bin/jdssc --help 2>&1`;
    for my $flag (grep { /^--/ } @argv) {
        like($help, qr/\s\Q$flag\E\s/, "jdssc knows $flag");
    }
    like($help, qr/-c, --config/, 'jdssc knows -c');
};

done_testing();
