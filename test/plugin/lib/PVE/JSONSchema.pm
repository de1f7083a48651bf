package PVE::JSONSchema;

# Test stand-in: the schema checks PVE applies to storage.cfg values (types, anchored patterns,
# lengths, ranges, enums, registered formats), enough to validate a plugin's properties().

use strict;
use warnings;

use Exporter 'import';
our @EXPORT_OK = qw(get_standard_option register_standard_option);

my %formats;
my %standard_options;

sub register_format {
    my ($name, $code) = @_;
    die "format '$name' is already registered\n" if $formats{$name};
    $formats{$name} = $code;
}

sub get_format { return $formats{ $_[0] } }

sub register_standard_option { $standard_options{ $_[0] } = $_[1] }

sub get_standard_option {
    my ($name, $base) = @_;
    my $opt = $standard_options{$name} or die "no such standard option '$name'\n";
    return { %$opt, %{ $base // {} } };
}

sub parse_boolean {
    my ($v) = @_;
    return 1 if $v =~ /^(?:1|on|yes|true)$/i;
    return 0 if $v =~ /^(?:0|off|no|false)$/i;
    return undef;
}

# Dies with a message naming $key when $value does not satisfy $schema; returns the value as
# PVE stores it (booleans as 0/1).
sub check_prop {
    my ($key, $value, $schema) = @_;
    my $type = $schema->{type} // 'string';
    die "$key: value must not be undefined\n" if !defined($value);
    if ($type eq 'boolean') {
        my $b = parse_boolean($value);
        die "$key: type check ('boolean') failed - got '$value'\n" if !defined($b);
        return $b;
    }
    if ($type eq 'integer' || $type eq 'number') {
        my $re = $type eq 'integer' ? qr/^-?\d+$/ : qr/^-?\d+(?:\.\d+)?$/;
        die "$key: type check ('$type') failed - got '$value'\n" if $value !~ $re;
        die "$key: value must have a minimum value of $schema->{minimum}\n"
            if defined($schema->{minimum}) && $value < $schema->{minimum};
        die "$key: value may not exceed $schema->{maximum}\n"
            if defined($schema->{maximum}) && $value > $schema->{maximum};
        return $value;
    }
    die "$key: value must be at most $schema->{maxLength} characters\n"
        if defined($schema->{maxLength}) && length($value) > $schema->{maxLength};
    die "$key: value must be at least $schema->{minLength} characters\n"
        if defined($schema->{minLength}) && length($value) < $schema->{minLength};
    if (defined(my $p = $schema->{pattern})) {
        die "$key: value does not match the regex pattern\n" if $value !~ m/^$p$/;
    }
    if (my $enum = $schema->{enum}) {
        die "$key: value '$value' does not have a value in the enumeration '@$enum'\n"
            if !grep { $_ eq $value } @$enum;
    }
    if (my $f = $schema->{format}) {
        my $code = $formats{$f} or die "$key: unknown format '$f'\n";
        eval { $code->($value) };
        die "$key: invalid format - $@" if $@;
    }
    return $value;
}

1;
