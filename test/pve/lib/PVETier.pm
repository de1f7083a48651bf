package PVETier;

# Helpers of the real-PVE tier's tests: a simulator with the fake host (JDSSSim.pm of the
# plugin tier), the storage added through the real `pvesm add` API handler, and call(), which
# runs one public PVE function and notes what it returned (`prove -v` shows them).

use strict;
use warnings;

use Exporter 'import';
use Test::More;

use RealPVE;

our @EXPORT_OK = qw(call start_sim add_storage cfg);

require "$RealPVE::ROOT/test/plugin/lib/JDSSSim.pm";

sub start_sim { return JDSSSim::start_simulator(tmp => RealPVE::tmp(), fakehost => 1, @_) }

sub cfg { return PVE::Storage::config() }

sub show {
    my ($v) = @_;
    local $Data::Dumper::Indent = 0;
    local $Data::Dumper::Sortkeys = 1;
    local $Data::Dumper::Terse = 1;
    require Data::Dumper;
    return Data::Dumper::Dumper($v);
}

# call('vdisk_alloc', $cfg, ...) runs PVE::Storage::vdisk_alloc; a code ref runs as it is.
sub call {
    my ($fn, @args) = @_;
    my $code = ref($fn) ? $fn : PVE::Storage->can($fn) // die "no PVE::Storage::$fn\n";
    my $name = ref($fn) ? shift(@args) : "PVE::Storage::$fn";
    my @res = wantarray ? $code->(@args) : scalar($code->(@args));
    note("$name -> " . (@res == 1 ? show($res[0]) : show(\@res)));
    return wantarray ? @res : $res[0];
}

# `pvesm add joviandss <id> …` as the API runs it (check_config, on_add_hook, activate, write).
sub add_storage {
    my ($sim, $storeid, %extra) = @_;
    my %param = (
        storage => $storeid, type => 'joviandss', pool_name => 'Pool-0',
        control_addresses => '127.0.0.1', control_port => $sim->{port},
        data_addresses => '127.0.0.2,127.0.0.3', jdss_ssl_ca_file => $sim->{ca},
        config => $sim->{config}, content => 'images,rootdir', shared => 1,
        user_password => $sim->{password}, %extra,
    );
    return call(sub { PVE::API2::Storage::Config->create(\%param) }, 'PVE::API2::Storage::Config->create');
}

1;
