#!/usr/bin/perl
# The joviandss-nfs plugin's schema beside the joviandss one (PVE merges every plugin's
# properties into one schema; a name declared twice stops every storage daemon): it declares
# nas_quota only, options() name only declared properties (ours, the joviandss plugin's, PVE's
# server/export/path/options), both load together with every known plugin, and the password
# file of a storage taken over from Open-E is where Open-E keeps it.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;

use JDSSTest qw(plugin tmp);
use PVE::Storage::KnownPlugins;
require PVE::Storage::Custom::JovianDSSNFSPlugin;
my $N = 'PVE::Storage::Custom::JovianDSSNFSPlugin';
my $P = plugin();

is($N->type(), 'joviandss-nfs', 'type');
is_deeply([sort keys %{ $N->properties() }], ['nas_quota'], 'declares nas_quota only');
ok(!exists PVE::Storage::KnownPlugins::all_names()->{nas_quota}, 'nas_quota is declared by no known plugin');
ok(!exists $P->properties()->{nas_quota}, '... nor by the joviandss plugin');

subtest 'both plugins with every known plugin: init() merges without "duplicate property"' => sub {
    PVE::Storage::Plugin::reset_registry();
    PVE::Storage::KnownPlugins::register_all();
    $P->register();
    $N->register();
    eval { PVE::Storage::Plugin->init() };
    is($@, '', 'no duplicate property');
    my $merged = PVE::Storage::Plugin::private()->{propertyList};
    ok($merged->{$_}, "option '$_' names a declared property") for sort keys %{ $N->options() };
};

subtest 'options: Open-E sections parse unchanged' => sub {
    my $o = $N->options();
    is_deeply($o->{$_}, { fixed => 1 }, "$_ required, fixed") for qw(server export path);
    ok($o->{$_}->{optional}, "$_ optional") for qw(user_name user_password control_addresses control_port
        data_addresses ssl_cert_verify log_file options content shared prune-backups nas_quota);
    ok(!exists $o->{$_}, "Open-E-only $_ not declared") for qw(debug jdssc_general_lock_type);
    is_deeply([sort keys %{ $N->plugindata()->{content}->[0] }],
        [qw(backup images import iso none rootdir snippets vztmpl)], 'content types');
};

subtest 'jdssc flags: the pool from the export, REST addresses default to the NFS server' => sub {
    my $c = PVE::Storage::Custom::JovianDSSNFSPlugin::cli_cfg({ server => '192.168.31.152', export => '/Pools/Pool-1/datastore-pve-01' });
    is_deeply([@$c{qw(pool_name control_addresses)}], ['Pool-1', '192.168.31.152'], 'pool and control address');
    $c = PVE::Storage::Custom::JovianDSSNFSPlugin::cli_cfg({ server => 'a', data_addresses => '10.0.0.2,10.0.0.3', export => '/Pools/P/d' });
    is($c->{control_addresses}, '10.0.0.2,10.0.0.3', 'data_addresses before server');
    eval { PVE::Storage::Custom::JovianDSSNFSPlugin::cli_cfg({ export => '/srv/x' }) };
    is("$@", "export '/srv/x' must be /Pools/<pool>/<nas-volume> (lower-case name)\n", 'a bad export: one line');
};

subtest "password file: Open-E's joviandss-nfs/<id>.pw when it exists, else ours" => sub {
    my $priv = $PVE::Storage::Custom::JovianDSS::Secrets::PRIV_DIR;
    is(PVE::Storage::Custom::JovianDSS::Secrets::password_file('n1'), "$priv/n1.pw", 'ours by default');
    File::Path::make_path("$priv/joviandss-nfs");
    open(my $fh, '>', "$priv/joviandss-nfs/n1.pw") or die $!;
    print {$fh} "user_password secret-one\n";
    close($fh);
    is(PVE::Storage::Custom::JovianDSS::Secrets::password_file('n1'), "$priv/joviandss-nfs/n1.pw", "Open-E's when present");
    is_deeply({ PVE::Storage::Custom::JovianDSS::Secrets::read_secrets('n1') }, { user_password => 'secret-one' }, 'read in the same format');
};

done_testing();
