# A malformed black box: two numbers per answer where one is expected.
$| = 1;
while (my $header = <STDIN>) {
  my ($n) = split ' ', $header;
  for (1 .. $n) { <STDIN>; print "1 2\n"; }
}
