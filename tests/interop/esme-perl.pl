#!/usr/bin/perl
# An ESME nobody here wrote: Debian's Net::SMPP, for tests/Taifa.Silo.Tests/Smpp/InteropTests.cs.
# Usage: perl esme-perl.pl <port> <system_id> <password> <sender> <destination> <scenario>
# Scenarios: basic (bind_transmitter, submit_sm, unbind), keepalive, ucs2, concat (three UDH segments).
# Prints "RESP <status> <message_id>" per submit_sm_resp and "DONE <ok> <failed>"; dies with a reason otherwise.
use strict;
use warnings;
use Net::SMPP;
use Encode qw(encode);

my ($port, $system_id, $password, $sender, $destination, $scenario) = @ARGV;
$SIG{ALRM} = sub { print "FAIL timed out after 60 s\n"; exit 1 };
alarm 60;
$| = 1;

my $smpp = Net::SMPP->new_transmitter('127.0.0.1', port => $port, system_id => $system_id, password => $password,
    interface_version => 0x34) or do { print "FAIL bind_transmitter: $!\n"; exit 1 };
print "BOUND\n";

my ($ok, $failed) = (0, 0);
sub submit {
    my %fields = @_;
    my $resp = $smpp->submit_sm(source_addr_ton => 5, source_addr_npi => 0, source_addr => $sender,
        dest_addr_ton => 1, dest_addr_npi => 1, destination_addr => $destination, %fields)
        or do { print "FAIL no submit_sm_resp\n"; exit 1 };
    my $id = defined $resp->{message_id} ? $resp->{message_id} : '';
    print "RESP $resp->{status} $id\n";
    if ($resp->{status} == 0) { $ok++ } else { $failed++ }
}

if ($scenario eq 'basic') {
    submit(short_message => 'Hello from Taifa Mobile');
} elsif ($scenario eq 'keepalive') {
    for my $i (0 .. 2) {
        my $resp = $smpp->enquire_link() or do { print "FAIL no enquire_link_resp\n"; exit 1 };
        print "ENQUIRE_LINK_RESP\n" if $resp->{status} == 0;
        submit(short_message => "Keep-alive $i");
    }
} elsif ($scenario eq 'ucs2') {
    submit(data_coding => 8, short_message => encode('UTF-16BE', "Habari \x{1F600} \x{0395}\x{03BB}\x{03BB}\x{03B7}\x{03BD}\x{03B9}\x{03BA}\x{03AC}"));
} elsif ($scenario eq 'concat') {
    my @parts = ('First part of a long message. ', 'Second part of it. ', 'And the third.');
    for my $i (0 .. $#parts) {
        submit(esm_class => 0x40, short_message => pack('C6', 5, 0, 3, 0x7b, scalar @parts, $i + 1) . $parts[$i]);
    }
} else {
    print "FAIL unknown scenario $scenario\n";
    exit 1;
}

$smpp->unbind() or do { print "FAIL no unbind_resp\n"; exit 1 };
print "DONE $ok $failed\n";
exit 0;
