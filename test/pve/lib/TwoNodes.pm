package TwoNodes;

# Two Proxmox "nodes", A and B, in the real-PVE tier: one simulator whose data path serves two
# fake hosts (JDSSSim hosts => ['A', 'B']), one storage.cfg (the pmxcfs of the tests), and per
# node what is node-local on a real cluster: jdssc's config file content (host_root, state
# folder; one path, as /etc/jdssc.yaml would be on each node), the fake host the tools act on
# (its sessions, devices and initiator name) and the node's /etc/pve/local guest folder, which
# the plugin reads to decide whether a volume's owner guest is here (Cli.pm guest_here).
# on_node('B') switches all three; the tests run one node at a time, as one process.

use strict;
use warnings;

use Exporter 'import';
use File::Path qw(make_path);
use JSON::PP ();

use RealPVE;

our @EXPORT_OK = qw(start_two_nodes on_node guest_on guest_off records_of sessions_of device_of);

require "$RealPVE::ROOT/test/plugin/lib/JDSSSim.pm";

my $SIM;

sub start_two_nodes {
    $SIM = JDSSSim::start_simulator(tmp => RealPVE::tmp(), hosts => ['A', 'B'], @_);
    for my $h (values %{ $SIM->{hosts} }) {
        $h->{local_guests} = "$SIM->{dir}/pve-local-$h->{name}";
        make_path("$h->{local_guests}/qemu-server", "$h->{local_guests}/lxc");
    }
    on_node('A');
    return $SIM;
}

# From now on the plugin and jdssc act as node $name; returns that node's host.
sub on_node {
    my ($name) = @_;
    my $h = JDSSSim::use_host($SIM, $name);
    $PVE::Storage::Custom::JovianDSS::Cli::LOCAL_GUESTS = $h->{local_guests};
    return $h;
}

sub host { return $SIM->{hosts}->{ $_[0] } // die "no node '$_[0]'\n" }

# The VM's config lives on node $name (qm create there, or the end of a migration to it).
sub guest_on {
    my ($name, $vmid) = @_;
    my $file = host($name)->{local_guests} . "/qemu-server/$vmid.conf";
    open(my $fh, '>', $file) or die "$file: $!";
    print {$fh} "# VM $vmid of node $name (test)\n";
    close($fh);
}

sub guest_off {
    my ($name, $vmid) = @_;
    unlink(host($name)->{local_guests} . "/qemu-server/$vmid.conf");
}

# jdssc's LUN records on node $name (src/host/state/records.ts), as a list of hashes.
sub records_of {
    my ($name, $storeid) = @_;
    my $dir = host($name)->{host_root} . "/var/lib/jdssc/luns/$storeid";
    my @recs;
    for my $f (sort glob("$dir/*/lun-*.json")) {
        open(my $fh, '<', $f) or die "$f: $!";
        local $/;
        push @recs, JSON::PP->new->decode(scalar <$fh>);
    }
    return \@recs;
}

# The fake host's iSCSI sessions on node $name (one per portal logged in).
sub sessions_of { return JDSSSim::host_state(host($_[0]))->{sessions} }

# The device node $name's record names for volume $volume (snapshot $snap), or undef.
sub device_of {
    my ($name, $storeid, $volume, $snap) = @_;
    my ($r) = grep { $_->{volume} eq $volume && ($_->{snapshot} // '') eq ($snap // '') } @{ records_of($name, $storeid) };
    return $r ? $r->{device} : undef;
}

1;
