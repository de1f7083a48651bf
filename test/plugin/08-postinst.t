#!/usr/bin/perl
# The package's postinst (the heredoc in scripts/deb.sh) restarts every Proxmox daemon that
# loads storage plugins, the HA ones included, and only units the node has: run against a fake
# systemctl that knows some units and logs every call.
use strict;
use warnings;
use FindBin;
use File::Temp qw(tempdir);
use Test::More;

my $deb = do { local (@ARGV, $/) = "$FindBin::Bin/../../scripts/deb.sh"; <> };
my ($postinst) = $deb =~ /<<'POSTINST'\n(.*?)\nPOSTINST\n/s or BAIL_OUT('no postinst heredoc in scripts/deb.sh');
my $dir = tempdir(CLEANUP => 1);
open(my $fh, '>', "$dir/postinst") or die $!;
print {$fh} $postinst;
close($fh);
open($fh, '>', "$dir/systemctl") or die $!;
print {$fh} <<'SH';
#!/bin/sh
echo "$*" >> "$FAKE_LOG"
if [ "$1" = list-unit-files ]; then
  case "$3" in pvedaemon.service|pveproxy.service|pvestatd.service|pve-ha-lrm.service) echo "$3 enabled enabled";; esac
fi
exit 0
SH
close($fh);
open($fh, '>', "$dir/udevadm") or die $!;
print {$fh} "#!/bin/sh\nexit 0\n";
close($fh);
chmod 0755, "$dir/postinst", "$dir/systemctl", "$dir/udevadm";

local $ENV{PATH} = "$dir:$ENV{PATH}";
local $ENV{FAKE_LOG} = "$dir/log";
delete local $ENV{DPKG_ROOT};
is(system('sh', "$dir/postinst", 'configure'), 0, 'postinst configure exits 0');
my @restarted = map { /^try-restart (\S+)\.service/ ? $1 : () } split /\n/, do { local (@ARGV, $/) = "$dir/log"; <> // '' };
is_deeply(\@restarted, [qw(pvedaemon pveproxy pvestatd pve-ha-lrm)], 'the daemons present, HA LRM included; absent ones skipped');
done_testing();
