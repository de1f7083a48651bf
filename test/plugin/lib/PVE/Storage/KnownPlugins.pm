package PVE::Storage::KnownPlugins;

# The storage.cfg property names other plugins declare, so that a test can merge them with
# ours exactly as PVE does at start-up (a name declared twice stops pvestatd, pvedaemon and
# pveproxy: "duplicate property"). Built-in names are read from proxmox/pve-storage
# src/PVE/Storage/*Plugin.pm (libpve-storage-perl 9.1, plus names of removed or newer plugin
# versions, since a superset only makes the check stricter); the others from the plugins'
# own sources as named below.

use strict;
use warnings;

# type => [ property names ]  (PVE::Storage::Plugin's own names: %PVE::Storage::Plugin::BASE_PROPERTIES)
our %BUILTIN = (
    dir => [qw(path mkdir create-base-path create-subdirs is_mountpoint bwlimit)],
    nfs => [qw(export server)],
    cifs => [qw(share password domain smbversion)],
    cephfs => [qw(fuse fs-name)],
    rbd => [qw(monhost pool data-pool namespace username authsupported krbd keyring)],
    pbs => [qw(datastore fingerprint encryption-key master-pubkey)],
    zfs => [qw(iscsiprovider nowritecache comstar_tg comstar_hg lio_tpg zfs-base-path)],
    zfspool => [qw(blocksize sparse mountpoint)],
    lvm => [qw(vgname base saferemove saferemove_throughput tagged_only on-volume-remove)],
    lvmthin => [qw(thinpool)],
    iscsi => [qw(target portal)],
    iscsidirect => [],
    glusterfs => [qw(volume server2 transport)], # removed in PVE 9, still on PVE 8 nodes
    btrfs => [qw(nocow)],
    esxi => [qw(skip-cert-verification)],
    # option names seen in pve-storage development snapshots, kept out of our way too
    '_pve-dev' => [qw(external-snapshots)],
);

# Well-known third-party plugins (type => names), from their public sources:
our %THIRD_PARTY = (
    # WarlockSyno/TrueNAS-Proxmox-VE-Storage-Plugin (before the tn_* rename of 2.1.0)
    truenasplugin => [qw(
        api_transport api_host api_key api_scheme api_port api_insecure prefer_ipv4 dataset
        zvol_blocksize transport_mode target_iqn discovery_portal portals use_multipath
        force_delete_on_inuse logout_on_free use_by_path ipv6_by_path debug chap_user
        chap_password subsystem_nqn hostnqn nvme_dhchap_secret nvme_dhchap_ctrl_secret tn_sparse
        enable_live_snapshots snapshot_volume_chains vmstate_storage enable_bulk_operations
        api_retry_max api_retry_delay
    )],
    # LINBIT/linstor-proxmox (type drbd)
    drbd => [qw(controller resourcegroup preferlocal exactsize allowtwoprimaries statuscache apicrt apikey apica)],
    # kolesa-team/pve-purestorage-plugin
    purestorage => [qw(hgsuffix address token podname vnprefix check_ssl protocol token_ttl)],
);

# Every name above, with where it comes from.
sub all_names {
    my %n;
    $n{$_} = 'PVE::Storage::Plugin' for keys %PVE::Storage::Plugin::BASE_PROPERTIES;
    for my $t (keys %BUILTIN) { $n{$_} = "built-in $t" for @{ $BUILTIN{$t} } }
    for my $t (keys %THIRD_PARTY) { $n{$_} = "third-party $t" for @{ $THIRD_PARTY{$t} } }
    return \%n;
}

# Registers one stub plugin class per type that declares those names.
sub register_all {
    my (%lists) = (%BUILTIN, %THIRD_PARTY);
    for my $type (sort keys %lists) {
        (my $pkg = "PVE::Storage::Known::$type") =~ s/[^\w:]/_/g;
        no strict 'refs';
        no warnings 'redefine';
        @{"${pkg}::ISA"} = ('PVE::Storage::Plugin');
        my $names = $lists{$type};
        *{"${pkg}::type"} = sub { $type };
        *{"${pkg}::plugindata"} = sub { { content => [{ images => 1 }, { images => 1 }] } };
        *{"${pkg}::properties"} = sub { +{ map { $_ => { type => 'string' } } @$names } };
        $pkg->register();
    }
}

1;
