package PVE::Storage::Plugin;

# Test stand-in for PVE's storage plugin base class (pve-storage 9.1), reduced to what a
# custom plugin meets: registration and the schema merge of PVE::SectionConfig (which dies on
# a property declared twice or an option naming no property), check_config, the sensitive
# property list, @SHARED_STORAGE, the base hooks and cluster_lock_storage.

use strict;
use warnings;

use PVE::JSONSchema;
use PVE::Cluster;

our @SHARED_STORAGE = qw(iscsi nfs cifs rbd cephfs iscsidirect glusterfs zfs drbd pbs);

PVE::JSONSchema::register_format('pve-storage-path', sub {
    die "value does not look like a valid absolute path\n" if $_[0] !~ m|^/[^;\(\)]+|;
    return $_[0];
});
PVE::JSONSchema::register_format('pve-storage-content-list', sub {
    die "invalid content list\n" if $_[0] !~ /^[a-z]+(?:,[a-z]+)*$/;
    return $_[0];
});

# The properties PVE::Storage::Plugin itself declares (its $defaultData->{propertyList}).
our %BASE_PROPERTIES = (
    type => { description => 'Storage type.' },
    storage => { type => 'string' },
    nodes => { type => 'string', optional => 1 },
    content => { type => 'string', format => 'pve-storage-content-list', optional => 1 },
    disable => { type => 'boolean', optional => 1 },
    maxfiles => { type => 'integer', minimum => 0, optional => 1 },
    'prune-backups' => { type => 'string', optional => 1 },
    'max-protected-backups' => { type => 'integer', minimum => -1, optional => 1 },
    shared => { type => 'boolean', optional => 1 },
    subdir => { type => 'string', format => 'pve-storage-path', optional => 1 },
    format => { type => 'string', optional => 1 },
    preallocation => { type => 'string', enum => [qw(off metadata falloc full)], optional => 1 },
    'content-dirs' => { type => 'string', optional => 1 },
    options => { type => 'string', optional => 1 },
    port => { type => 'integer', minimum => 1, maximum => 65535, optional => 1 },
    'snapshot-as-volume-chain' => { type => 'boolean', optional => 1 },
);

my $data;
reset_registry();

# Forget every registered plugin (tests build several registries).
sub reset_registry {
    $data = { propertyList => { %BASE_PROPERTIES }, plugins => {}, plugindata => {}, options => {} };
}

sub private { return $data }

sub register {
    my ($class) = @_;
    my $type = $class->type();
    die "duplicate plugin registration (type = $type)\n" if $data->{plugins}->{$type};
    $data->{plugins}->{$type} = $class;
    $data->{plugindata}->{$type} = $class->plugindata();
}

# Like PVE::SectionConfig::init (without property isolation, as pve-storage uses it).
sub init {
    my ($class) = @_;
    my $list = $data->{propertyList};
    for my $type (sort keys %{ $data->{plugins} }) {
        my $props = $data->{plugins}->{$type}->properties();
        for my $p (sort keys %$props) {
            die "duplicate property '$p'\n" if defined($list->{$p});
            $list->{$p} = { %{ $props->{$p} }, optional => 1 };
        }
    }
    for my $type (sort keys %{ $data->{plugins} }) {
        my $opts = $data->{plugins}->{$type}->options();
        for my $p (sort keys %$opts) {
            die "undefined property '$p'\n" if !$list->{$p};
        }
        $data->{options}->{$type} = $opts;
    }
}

sub isplugin { return 1 }
sub properties { return {} }
sub options { return {} }
sub plugindata { return {} }

sub sensitive_properties {
    my ($type) = @_;
    my $pd = $data->{plugindata}->{$type} // {};
    return [sort keys %{ $pd->{'sensitive-properties'} }] if $pd->{'sensitive-properties'};
    return [qw(encryption-key keyring master-pubkey password)];
}

# Validates a section as `pvesm add` ($create) or `pvesm set` does: known options only,
# required ones present on create, fixed ones unchanged on update, values match the schema.
sub check_config {
    my ($class, $storeid, $config, $create, $current) = @_;
    my $type = $class->type();
    my $opts = $data->{options}->{$type} or die "plugin type '$type' is not initialised\n";
    my %res = (type => $type);
    for my $k (sort keys %$config) {
        next if $k eq 'type';
        die "$k: unexpected property\n" if !$opts->{$k};
        if (!$create && $opts->{$k}->{fixed} && $current
            && (!defined($current->{$k}) || $current->{$k} ne $config->{$k})) {
            die "$k: can't change value of fixed parameter '$k'\n";
        }
        $res{$k} = PVE::JSONSchema::check_prop($k, $config->{$k}, $data->{propertyList}->{$k});
    }
    if ($create) {
        for my $k (sort keys %$opts) {
            die "$k: property is missing and it is not optional\n"
                if !$opts->{$k}->{optional} && !defined($config->{$k});
        }
    }
    return \%res;
}

sub on_add_hook { return undef }
sub on_update_hook { return undef }
sub on_update_hook_full {
    my ($class, $storeid, $scfg, $update, $delete, $sensitive) = @_;
    return $class->on_update_hook($storeid, $update, %{ $sensitive // {} });
}
sub on_delete_hook { return undef }

sub cluster_lock_storage {
    my ($class, $storeid, $shared, $timeout, $func, @param) = @_;
    die "this stand-in only models shared storages\n" if !$shared;
    my $res = PVE::Cluster::cfs_lock_storage($storeid, $timeout, $func, @param);
    die $@ if $@;
    return $res;
}

sub volume_snapshot_needs_fsfreeze { return 0 }
sub storage_can_replicate { return 0 }

1;
