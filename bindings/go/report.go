package quarry

// #include <quarry.h>
import "C"

import (
	"fmt"
	"sort"
	"strings"
)

// ReportKey is a key of quarry/report.h (QUARRY_REPORT_*).
type ReportKey int32

// The report keys of quarry/report.h; the comment gives the map of Report that holds it.
const (
	ReportMethod            ReportKey = 1  // Ints: the method used (a LstsqMethod for least squares)
	ReportIterations        ReportKey = 2  // Ints: iterations of an iterative method
	ReportSketchRows        ReportKey = 3  // Ints: rows of the sketch used
	ReportQueries           ReportKey = 4  // Ints: oracle queries made
	ReportNeurons           ReportKey = 5  // Ints: neurons found by an extraction
	ReportResidualNorm      ReportKey = 6  // Floats: norm of the final residual
	ReportBackwardError     ReportKey = 7  // Floats: estimate of the normwise backward error
	ReportConditionEstimate ReportKey = 8  // Floats: estimate of the 2-norm condition number
	ReportSeconds           ReportKey = 9  // Floats: wall-clock seconds of the call
	ReportOracleSeconds     ReportKey = 10 // Floats: seconds spent inside the oracle
	ReportBatches           ReportKey = 11 // Ints: oracle calls (batches of queries)
	ReportLines             ReportKey = 12 // Ints: random lines an extraction searched
	ReportRelativeError     ReportKey = 13 // Floats: estimated relative RMS error of an extracted model
	ReportNoise             ReportKey = 14 // Floats: the oracle's output noise level used
	ReportRank              ReportKey = 15 // Ints: the numerical rank a solver used
	ReportResidualBound     ReportKey = 16 // Floats: a posteriori bound of a sketch-and-solve residual
	ReportObjective         ReportKey = 17 // Floats: the objective a solver minimized, at its solution
	ReportOutliers          ReportKey = 18 // Ints: residuals a robust solver treated as outliers
	ReportDualGap           ReportKey = 19 // Floats: a bound on the objective's relative distance to its minimum
)

// String is the C name of the key, e.g. "QUARRY_REPORT_ITERATIONS" (quarry_report_key_name).
func (k ReportKey) String() string { return C.GoString(C.quarry_report_key_name(C.int32_t(k))) }

// Report is what a call did beyond its outputs: every entry of the C report, by type.
// Which keys a call fills is documented with the call; a key the library did not fill
// is absent. Entries under keys newer than this binding are kept (their type comes from
// the library). The zero Report is empty.
type Report struct {
	Ints   map[ReportKey]int64
	Floats map[ReportKey]float64
}

// String lists the entries as NAME=value, in key order.
func (r Report) String() string {
	keys := make([]ReportKey, 0, len(r.Ints)+len(r.Floats))
	for k := range r.Ints {
		keys = append(keys, k)
	}
	for k := range r.Floats {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	parts := make([]string, len(keys))
	for i, k := range keys {
		if v, ok := r.Ints[k]; ok {
			parts[i] = fmt.Sprintf("%v=%d", k, v)
		} else {
			parts[i] = fmt.Sprintf("%v=%g", k, r.Floats[k])
		}
	}
	return strings.Join(parts, " ")
}

// takeReport copies a C report (which may be NULL) into a Report and destroys it.
func takeReport(r *C.quarry_report) Report {
	if r == nil {
		return Report{}
	}
	defer C.quarry_report_destroy(r)
	rep := Report{Ints: map[ReportKey]int64{}, Floats: map[ReportKey]float64{}}
	var count C.int64_t
	if C.quarry_report_count(r, &count) != C.QUARRY_OK {
		return rep
	}
	for i := C.int64_t(0); i < count; i++ {
		var key C.int32_t
		if C.quarry_report_key_at(r, i, &key) != C.QUARRY_OK {
			continue
		}
		switch C.quarry_report_key_type(key) {
		case C.QUARRY_TYPE_I64:
			var v C.int64_t
			if C.quarry_report_get_i64(r, key, &v) == C.QUARRY_OK {
				rep.Ints[ReportKey(key)] = int64(v)
			}
		case C.QUARRY_TYPE_F64:
			var v C.double
			if C.quarry_report_get_f64(r, key, &v) == C.QUARRY_OK {
				rep.Floats[ReportKey(key)] = float64(v)
			}
		}
	}
	return rep
}
