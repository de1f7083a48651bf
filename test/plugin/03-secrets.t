#!/usr/bin/perl
# Secrets: the hooks keep both passwords in <priv>/<storeid>.pw (0600, directory 0700) in the
# format jdssc reads, adding a storage without a password (or with a wrong one) fails and
# leaves nothing behind, and no password ever reaches a command line.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;

use JDSSTest qw(plugin scfg start_simulator);
my $P = plugin();
my $PRIV = $PVE::Storage::Custom::JovianDSS::Secrets::PRIV_DIR;

sub slurp { my ($f) = @_; open(my $fh, '<', $f) or return undef; local $/; return <$fh> }
sub mode { return sprintf('%04o', (stat($_[0]))[2] & 07777) }

my $sim = start_simulator();
my $pw = $sim->{password};
my $chap = 'chap-Secret-0123';

subtest 'on_add_hook writes the password file and checks the pool' => sub {
    my $res = $P->on_add_hook('jd1', scfg($sim), user_password => $pw, chap_user_password => $chap);
    is($res, undef, 'returns undef (PVE 9 validates the hook result)');
    is(slurp("$PRIV/jd1.pw"), "user_password $pw\nchap_user_password $chap\n", 'jdssc format');
    is(mode("$PRIV/jd1.pw"), '0600', 'file 0600');
    is(mode($PRIV), '0700', 'directory 0700');
    my @stats = grep { "@$_" =~ /pool stats/ } JDSSTest::argv_log();
    is(scalar(@stats), 1, 'the pool was checked once');
    like("@{ $stats[0] }", qr/--password-file \Q$PRIV\E\/jd1\.pw --storage-id jd1/, 'with the password file');
};

subtest 'a password file written beforehand keeps the password off every command line' => sub {
    open(my $fh, '>', "$PRIV/jd4.pw") or die $!;
    print {$fh} "user_password $pw\n";
    close($fh);
    chmod 0644, "$PRIV/jd4.pw";
    is($P->on_add_hook('jd4', scfg($sim)), undef, 'added without --user_password');
    is(slurp("$PRIV/jd4.pw"), "user_password $pw\n", 'the prepared file is kept');
    is(mode("$PRIV/jd4.pw"), '0600', '... and tightened to 0600');
    $P->on_delete_hook('jd4', scfg($sim));
};

subtest 'adding fails without a password, or when the appliance refuses it' => sub {
    eval { $P->on_add_hook('jd2', scfg($sim)) };
    like($@, qr/user_password is required/, 'no password: refused');
    ok(!-e "$PRIV/jd2.pw", 'no file left');
    eval { $P->on_add_hook('jd2', scfg($sim), user_password => '') };
    like($@, qr/user_password is required/, 'empty password: refused');
    eval { $P->on_add_hook('jd2', scfg($sim), user_password => 'wrong-password') };
    like($@, qr/^storage 'jd2': .*auth/i, "wrong password: jdssc's message");
    ok(!-e "$PRIV/jd2.pw", 'the password file is removed again');
    eval { $P->on_add_hook('jd2', scfg($sim, pool_name => 'Pool-9'), user_password => $pw) };
    like($@, qr/Pool-9/, 'unknown pool: refused, naming the pool');
    eval { $P->on_add_hook('jd2', scfg($sim, chap_enabled => 1, chap_user_name => 'u'), user_password => $pw) };
    like($@, qr/chap_enabled needs chap_user_name and chap_user_password/, 'CHAP without its secret: refused');
    eval { $P->on_add_hook('jd2', scfg($sim), user_password => "two\nlines") };
    like($@, qr/must not .*contain line breaks/, 'multi-line password: refused');
    ok(!-e "$PRIV/jd2.pw", 'nothing written');
    is($P->on_add_hook('jd3', scfg(undef, disable => 1), user_password => $pw), undef,
        'a disabled storage is added without contacting the appliance');
};

subtest 'on_update_hook (API < 13) and on_update_hook_full (API >= 13)' => sub {
    $P->on_update_hook('jd1', scfg($sim), chap_user_password => 'another-chap-secret');
    is(slurp("$PRIV/jd1.pw"), "user_password $pw\nchap_user_password another-chap-secret\n", 'CHAP secret replaced');
    $P->on_update_hook('jd1', scfg($sim), chap_user_password => undef);
    is(slurp("$PRIV/jd1.pw"), "user_password $pw\n", 'CHAP secret removed (undef = deleted)');
    $P->on_update_hook('jd1', scfg($sim));
    is(slurp("$PRIV/jd1.pw"), "user_password $pw\n", 'an update without secrets keeps the file');
    $P->on_update_hook_full('jd1', scfg($sim), { multipath => 1 }, undef, { chap_user_password => $chap });
    is(slurp("$PRIV/jd1.pw"), "user_password $pw\nchap_user_password $chap\n", '_full: CHAP secret set');
    $P->on_update_hook_full('jd1', scfg($sim), {}, ['chap_user_password'], {});
    is(slurp("$PRIV/jd1.pw"), "user_password $pw\n", '_full: --delete chap_user_password');
    $P->on_update_hook_full('jd1', scfg($sim), {}, [], { user_password => 'new-pass-1' });
    is(slurp("$PRIV/jd1.pw"), "user_password new-pass-1\n", '_full: password replaced');
    is(mode("$PRIV/jd1.pw"), '0600', 'still 0600');
    eval { $P->on_update_hook_full('jd1', scfg($sim), {}, ['user_password'], { user_password => undef }) };
    like($@, qr/user_password cannot be removed/, 'the REST password cannot be deleted');
    eval { $P->on_update_hook('jd1', scfg($sim), user_password => ' padded') };
    like($@, qr/start or end with blanks/, 'leading blanks refused (jdssc would trim them)');
    is(slurp("$PRIV/jd1.pw"), "user_password new-pass-1\n", 'refused updates change nothing');
    my @left = glob("$PRIV/*.tmp.*");
    is(scalar(@left), 0, 'no temporary files left');
};

subtest 'on_delete_hook removes the file' => sub {
    is($P->on_delete_hook('jd1', scfg($sim)), undef, 'returns undef');
    ok(!-e "$PRIV/jd1.pw", 'file gone');
    is($P->on_delete_hook('jd1', scfg($sim)), undef, 'removing twice is fine');
};

subtest 'jdssc log file (jdss_debug) never holds a secret' => sub {
    my $log = JDSSTest::tmp() . '/jdssc.log';
    my $cfg = scfg($sim, log_file => $log, jdss_debug => 1);
    $P->on_add_hook('jd4', $cfg, user_password => $pw, chap_user_password => $chap);
    $P->alloc_image('jd4', $cfg, 100, 'raw', undef, 1024);
    my ($call) = grep { "@$_" =~ /volume create/ } JDSSTest::argv_log();
    like("@$call", qr/--log-file \Q$log\E .*--log-level debug/, '--log-file and --log-level debug');
    ok(-s $log, 'jdssc logged');
    is(mode($log), '0600', 'log file 0600');
    my $text = slurp($log);
    like($text, qr/volume|POST|GET/i, 'it logged the REST work');
    unlike($text, qr/\Q$pw\E/, 'not the REST password');
    unlike($text, qr/\Q$chap\E/, 'not the CHAP secret');
    $P->on_delete_hook('jd4', $cfg);
};

subtest 'no secret on any command line' => sub {
    my @argv = JDSSTest::argv_log();
    ok(@argv >= 3, scalar(@argv) . ' commands ran');
    for my $secret ($pw, $chap, 'wrong-password', 'another-chap-secret', 'new-pass-1') {
        ok(!grep({ index("@$_", $secret) >= 0 } @argv), "'$secret' never on argv");
    }
    ok(!grep({ /^--password(?:-stdin)?$|^--chap-password/ } map { @$_ } @argv), 'no password flag');
};

done_testing();
