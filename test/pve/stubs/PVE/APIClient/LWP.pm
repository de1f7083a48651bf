package PVE::APIClient::LWP;

# Test stub (libpve-apiclient-perl is not here): only the PBS plugin calls it, never this tier.

1;
