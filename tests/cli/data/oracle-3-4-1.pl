# The network of net-3-4-1.json as a line-protocol black box for `quarry extract
# --oracle-cmd`: "n d", then n lines of d numbers.
$| = 1;
sub relu { my $z = shift; return $z > 0 ? $z : 0; }
while (my $header = <STDIN>) {
  my ($n, $d) = split ' ', $header;
  for (1 .. $n) {
    my ($x1, $x2, $x3) = split ' ', scalar <STDIN>;
    my $y = 0.25 + relu(0.6*$x1 - 0.8*$x2 + 0.1) - 2*relu(0.6*$x2 + 0.8*$x3 - 0.2)
          + 0.5*relu(0.8*$x1 + 0.6*$x3 + 0.3) + 1.5*relu(-0.6*$x1 + 0.8*$x3);
    printf "%.17g\n", $y;
  }
}
