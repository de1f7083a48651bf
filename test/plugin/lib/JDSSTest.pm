package JDSSTest;

# Shared set-up for the plugin tests: the real plugin loaded against the PVE stand-in, the
# real jdssc, and (on request) the JovianDSS simulator of JDSSSim.pm. Everything lives in one
# temporary directory.

use strict;
use warnings;

use Cwd qw(abs_path);
use Exporter 'import';
use File::Basename qw(dirname);
use File::Temp qw(tempdir);

use PVE::Storage;
use PVE::Tools;
use JDSSSim qw(stop_simulator host_state host_update);

our @EXPORT_OK = qw(plugin tmp scfg start_simulator stop_simulator argv_log host_state host_update);

our $ROOT = abs_path(dirname(__FILE__) . '/../../..');
our $PLUGIN = 'PVE::Storage::Custom::JovianDSSPlugin';
our $TMP = tempdir('jdss-plugin-test-XXXXXX', TMPDIR => 1, CLEANUP => 1);

unshift @INC, "$ROOT/perl";
$ENV{JDSSC_BIN} = "$ROOT/bin/jdssc";
$ENV{JDSSC_STATE_DIR} = "$TMP/state";
$ENV{PVE_TEST_LOCK_DIR} = $TMP;
mkdir "$TMP/state", 0700;
require PVE::Storage::Custom::JovianDSSPlugin;
$PVE::Storage::Custom::JovianDSS::Secrets::PRIV_DIR = "$TMP/priv/storage";

sub plugin { return $PLUGIN }
sub tmp { return $TMP }

# Every argv run_command saw so far.
sub argv_log { return @PVE::Tools::COMMANDS }

# The simulator (JDSSSim.pm), in this test's temporary directory.
sub start_simulator { return JDSSSim::start_simulator(tmp => $TMP, @_) }

# A storage.cfg section pointing at $sim (TLS verified against the simulator's CA).
sub scfg {
    my ($sim, %extra) = @_;
    return {
        type => 'joviandss',
        pool_name => 'Pool-0',
        control_addresses => '127.0.0.1',
        control_port => $sim ? $sim->{port} : 1,
        data_addresses => '127.0.0.2,127.0.0.3',
        ssl_cert_verify => 1,
        ($sim ? (jdss_ssl_ca_file => $sim->{ca}) : ()),
        ($sim && $sim->{config} ? (config => $sim->{config}) : ()),
        content => { images => 1, rootdir => 1 },
        shared => 1,
        %extra,
    };
}

1;
