#!/usr/bin/perl
# 09-two-nodes.t with multipath on (storage.cfg multipath 1): B's devices are maps named by
# WWID, which a renamed volume keeps.
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
our $MULTIPATH = 1;
my $file = abs_path(dirname(__FILE__)) . '/09-two-nodes.t';
do($file) // die($@ || "$file: $!\n");
