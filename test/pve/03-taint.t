#!/usr/bin/perl
# 02-lifecycle.t once more under perl -T: pvedaemon, pveproxy and vzdump run tainted, so every
# value the plugin puts on a jdssc command line must be untainted (storage.cfg, jdssc's JSON).
use strict;
use warnings;
use File::Basename qw(dirname);

exec($^X, '-T', dirname(__FILE__) . '/02-lifecycle.t') or die "cannot run perl -T: $!\n";
