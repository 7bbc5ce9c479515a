// Matrix files for the command-line program: NumPy .npy (dense) and Matrix Market .mtx
// (sparse coordinate → CSR, or dense array). The format is chosen by the file's first
// bytes, never by its name alone, so a misnamed file is still read or clearly refused.
//
// Every malformed file is refused with a MatrixFileError whose message starts with the
// file's name ("A.npy: truncated data: ..."), so the caller can print it as one line.
// Non-finite values are refused on reading: a NaN in a data file is a broken file, and
// naming the file and the entry beats the library's later message about its product.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace quarry_cli {

// A malformed or unreadable matrix file; what() is "<file>: <what is wrong>".
class MatrixFileError : public std::runtime_error {
 public:
  MatrixFileError(const std::string& path, const std::string& what)
      : std::runtime_error(path + ": " + what) {}
};

// A dense matrix in either storage order, packed (leading dimension = rows for column
// major, cols for row major), as a .npy file stores it: it is handed to the library in
// its own order, never copied.
struct DenseMatrix {
  int64_t rows = 0, cols = 0;
  bool col_major = false;
  bool vector = false;  // read from a 1-D array, shape (rows,): one column
  std::vector<double> values;

  int32_t layout() const;  // QUARRY_ROW_MAJOR or QUARRY_COL_MAJOR
  int64_t ld() const;      // at least 1, as BLAS wants even for empty matrices
};

// A CSR matrix with int64 indices: row i holds entries row_ptr[i] .. row_ptr[i + 1] - 1.
// Readers return each row's columns increasing and unrepeated (duplicates summed), the
// order in which quarry's CSR products are bitwise those of the dense ones.
struct CsrMatrix {
  int64_t rows = 0, cols = 0;
  std::vector<int64_t> row_ptr, col_idx;
  std::vector<double> values;
};

using Matrix = std::variant<DenseMatrix, CsrMatrix>;

// Reads a .npy or a Matrix Market file, whichever the content is; `vector_ok` as for
// read_npy.
Matrix read_matrix(const std::string& path, bool vector_ok = false);

// A .npy file of version 1, 2 or 3: a 2-D array of '<f8' (read as is), '<f4', '<i8' or
// '<i4' (converted to double), in C or Fortran order; with `vector_ok`, also a 1-D one,
// read as a column (`vector` set).
DenseMatrix read_npy(const std::string& path, bool vector_ok = false);

// A Matrix Market file: `coordinate` (real, double, integer or pattern) → CSR, `array`
// (real, double or integer) → dense column major; general, symmetric or skew-symmetric
// (the stored triangle is mirrored).
Matrix read_matrix_market(const std::string& path);

// Whether count items of item_size bytes fit in this machine's physical memory: checked
// before allocating a size that a file or an argument announces, so that an absurd one
// is a clear error rather than std::bad_alloc (or, under AddressSanitizer, an abort).
bool fits_in_memory(int64_t count, int64_t item_size);

// Writes a rows x cols matrix (storage order `col_major`, leading dimension ld) as a
// version 1.0 .npy file of '<f8' in C order, whatever the order in memory; with `vector`
// (cols = 1), as a 1-D array of shape (rows,).
void write_npy(const std::string& path, int64_t rows, int64_t cols, const double* values,
               int64_t ld, bool col_major, bool vector = false);

}  // namespace quarry_cli
