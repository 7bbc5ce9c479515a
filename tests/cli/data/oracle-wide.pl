# A wide black box for `quarry extract --oracle-cmd` (d = 1000, c = 1) that answers every
# query as soon as it has read it: batches of thousands of queries then overflow the pipe
# buffers unless quarry reads answers while it still writes queries.
#   F(x) = ReLU(x1) + ReLU(x2 - 0.5) - ReLU(-x3) + 0.01 (x1 + ... + x1000)
$| = 1;
while (my $header = <STDIN>) {
  my ($n, $d) = split ' ', $header;
  for (1 .. $n) {
    my @x = split ' ', scalar <STDIN>;
    my $sum = 0;
    $sum += $_ for @x;
    my $y = ($x[0] > 0 ? $x[0] : 0) + ($x[1] > 0.5 ? $x[1] - 0.5 : 0)
          - ($x[2] < 0 ? -$x[2] : 0) + 0.01 * $sum;
    printf "%.17g\n", $y;
  }
}
