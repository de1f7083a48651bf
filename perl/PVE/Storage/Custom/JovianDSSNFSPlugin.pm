package PVE::Storage::Custom::JovianDSSNFSPlugin;

# Proxmox VE storage plugin for file content on Open-E JovianDSS (storage.cfg type
# `joviandss-nfs`): a NAS volume's NFS export mounted at `path`, files handled by PVE's own
# file-storage code (PVE::Storage::Plugin: iso, vztmpl, backup, snippets, import, and images /
# rootdir as raw or qcow2 files).
#
# What is ours: activation (`jdssc nfs activate`: never mounts over another mount or files,
# tries `server` then each of `data_addresses`, creates the NAS volume and its share with
# `nas_quota` when missing), deactivation (`jdssc nfs deactivate`: only our mount, refused while
# busy) and the status from the NAS volume's quota. VM snapshots are PVE's own: qcow2 internal
# snapshots (raw files have none); whole-NAS-volume snapshots are the admin's `jdssc nas-snapshot`.
#
# Reads Open-E's `joviandss-nfs` sections unchanged. It declares only keys of its own
# (nas_quota): server, export, path, options are PVE's (NFS / directory plugins), user_name,
# control_addresses, … are the `joviandss` plugin's. A key declared by two plugins stops every
# storage on the node ("duplicate property").

use strict;
use warnings;

use PVE::Storage::Plugin;
use PVE::Storage::Custom::JovianDSS::Cli qw(T_STATUS T_HOST jdssc jdssc_exit);
use PVE::Storage::Custom::JovianDSS::Secrets qw(
    secrets_for_add write_secrets update_secrets update_secrets_deleting remove_password_file
);

use base qw(PVE::Storage::Plugin);

# One NAS volume seen by every node, like `nfs`.
push @PVE::Storage::Plugin::SHARED_STORAGE, 'joviandss-nfs'
    if !grep { $_ eq 'joviandss-nfs' } @PVE::Storage::Plugin::SHARED_STORAGE;

my $MIN_API = 9;
my $MAX_API = 15;

sub api {
    my $get = PVE::Storage->can('APIVER');
    my $host = $get ? $get->() : $MAX_API;
    return $host < $MIN_API ? $MIN_API : $host > $MAX_API ? $MAX_API : $host;
}

sub type { return 'joviandss-nfs' }

my @CONTENT = qw(images rootdir vztmpl iso backup snippets import);

sub plugindata {
    return {
        content => [{ (map { $_ => 1 } @CONTENT), none => 1 }, { images => 1 }],
        format => [{ raw => 1, qcow2 => 1, vmdk => 1 }, 'raw'],
        'sensitive-properties' => { user_password => 1 },
    };
}

my $SIZE = '[1-9][0-9]*(?:[KMGTPkmgtp](?:[iI]?[bB])?)?';

sub properties {
    return {
        # loose here, exact in check_config: its message says what is wrong ("must be more than 0")
        nas_quota => { type => 'string', pattern => '[0-9][0-9.]*\s*[A-Za-z]*', maxLength => 32,
            description => 'Quota of the NAS volume; activation creates the NAS volume and its share with it when missing (e.g. 500G).' },
    };
}

# Open-E's own keys (debug, the jdssc_*_lock_* tuning) are not declared (see the joviandss
# plugin): an unknown key only costs a parse warning.
sub options {
    my %opt = map { $_ => { optional => 1 } } qw(
        nodes disable content shared format options content-dirs prune-backups
        max-protected-backups mkdir create-base-path create-subdirs bwlimit preallocation
        user_name user_password control_addresses control_port data_addresses ssl_cert_verify
        jdss_ssl_ca_file config jdss_debug log_file nas_quota
    );
    $opt{$_} = { fixed => 1 } for qw(server export path);
    return \%opt;
}

# `/Pools/<pool>/<nas-volume>` => (pool, nas volume), untainted.
sub export_parts {
    my ($export) = @_;
    my ($pool, $name) = ($export // '') =~ m!^/Pools/([A-Za-z0-9][A-Za-z0-9._-]*)/([a-z0-9][a-z0-9._-]{0,127})/?$!
        or die "export '" . ($export // '') . "' must be /Pools/<pool>/<nas-volume> (lower-case name)\n";
    return ($pool, $name);
}

# storage.cfg as the jdssc flags want it: the pool from the export, the REST addresses
# defaulting to the data addresses, else the NFS server (Open-E's sections give only `server`).
sub cli_cfg {
    my ($scfg) = @_;
    my ($pool) = export_parts($scfg->{export});
    my %c = (%$scfg, pool_name => $pool);
    $c{control_addresses} = $scfg->{data_addresses} // $scfg->{server}
        if !defined($scfg->{control_addresses}) || $scfg->{control_addresses} eq '';
    return \%c;
}

sub check_config {
    my ($class, $sectionId, $config, $create, $skipSchemaCheck) = @_;
    $config->{path} = "/mnt/pve/$sectionId" if $create && !$config->{path};
    if (defined(my $content = $config->{content})) {
        my %ok = map { $_ => 1 } @CONTENT, 'none';
        for my $c (PVE::Tools::split_list($content)) {
            die "joviandss-nfs does not support content type '$c' (supported: @CONTENT)\n" if !$ok{$c};
        }
    }
    export_parts($config->{export}) if defined($config->{export});
    if (defined(my $path = $config->{path})) {
        die "path '$path' must be an absolute directory other than /, without '..'\n"
            if $path !~ m!^/! || $path =~ m!^/+$! || $path =~ m!(?:^|/)\.\.(?:/|$)! || $path =~ /[\s\\]/;
    }
    die "nas_quota '$config->{nas_quota}': must be a size of more than 0 bytes, e.g. 500G\n"
        if defined($config->{nas_quota}) && $config->{nas_quota} !~ m!^$SIZE$!;
    return $class->SUPER::check_config($sectionId, $config, $create, $skipSchemaCheck);
}

# ---- hooks ---------------------------------------------------------------------------------

# Storage ids whose password file existed before `pvesm add` in this process.
my %PREPARED;

sub on_add_hook {
    my ($class, $storeid, $scfg, %sensitive) = @_;
    # the password from `pvesm add … --user_password`, else a file written beforehand (ours or
    # Open-E's /etc/pve/priv/storage/joviandss-nfs/<storeid>.pw)
    my ($secrets, $prepared) = secrets_for_add($storeid, 'joviandss-nfs', %sensitive);
    write_secrets($storeid, $secrets, 1) if !$prepared;
    # PVE activates the storage next, in this process, and calls on_delete_hook when that fails:
    # a password file the admin wrote beforehand (perhaps Open-E's) must survive a failed add.
    $PREPARED{$storeid} = 1 if $prepared;
    return undef;
}

sub on_update_hook {
    my ($class, $storeid, $scfg, %sensitive) = @_;
    update_secrets($storeid, \%sensitive);
    return undef;
}

# `pvesm set --delete user_password` must not leave the storage without its password
sub on_update_hook_full {
    my ($class, $storeid, $scfg, $update, $delete, $sensitive) = @_;
    update_secrets_deleting($storeid, $sensitive, $delete);
    return undef;
}

sub on_delete_hook {
    my ($class, $storeid, $scfg) = @_;
    return undef if delete $PREPARED{$storeid}; # a failed add: the admin's file stays
    remove_password_file($storeid);
    return undef;
}

# ---- storage -------------------------------------------------------------------------------

sub activate_storage {
    my ($class, $storeid, $scfg, $cache) = @_;
    my @args = ('nfs', 'activate', '--export', $scfg->{export}, '--path', $scfg->{path});
    push @args, '--server', $scfg->{server} if defined($scfg->{server}) && $scfg->{server} ne '';
    push @args, '--options', $scfg->{options} if defined($scfg->{options}) && $scfg->{options} ne '';
    push @args, '--create', '--quota', $scfg->{nas_quota} if defined($scfg->{nas_quota});
    my $r = jdssc(cli_cfg($scfg), $storeid, \@args, timeout => T_HOST);
    $cache->{"jdss_nfs_$storeid"} = $r->{source};
    delete $PREPARED{$storeid}; # an add that got this far has succeeded
    # PVE's own part: the path is a directory, the content folders exist
    return $class->SUPER::activate_storage($storeid, $scfg, $cache);
}

sub deactivate_storage {
    my ($class, $storeid, $scfg, $cache) = @_;
    jdssc(cli_cfg($scfg), $storeid, ['nfs', 'deactivate', '--path', $scfg->{path}, '--export', $scfg->{export}],
        timeout => T_HOST);
    return 1;
}

# Quota, free and used of the NAS volume; not mounted here: inactive. When the array cannot
# answer but the export is mounted, the mount's own numbers (statvfs; NFS of a dataset with a
# quota reports the quota) keep the storage usable.
sub status {
    my ($class, $storeid, $scfg, $cache) = @_;
    my $st = jdssc(cli_cfg($scfg), $storeid,
        ['nfs', 'status', '--path', $scfg->{path}, '--export', $scfg->{export}], timeout => T_STATUS, quiet => 1);
    return undef if !$st->{mounted} || !$st->{ours};
    my $n = $st->{nasVolume};
    return $class->SUPER::status($storeid, $scfg, $cache) if ref($n) ne 'HASH';
    my $total = $n->{quota} > 0 ? $n->{quota} : $n->{used} + $n->{available};
    return ($total, $n->{available}, $n->{used}, 1);
}

1;
