package PVE::RADOS;

# Test stub (librados2-perl is not here): only the RBD plugin calls it, never this tier.

1;
