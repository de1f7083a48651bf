package PVE::RPCEnvironment;

# Test stub of pve-access-control's PVE::RPCEnvironment for the real-PVE tier: the real
# RESTEnvironment (pve-common) with root's rights, no ACL tree, workers run in place.

use strict;
use warnings;

use base qw(PVE::RESTEnvironment);

# the singleton, called as a function by PVE::Storage and the API handlers
sub get { return PVE::RESTEnvironment::get() }

sub check { return 1 }
sub check_any { return 1 }
sub check_storage_perm { return 1 }
sub check_volume_access { return 1 }

sub fork_worker {
    my ($self, $dtype, $id, $user, $function) = @_;
    $function->("UPID:test:$dtype");
    return "UPID:test:$dtype";
}

1;
