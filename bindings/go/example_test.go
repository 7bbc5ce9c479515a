package quarry_test

import (
	"fmt"
	"log"
	"math"
	"math/rand"

	quarry "github.com/quarry-project/quarry/bindings/go"
)

// Example copies a hidden ReLU network through a Go black box, then solves a
// least-squares problem whose exact solution is known.
func Example() {
	ctx, err := quarry.NewContext()
	if err != nil {
		log.Fatal(err)
	}
	defer ctx.Close()

	// A hidden 8-16-2 network; the extraction sees only the oracle's answers.
	rng := rand.New(rand.NewSource(1))
	normal := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return v
	}
	d, k, c := 8, 16, 2
	hidden, err := quarry.NewReluNet(ctx, quarry.Weights{D: d, K: k, C: c,
		W: normal(k * d), B: normal(k), A: normal(c * k)})
	if err != nil {
		log.Fatal(err)
	}
	defer hidden.Close()
	// The oracle evaluates hidden on a fresh context per batch (nil): ctx is busy with the
	// extraction.
	copied, report, err := quarry.ExtractReLU1(ctx, d, c, hidden.Oracle(nil), quarry.WithSeed(1))
	if err != nil {
		log.Fatal(err)
	}
	defer copied.Close()
	z := normal(1000 * d) // fresh inputs
	want, _ := hidden.Eval(ctx, z, 1000)
	got, _ := copied.Eval(ctx, z, 1000)
	var diff, norm float64
	for i := range want {
		diff += (got[i] - want[i]) * (got[i] - want[i])
		norm += want[i] * want[i]
	}
	fmt.Printf("extraction: %d neurons, relative error below 1e-8: %v\n",
		report.Ints[quarry.ReportNeurons], math.Sqrt(diff/norm) < 1e-8)

	// Least squares: a 1000 x 5 A (row-major) and b = A (1, 2, 3, 4, 5).
	a := quarry.NewDense(1000, 5, false)
	copy(a.Data, normal(1000*5))
	b := make([]float64, 1000)
	for i := range b {
		for j := 0; j < 5; j++ {
			b[i] += a.At(i, j) * float64(j+1)
		}
	}
	x, _, err := quarry.Lstsq(ctx, a, b, quarry.WithMethod(quarry.MethodSketchPrecondition))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("least squares: x = %.6f\n", x)
	// Output:
	// extraction: 16 neurons, relative error below 1e-8: true
	// least squares: x = [1.000000 2.000000 3.000000 4.000000 5.000000]
}
