#!/usr/bin/perl
# Loading: PVE's loader accepts the plugin on every host API version it can, api() clamps the
# host's APIVER to 9..15, and the registration data is what PVE expects.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;

use JDSSTest qw(plugin);
my $P = plugin();

subtest 'PVE loader accepts the plugin on PVE 9.1 without a warning' => sub {
    my @warnings = PVE::Storage::load_custom_plugin($P);
    is_deeply(\@warnings, [], 'no "older storage API" warning');
    ok($P->isa('PVE::Storage::Plugin'), 'derives from PVE::Storage::Plugin');
    is($P->api(), 15, 'api() is the host APIVER');
};

subtest 'api() = host APIVER clamped to 9..15' => sub {
    no warnings 'redefine';
    for my $case ([8, 9], [9, 9], [12, 12], [15, 15], [16, 15]) {
        my ($host, $want) = @$case;
        local *PVE::Storage::APIVER = sub { $host };
        is($P->api(), $want, "host APIVER $host -> $want");
    }
    {
        local *PVE::Storage::APIVER = sub { 8 };
        local *PVE::Storage::APIAGE = sub { 1 };
        eval { PVE::Storage::load_custom_plugin($P) };
        like($@, qr/newer than current \(9 > 8\)/, 'a PVE 7 host (APIVER 8) refuses it');
    }
    {
        local *PVE::Storage::APIVER = sub { 16 };
        my @w = PVE::Storage::load_custom_plugin($P);
        like("@w", qr/older storage API/, 'a newer host (APIVER 16, AGE 6) loads it with a warning');
    }
    {
        local *PVE::Storage::APIVER = sub { 12 };
        local *PVE::Storage::APIAGE = sub { 3 };
        is_deeply([PVE::Storage::load_custom_plugin($P)], [], 'PVE 9.0 (APIVER 12) loads it silently');
    }
    {
        local *PVE::Storage::APIVER;
        undef *PVE::Storage::APIVER;
        is($P->api(), 15, 'without PVE::Storage::APIVER the fallback is 15');
    }
};

subtest 'registration data' => sub {
    is($P->type(), 'joviandss', 'type');
    my $pd = $P->plugindata();
    is_deeply($pd->{content}, [{ images => 1, rootdir => 1, none => 1 }, { images => 1, rootdir => 1 }],
        'content: images and rootdir (default), or none');
    is_deeply($pd->{format}, [{ raw => 1 }, 'raw'], 'raw only');
    is_deeply($pd->{'sensitive-properties'}, { user_password => 1, chap_user_password => 1 },
        'both passwords are sensitive');
    ok(grep({ $_ eq 'joviandss' } @PVE::Storage::Plugin::SHARED_STORAGE) == 1,
        'joviandss is a shared storage type (listed once)');
    is($P->volume_qemu_snapshot_method('s', {}, 'vm-100-disk-0'), 'storage',
        'snapshots of running VMs are taken on the array');
    is($P->activate_storage('s', {}, {}), 1, 'activate_storage: nothing to do');
    is($P->deactivate_storage('s', {}, {}), 1, 'deactivate_storage: nothing to do');
};

subtest 'without PVE::Storage loaded at all' => sub {
    my $out = `$^X -I$FindBin::Bin/lib -I$JDSSTest::ROOT/perl -e 'require PVE::Storage::Custom::JovianDSSPlugin; print exists(\$INC{"PVE/Storage.pm"}) ? "loaded " : "absent ", PVE::Storage::Custom::JovianDSSPlugin->api()' 2>&1`;
    is($out, 'absent 15', 'api() falls back to 15');
};

is_deeply([JDSSTest::argv_log()], [], 'nothing was executed');
done_testing();
