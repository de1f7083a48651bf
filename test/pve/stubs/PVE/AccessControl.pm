package PVE::AccessControl;

# Test stub of pve-access-control for the real-PVE tier: `pvesm remove` drops the storage's
# ACL entries; there is no user.cfg here, so nothing to drop. Calls are counted for the tests.

use strict;
use warnings;

our @REMOVED;

sub remove_storage_access { push @REMOVED, $_[0]; return }

1;
