#!/usr/bin/perl
# A joviandss-nfs storage through the REAL PVE::Storage (pve-storage 9.1) and our plugin, against
# the simulator (NAS volume files in its data directory) and the fake host (its mount shows the
# NAS volume's folder at `path`): both storage types load together, pvesm add creates the NAS
# volume and share (nas_quota) and mounts, PVE's own file code puts an ISO, a template and a
# backup there, a NAS snapshot rollback brings files back, deactivation leaves nothing mounted;
# bad input (content type, a path that holds another mount, quota 0) changes nothing.
use strict;
use warnings;
BEGIN { my ($d) = __FILE__ =~ m!^(.*)/[^/]+$!; ($d) = ($d // '.') =~ /^(.*)$/; unshift @INC, "$d/lib" }
use Test::More;
use RealPVE;
use PVETier qw(call cfg);
use NFSTier qw(start_nfs_sim add_nfs_storage foreign_mount fake_mounts);
use PVE::Storage::Custom::JovianDSS::Cli qw(jdssc);

my $sim = start_nfs_sim();
my $S = 'jdss-nfs';
my $P = 'PVE::Storage::Custom::JovianDSSNFSPlugin';
my $cfgfile = "$ENV{PVE_TEST_CFS_DIR}/storage.cfg";
my $cfgtext = sub { -f $cfgfile ? PVE::Tools::file_get_contents($cfgfile) : '' };
my $nasdir = "$sim->{nas_data}/nas/Pool-0/pve-files";

subtest 'both storage types load together (no duplicate property)' => sub {
    is_deeply(\@RealPVE::LOAD_WARNINGS, [], 'no loader warning');
    is(PVE::Storage::Plugin->lookup('joviandss-nfs'), $P, 'joviandss-nfs registered');
    is(PVE::Storage::Plugin->lookup('joviandss'), $RealPVE::PLUGIN, 'joviandss registered');
    my @warn;
    local $SIG{__WARN__} = sub { push @warn, @_ };
    my $cfg = PVE::Storage::Plugin->parse_config('/etc/pve/storage.cfg', <<'CFG');
joviandss-nfs: jdss-nfs-01
	server 192.168.31.152
	export /Pools/Pool-1/datastore-pve-01
	path /mnt/pve/jdss-nfs-01
	user_name admin
	content iso,vztmpl,backup,snippets,import,images,rootdir
	shared 1

joviandss: jdss-Pool-0
	pool_name Pool-0
	data_addresses 192.168.29.102
	content images,rootdir
	shared 1
CFG
    is(join('', @warn), '', "Open-E's joviandss-nfs section parses without a warning");
    my $s = $cfg->{ids}->{'jdss-nfs-01'};
    is_deeply([$s->{type}, $s->{server}, $s->{export}, $s->{path}], ['joviandss-nfs', '192.168.31.152',
        '/Pools/Pool-1/datastore-pve-01', '/mnt/pve/jdss-nfs-01'], 'its keys');
    is_deeply([sort keys %{ $s->{content} }], [qw(backup images import iso rootdir snippets vztmpl)], 'every content type');
    is($cfg->{ids}->{'jdss-Pool-0'}->{type}, 'joviandss', 'the joviandss section beside it');
};

subtest 'bad input: one clear line, nothing changed' => sub {
    my $before = $cfgtext->();
    my @cases = (
        # PVE's own parameter check answers first: its usual "400 Parameter verification failed." + the line
        [{ content => 'iso,images,floppies' }, qr/^content: invalid format - invalid content type 'floppies'$/m, 'unknown content type', 0],
        [{ nas_quota => '0' }, qr/^nas_quota '0': must be a size of more than 0 bytes, e\.g\. 500G$/, 'quota 0', 1],
        [{ nas_quota => '0G' }, qr/^nas_quota '0G': must be a size of more than 0 bytes/, 'quota 0G', 1],
        [{ export => '/srv/nfs/x' }, qr{^export '/srv/nfs/x' must be /Pools/<pool>/<nas-volume>}, 'export not /Pools/...', 1],
        [{ path => '/mnt/pve/../etc' }, qr{^path '/mnt/pve/\.\./etc' must be an absolute directory other than /, without '\.\.'$}, 'path with ..', 1],
        [{ path => '/' }, qr/^path: invalid format/m, 'path / (PVE)', 0],
    );
    for my $c (@cases) {
        my ($extra, $re, $what, $ours) = @$c;
        eval { add_nfs_storage($sim, 'bad', %$extra) };
        like("$@", $re, "$what refused");
        is(scalar(() = "$@" =~ /\n./g), 0, "$what: one line") if $ours;
    }
    my $busy = RealPVE::tmp() . '/mnt/pve/busy';
    File::Path::make_path($busy);
    foreign_mount($sim, $busy, '/dev/sdz1', 'ext4');
    eval { add_nfs_storage($sim, 'busy', path => $busy, nas_quota => '1G') };
    like("$@", qr/\Q$busy\E already holds a mount of \/dev\/sdz1 \(ext4\), not \/Pools\/Pool-0\/pve-files; not mounting over it/,
        'a path that holds another mount: refused');
    is_deeply(fake_mounts($sim), [], 'nothing mounted');
    is($cfgtext->(), $before, 'storage.cfg unchanged');
    ok(!-e "$PVE::Storage::Custom::JovianDSS::Secrets::PRIV_DIR/$_.pw", "no password file left for $_") for qw(bad busy);
    ok(!-d $nasdir, 'no NAS volume created (quota 0 and the busy path stopped before the array)');
};

my $path = RealPVE::tmp() . "/mnt/pve/$S";

subtest 'pvesm add joviandss-nfs: NAS volume and share created, export mounted' => sub {
    my $r = add_nfs_storage($sim, $S, nas_quota => '1G');
    is_deeply($r, { storage => $S, type => 'joviandss-nfs' }, 'created');
    like($cfgtext->(), qr/^joviandss-nfs: $S$/m, 'storage.cfg has the section');
    unlike($cfgtext->(), qr/\Q$sim->{password}\E/, 'no password in storage.cfg');
    my $m = fake_mounts($sim);
    is_deeply([map { "$_->{path} $_->{source}" } @$m], ["$path 127.0.0.2:/Pools/Pool-0/pve-files"], 'mounted over server');
    ok(-d "$path/template/iso" && -d "$path/dump", 'PVE created its content folders');
    ok(-d "$nasdir/template/iso", '... inside the NAS volume');
};

my $cfg = cfg();

subtest 'storage_info: the NAS volume quota' => sub {
    my $info = call('storage_info', $cfg, 'iso');
    is($info->{$S}->{active}, 1, 'active');
    is($info->{$S}->{total}, 2**30, 'total = nas_quota');
    is($info->{$S}->{type}, 'joviandss-nfs', 'type');
};

my $iso = "$S:iso/test-install.iso";
my $tmpl = "$S:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
my $backup = "$S:backup/vzdump-qemu-100-2026_12_02-04_00_00.vma.zst";

subtest 'ISO, template and backup through PVE file code' => sub {
    for my $v ($iso, $tmpl, $backup) {
        my $p = call('path', $cfg, $v);
        PVE::Tools::file_set_contents($p, "content of $v\n" x 100);
    }
    my $isos = call('template_list', $cfg, $S, 'iso');
    is_deeply([map { $_->{volid} } @{ $isos->{$S} }], [$iso], 'template_list iso');
    my $tmpls = call('template_list', $cfg, $S, 'vztmpl');
    is_deeply([map { $_->{volid} } @{ $tmpls->{$S} }], [$tmpl], 'template_list vztmpl');
    my $backups = call('volume_list', $cfg, $S, undef, 'backup');
    is_deeply([map { $_->{volid} } @$backups], [$backup], 'volume_list backup');
    is($backups->[0]->{vmid}, 100, 'the backup belongs to VM 100');
    ok(-f "$nasdir/template/iso/test-install.iso", 'the ISO is a file of the NAS volume on the array');
};

subtest 'NAS snapshot and rollback (jdssc nas-snapshot) bring the files back' => sub {
    my $scfg = PVE::Storage::Custom::JovianDSSNFSPlugin::cli_cfg($cfg->{ids}->{$S});
    jdssc($scfg, $S, ['nas-snapshot', 'create', 'pve-files', 'before-clean']);
    call('vdisk_free', $cfg, $iso);
    ok(!-e call('path', $cfg, $iso), 'ISO freed (vdisk_free)');
    jdssc($scfg, $S, ['nas-snapshot', 'rollback', 'pve-files', 'before-clean']);
    my $isos = call('template_list', $cfg, $S, 'iso');
    is_deeply([map { $_->{volid} } @{ $isos->{$S} }], [$iso], 'ISO back after the rollback');
    jdssc($scfg, $S, ['nas-snapshot', 'delete', 'pve-files', 'before-clean']);
};

subtest "Open-E's password file (/etc/pve/priv/storage/joviandss-nfs/<id>.pw) is used as it is" => sub {
    my $priv = $PVE::Storage::Custom::JovianDSS::Secrets::PRIV_DIR;
    File::Path::make_path("$priv/joviandss-nfs", { mode => 0700 });
    PVE::Tools::file_set_contents("$priv/joviandss-nfs/oe.pw", "user_password $sim->{password}\n", 0600);
    my $r = add_nfs_storage($sim, 'oe', user_password => undef, export => '/Pools/Pool-0/oe-files', nas_quota => '2G');
    is($r->{storage}, 'oe', 'added without --user_password');
    ok(!-e "$priv/oe.pw", 'no second password file');
    # a prepared password file survives an add that fails at activation (PVE calls on_delete_hook)
    PVE::Tools::file_set_contents("$priv/joviandss-nfs/oe2.pw", "user_password $sim->{password}\n", 0600);
    my $taken = RealPVE::tmp() . '/mnt/pve/oe2';
    File::Path::make_path($taken);
    foreign_mount($sim, $taken, '/dev/sdz2', 'ext4');
    eval { add_nfs_storage($sim, 'oe2', user_password => undef, path => $taken, export => '/Pools/Pool-0/oe-files') };
    like("$@", qr/already holds a mount/, 'add over a foreign mount fails');
    ok(-e "$priv/joviandss-nfs/oe2.pw", "... and the admin's password file is still there");
    unlink "$priv/joviandss-nfs/oe2.pw";
    is(call('storage_info', cfg(), 'iso')->{oe}->{total}, 2 * 2**30, 'the array answers with that password');
    eval { call(sub { PVE::API2::Storage::Config->update({ storage => 'oe', delete => 'user_password' }) }, 'update') };
    like("$@", qr/user_password cannot be removed/, 'pvesm set --delete user_password refused');
    call('deactivate_storage', cfg(), 'oe');
    call(sub { PVE::API2::Storage::Config->delete({ storage => 'oe' }) }, 'PVE::API2::Storage::Config->delete');
    ok(!-e "$priv/joviandss-nfs/oe.pw", 'pvesm remove removes it');
};

subtest 'deactivate_storage: nothing left mounted' => sub {
    call('deactivate_storage', $cfg, $S);
    is_deeply(fake_mounts($sim), [], 'unmounted');
    ok(-d $path && !-l $path, 'the mount point is a plain directory again');
    my $info = call('storage_info', $cfg, 'iso');
    is($info->{$S}->{active}, 1, 'storage_info activates it again');
    call('deactivate_storage', $cfg, $S);
    is_deeply(fake_mounts($sim), [], 'and deactivated again');
};

done_testing();
