package RealPVE;

# The real-PVE tier's set-up: the unmodified Proxmox VE storage stack (from /usr/share/perl5 on
# a Proxmox node, else <repo>/../shared/pve), our plugin from the repository registered the way
# PVE::Storage's loader registers /usr/share/perl5/PVE/Storage/Custom/*.pm, stubs only for what
# needs a running cluster (test/pve/stubs), storage.cfg and the cluster locks in a temporary
# folder, jdssc from bin/. `use RealPVE;` skips the test file with one line when the PVE code
# or the Debian perl packages it needs are missing. Works under perl -T (pvedaemon runs tainted).

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use Test::More ();

# untainted: the repository root, derived from this file's own path
our ($ROOT) = abs_path(dirname(__FILE__) . '/../../..') =~ m!^(/.*)$!;
our $PLUGIN = 'PVE::Storage::Custom::JovianDSSPlugin';
# every plugin the package installs into Custom/, loaded together as on a node
our @PLUGINS = ($PLUGIN, 'PVE::Storage::Custom::JovianDSSNFSPlugin');
our ($SOURCE, $TMP);

# Perl modules the real storage stack loads => the Debian package that ships each.
my @NEEDS = (
    [AnyEvent => 'libanyevent-perl'], [Clone => 'libclone-perl'],
    ['Date::Parse' => 'libtimedate-perl'], ['Devel::Cycle' => 'libdevel-cycle-perl'],
    ['Encode::Locale' => 'libencode-locale-perl'], ['Filesys::Df' => 'libfilesys-df-perl'],
    ['HTTP::Status' => 'libhttp-message-perl'], ['IO::Scalar' => 'libio-stringy-perl'],
    ['Linux::Inotify2' => 'liblinux-inotify2-perl'], ['Net::DBus' => 'libnet-dbus-perl'],
    ['Net::IP' => 'libnet-ip-perl'], ['Net::SSLeay' => 'libnet-ssleay-perl'],
    ['NetAddr::IP' => 'libnetaddr-ip-perl'], ['XML::LibXML' => 'libxml-libxml-perl'],
    ['File::chdir' => 'libfile-chdir-perl'], ['LWP::UserAgent' => 'libwww-perl'],
    ['POSIX::strptime' => 'libposix-strptime-perl'], ['String::ShellQuote' => 'libstring-shellquote-perl'],
    [UUID => 'libuuid-perl'], ['Crypt::OpenSSL::RSA' => 'libcrypt-openssl-rsa-perl'],
    [JSON => 'libjson-perl'],
);

# Where the PVE sources are: [label, @lib dirs], or undef.
sub locate {
    return ['/usr/share/perl5 (installed Proxmox VE)'] if -f '/usr/share/perl5/PVE/Storage.pm';
    my $shared = abs_path("$ROOT/../shared/pve");
    return undef if !$shared || !-f "$shared/pve-storage/src/PVE/Storage.pm";
    ($shared) = $shared =~ m!^(/.*)$!;
    return [$shared, map { "$shared/$_/src" } qw(pve-storage pve-common pve-cluster)];
}

# A module is there if its file is on @INC (not loaded: no side effects before the skip).
sub have {
    (my $f = "$_[0].pm") =~ s!::!/!g;
    return scalar grep { !ref($_) && -f "$_/$f" } @INC;
}

sub skip_all {
    Test::More::plan(skip_all => $_[0]);
    exit 0;
}

my $loaded;
sub import {
    return if $loaded++;
    my $where = locate()
        // skip_all('real-PVE tier: no Proxmox VE storage code (neither /usr/share/perl5/PVE/Storage.pm nor '
            . abs_path("$ROOT/..") . '/shared/pve)');
    my ($label, @dirs) = @$where;
    my @missing = map { $_->[1] } grep { !have($_->[0]) } @NEEDS;
    skip_all("real-PVE tier: Debian perl packages missing: @missing (apt-get install --no-install-recommends @missing)")
        if @missing;
    $SOURCE = $label;
    # stubs first (they win over a real PVE::Cluster even on a Proxmox node: no pmxcfs here),
    # then the PVE sources, then the plugin from the repository
    unshift @INC, "$ROOT/test/pve/stubs", @dirs, "$ROOT/perl";
    setup_env();
    load_storage();
}

sub setup_env {
    ($TMP) = tempdir('jdss-pve-test-XXXXXX', TMPDIR => 1, CLEANUP => 1) =~ m!^(/.*)$!;
    mkdir "$TMP/$_", 0700 for qw(cfs state);
    # run_command under -T needs a clean PATH; node (for jdssc) must be on it
    my ($node) = grep { -x "$_/node" } split(/:/, $ENV{PATH} // '');
    $node = abs_path($node // '/usr/bin');
    ($node) = $node =~ m!^(/[\w./-]*)$! or die "odd node directory $node\n";
    $ENV{PATH} = join(':', $node, qw(/usr/sbin /usr/bin /sbin /bin));
    delete @ENV{qw(IFS CDPATH ENV BASH_ENV)};
    $ENV{PVE_TEST_CFS_DIR} = "$TMP/cfs";
    $ENV{JDSSC_STATE_DIR} = "$TMP/state";
}

# What PVE::Storage's loader does with each file in /usr/share/perl5/PVE/Storage/Custom/: the
# interface and API-version checks, import, register, a warning for an older API. Run at the
# loader's moment (after the built-ins, before Plugin->init() merges the schemas), by wrapping
# init() for that one call.
sub load_storage {
    require PVE::Storage::Plugin;
    my $init = PVE::Storage::Plugin->can('init'); # SectionConfig's: Plugin.pm has none of its own
    no warnings 'redefine';
    local *PVE::Storage::Plugin::init = sub {
        load_custom_plugin($_) for @PLUGINS;
        goto &$init;
    };
    require PVE::Storage;
    require PVE::API2::Storage::Config;
    require PVE::AccessControl; # pvedaemon has it loaded; Config.pm calls it without a `use`
    require PVE::RPCEnvironment;
    PVE::RPCEnvironment->init('cli');
    PVE::RPCEnvironment::get()->set_user('root@pam');
    $PVE::Storage::Custom::JovianDSS::Secrets::PRIV_DIR = "$TMP/priv/storage";
    $PVE::Storage::Custom::JovianDSS::Cli::JDSSC = "$ROOT/bin/jdssc";
}

our @LOAD_WARNINGS;
sub load_custom_plugin {
    my ($modname) = @_;
    (my $file = "$modname.pm") =~ s!::!/!g;
    my $type = eval { $modname->type() };
    # on a node with the package installed the real loader already took the repository copy
    # (the repository is first on @INC); never register a type twice
    return if defined($type) && PVE::Storage::Plugin->private()->{plugins}->{$type};
    local $SIG{__WARN__} = sub { push @LOAD_WARNINGS, $_[0]; warn $_[0] };
    eval {
        require $file;
        die "not derived from PVE::Storage::Plugin\n" if !$modname->isa('PVE::Storage::Plugin');
        die "does not provide an api() method\n" if !$modname->can('api');
        my $version = $modname->api();
        my ($max, $min) = (PVE::Storage::APIVER(), PVE::Storage::APIVER() - PVE::Storage::APIAGE());
        die "implements an API version newer than current ($version > $max)\n" if $version > $max;
        die "API version too old, please update the plugin ($version < $min)\n" if $version < $min;
        import $file;
        $modname->register();
        warn "Plugin \"$modname\" is implementing an older storage API, an upgrade is recommended\n"
            if $version != $max;
    };
    warn "Error loading storage plugin \"$modname\": $@" if $@;
}

sub tmp { return $TMP }

1;
