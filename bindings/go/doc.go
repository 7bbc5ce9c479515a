// Package quarry is the Go binding of libquarry: least squares and ridge regression
// (dense and CSR), ridge paths, dynamic least squares over rows inserted over time, exact
// or sampled (DynamicLstsq), Huber (robust) regression, l_p regression (LpRegression)
// and active l_p regression from few labels (ActiveRegression, with a Go LabelOracle),
// Kronecker ridge regression, exact or sampled, from b or from a LabelOracle
// (KroneckerRegression, KroneckerRegressionLabels, KroneckerMultiply), reproducible
// random streams (RngState, FillU32, FillUniform, FillNormal), sketching operators
// (Sketch), leverage scores, Lewis weights and row sampling (LeverageScores,
// LewisWeights, RowNormsSquared, SampleWeighted, SampleTree), and the extraction of
// one-hidden-layer ReLU networks from value queries to a black box, a Go Oracle or a
// simulated one (NetOracle). It calls the library's stable C ABI through cgo.
//
// # Building
//
// cgo finds the library with pkg-config, so quarry.pc must be on PKG_CONFIG_PATH
// (for example <prefix>/lib/pkgconfig after `cmake --install build --prefix <prefix>`),
// and libquarry.so.0 must be found at run time (LD_LIBRARY_PATH or a system directory).
//
// # ABI check
//
// At initialisation the package compares quarry_abi_version() of the loaded library
// with QUARRY_ABI_VERSION of the headers it was compiled against and with
// BindingABIVersion, the generation this Go code was written for. On a mismatch it does
// not panic: NewContext, and so every function that computes, returns the error that
// CheckABI reports. Version, ABIVersion and BLASInfo keep working, to help diagnose it.
//
// # Errors
//
// A failed C call returns an *Error holding the status code, its C name and the
// library's detailed message. Every status code is a Status constant, and a Status is
// itself an error, so the kind of a failure is tested with errors.Is:
//
//	if errors.Is(err, quarry.ErrNoConvergence) { ... }
//
// and its fields are read with errors.As(err, &qerr) where qerr is a *quarry.Error.
// Slice lengths are checked in Go before any C call, so C never reads or writes past a
// slice; a mismatch is an *Error with ErrBadDimension (or ErrInvalidArgument) and a
// message written by the binding. Using a closed (or nil) Context, ReluNet, Sketch,
// SampleTree, NetOracle or DynamicLstsq gives ErrClosed.
//
// Some failures come with a result, which is then returned beside the error rather than
// hidden in it: an iterative solve (or LewisWeights) that hit its iteration limit
// (ErrNoConvergence) returns its last iterate and report, and an extraction stopped by
// its query budget (ErrBudget) or judged inaccurate (ErrNoConvergence) returns the
// partial network.
//
// # Contexts and threads
//
// A Context holds the thread count of quarry's kernels and the message of the last
// failed call. Every function and method that calls the library with a context takes
// one as its first argument (Lstsq, ExtractReLU1, NewReluNet, LoadReluNet,
// (*ReluNet).Eval, (*ReluNet).Save, ...); nil means "a fresh context for this call
// only", with the default thread count. (Dims and Weights need none.) A Context is used
// by one goroutine at a time; distinct contexts may be used concurrently. A ReluNet is
// immutable and may be shared. Oracles run on the goroutine (and OS thread) that called
// ExtractReLU1, label oracles on that of ActiveRegression or KroneckerRegressionLabels;
// an oracle made by (*ReluNet).Oracle(ctx) evaluates on ctx, which must not be the
// extraction's own context (nil: a fresh one per batch). An oracle must not call
// runtime.Goexit (t.Fatal, t.FailNow): see Oracle and LabelOracle.
//
// A Sketch is immutable and may be shared like a ReluNet. A SampleTree may be sampled
// (Sample, Size, Weight) by several goroutines at once while nobody updates it; Update
// needs it to itself. A NetOracle is mutable (it counts its queries and draws its
// noise): one goroutine at a time, and so is a DynamicLstsq (rows go into it).
// ExtractReLU1FromNetOracle hands the library the C oracle function itself, so no Go code
// runs per batch.
//
// # Random streams
//
// quarry has no global generator. Every randomized call takes an RngState (a plain
// 40-byte value, copied into C at each call) or a seed (WithSeed), and is a pure
// function of it and the sizes: the same state gives bitwise the same result for any
// thread count. RngStateFromSeed makes a state, Advance moves it along its stream, and
// FillU32, FillUniform and FillNormal read any part of a stream (three views of the
// same blocks; give each consumer its own state).
//
// # Ownership
//
// Context, ReluNet, Sketch, SampleTree, NetOracle and DynamicLstsq own a C handle.
// Close releases it; Close is idempotent, but must be called only once every user of the
// object is done: a Close racing a call on another goroutine is a use-after-free. A
// finalizer closes a forgotten object when the garbage collector finds it, but Close
// should be called (or deferred) since the Go collector does not see C memory. A
// NetOracle holds a copy of its network, which may be closed once the oracle is made.
// Reports are copied into Go maps and the C report is always destroyed.
package quarry
