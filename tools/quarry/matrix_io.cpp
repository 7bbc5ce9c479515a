// File formats: the .npy format is NumPy's (numpy.lib.format, versions 1.0-3.0); the
// Matrix Market format is NIST's ("The Matrix Market Exchange Formats", Boisvert, Pozo
// and Remington, 1996), read with scipy.io.mmread's leniency in two places: the banner's
// words in any case, and repeated coordinate entries summed.
#include "matrix_io.hpp"

#include <quarry.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>
#include <utility>

namespace quarry_cli {

// Data are read and written by memcpy and fread in the host's byte order.
static_assert(std::endian::native == std::endian::little,
              "matrix_io reads and writes little-endian data as it is in memory");

int32_t DenseMatrix::layout() const { return col_major ? QUARRY_COL_MAJOR : QUARRY_ROW_MAJOR; }

int64_t DenseMatrix::ld() const { return std::max<int64_t>(1, col_major ? rows : cols); }

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw MatrixFileError(path, what);
}

// Text from a file, fit for a one-line message: at most 60 characters, control and
// non-ASCII bytes shown as '?'.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 60)) {
    out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  }
  if (text.size() > 60) out += "...";
  return out;
}

// a * b, or false when it does not fit in int64.
bool checked_mul(int64_t a, int64_t b, int64_t& out) { return !__builtin_mul_overflow(a, b, &out); }

struct CloseFile {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, CloseFile>;

// Opens a regular file for reading; `size` receives its length in bytes.
FilePtr open_input(const std::string& path, int64_t& size) {
  FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f) fail(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (fstat(fileno(f.get()), &st) != 0) {
    fail(path, std::string("cannot stat: ") + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) fail(path, "not a regular file");
  size = static_cast<int64_t>(st.st_size);
  return f;
}

// Reads exactly n bytes or fails naming what was being read.
void read_exactly(std::FILE* f, void* out, size_t n, const std::string& path, const char* what) {
  if (std::fread(out, 1, n, f) != n) {
    fail(path, std::ferror(f) ? std::string("cannot read ") + what + ": " + std::strerror(errno)
                              : std::string("truncated ") + what);
  }
}

// ---------------------------------------------------------------------------- .npy

constexpr char kNpyMagic[] = "\x93NUMPY";
constexpr size_t kNpyMagicSize = 6;
constexpr std::string_view kMatrixMarketBanner = "%%MatrixMarket";

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

// The header is a Python dict literal, e.g. {'descr': '<f8', 'fortran_order': False,
// 'shape': (3, 4), }: a recursive-descent reader of just the values NumPy writes there
// (strings, True/False, tuples of integers), with the exact three keys NumPy requires.
class NpyHeaderParser {
 public:
  NpyHeaderParser(std::string_view text, const std::string& path) : text_(text), path_(path) {}

  NpyHeader parse() {
    NpyHeader h;
    bool has_descr = false, has_order = false, has_shape = false;
    expect('{');
    while (!peek('}')) {
      const std::string key = string_literal("a key");
      expect(':');
      if (key == "descr" && !has_descr) {
        h.descr = string_literal("'descr' (a dtype string)");
        has_descr = true;
      } else if (key == "fortran_order" && !has_order) {
        h.fortran_order = boolean();
        has_order = true;
      } else if (key == "shape" && !has_shape) {
        h.shape = int_tuple();
        has_shape = true;
      } else {
        error("unexpected or repeated key '" + printable(key) + "'");
      }
      if (!peek('}')) expect(',');
    }
    expect('}');
    skip_space();
    if (pos_ != text_.size()) error("text after the closing '}'");
    if (!has_descr || !has_order || !has_shape) {
      error("it lacks one of the keys 'descr', 'fortran_order' and 'shape'");
    }
    return h;
  }

 private:
  [[noreturn]] void error(const std::string& why) const {
    const size_t end = text_.find_last_not_of(" \n");  // NumPy's padding
    fail(path_, "bad .npy header dict \"" +
                    printable(text_.substr(0, end == std::string_view::npos ? 0 : end + 1)) +
                    "\": " + why);
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool peek(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  void expect(char c) {
    if (!peek(c)) error(std::string("expected '") + c + "' at offset " + std::to_string(pos_));
    ++pos_;
  }
  std::string string_literal(const std::string& what) {
    skip_space();
    const char quote = pos_ < text_.size() ? text_[pos_] : '\0';
    if (quote != '\'' && quote != '"') error("expected " + what + " in quotes");
    const size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) error("unterminated string");
    std::string s(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return s;
  }
  bool boolean() {
    skip_space();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      if (text_.substr(pos_, std::strlen(word)) == word) {
        pos_ += std::strlen(word);
        return value;
      }
    }
    error("'fortran_order' is not True or False");
  }
  std::vector<int64_t> int_tuple() {
    std::vector<int64_t> t;
    expect('(');
    while (!peek(')')) {
      int64_t v = -1;
      const auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + text_.size(), v);
      if (ec != std::errc() || v < 0) error("'shape' is not a tuple of non-negative integers");
      pos_ = static_cast<size_t>(end - text_.data());
      t.push_back(v);
      if (!peek(')')) expect(',');
    }
    expect(')');
    return t;
  }

  std::string_view text_;
  const std::string& path_;
  size_t pos_ = 0;
};

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    s += std::to_string(shape[i]) + (shape.size() == 1 ? "," : i + 1 < shape.size() ? ", " : "");
  }
  return s + ")";
}

// Converts n little-endian elements of type T from `in` to double.
template <class T>
void convert(const unsigned char* in, int64_t n, double* out) {
  for (int64_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, in + i * int64_t(sizeof(T)), sizeof(T));
    out[i] = static_cast<double>(v);
  }
}

// ---------------------------------------------------------------------------- Matrix Market

// The lines of a text, numbered from 1, with their trailing '\r' removed.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}

  bool next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    line = text_.substr(pos_, end - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ = end + 1;
    ++number_;
    return true;
  }
  // The next line holding something other than blanks and '%' comments.
  bool next_data(std::string_view& line) {
    while (next(line)) {
      const size_t first = line.find_first_not_of(" \t");
      if (first != std::string_view::npos && line[first] != '%') return true;
    }
    return false;
  }
  int64_t number() const { return number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int64_t number_ = 0;
};

// The whitespace-separated tokens of one line.
std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> tokens;
  size_t pos = 0;
  while (true) {
    pos = line.find_first_not_of(" \t", pos);
    if (pos == std::string_view::npos) return tokens;
    size_t end = line.find_first_of(" \t", pos);
    if (end == std::string_view::npos) end = line.size();
    tokens.push_back(line.substr(pos, end - pos));
    pos = end;
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

enum class Field { real, integer, pattern };
enum class Symmetry { general, symmetric, skew };

// Reads the numbers of a Matrix Market file's lines, failing with the file and line.
class MatrixMarketReader {
 public:
  MatrixMarketReader(std::string_view text, const std::string& path)
      : lines_(text), path_(path), text_size_(text.size()) {}

  Matrix read() {
    std::string_view line;
    lines_.next(line);
    read_banner(line);
    if (!lines_.next_data(line)) error("truncated: no size line");
    const auto size = split(line);
    if (size.size() != (coordinate_ ? 3u : 2u)) {
      error(coordinate_ ? "the size line is not 'rows columns entries'"
                        : "the size line is not 'rows columns'");
    }
    rows_ = count(size[0], "rows");
    cols_ = count(size[1], "columns");
    if (symmetry_ != Symmetry::general && rows_ != cols_) {
      error("a symmetric or skew-symmetric matrix must be square, not " + std::to_string(rows_) +
            " x " + std::to_string(cols_));
    }
    if (coordinate_) return read_coordinate(count(size[2], "entries"));
    return read_array();
  }

 private:
  [[noreturn]] void error(const std::string& why) const {
    fail(path_, "line " + std::to_string(lines_.number()) + ": " + why);
  }

  void read_banner(std::string_view line) {
    const auto words = split(line);
    const char* expected =
        "expected '%%MatrixMarket matrix coordinate|array real|double|integer|pattern "
        "general|symmetric|skew-symmetric'";
    if (words.size() != 5 || words[0] != kMatrixMarketBanner || lower(words[1]) != "matrix") {
      error("bad Matrix Market header '" + printable(line) + "': " + expected);
    }
    const std::string format = lower(words[2]), field = lower(words[3]), symmetry = lower(words[4]);
    if (format != "coordinate" && format != "array") {
      error("unsupported Matrix Market format '" + printable(format) + "': " + expected);
    }
    coordinate_ = format == "coordinate";
    if (field == "real" || field == "double") {
      field_ = Field::real;
    } else if (field == "integer") {
      field_ = Field::integer;
    } else if (field == "pattern" && coordinate_) {
      field_ = Field::pattern;
    } else {
      error("unsupported Matrix Market field '" + printable(field) + "' for format '" + format +
            "': " + expected);
    }
    if (symmetry == "general") {
      symmetry_ = Symmetry::general;
    } else if (symmetry == "symmetric") {
      symmetry_ = Symmetry::symmetric;
    } else if (symmetry == "skew-symmetric") {
      symmetry_ = Symmetry::skew;
    } else {
      error("unsupported Matrix Market symmetry '" + printable(symmetry) + "': " + expected);
    }
  }

  // A non-negative integer: a size, a count or (checked by the caller) an index.
  int64_t count(std::string_view token, const char* what) const {
    int64_t v = -1;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
    if (ec != std::errc() || end != token.data() + token.size() || v < 0) {
      error(std::string("the number of ") + what + " '" + printable(token) +
            "' is not a non-negative integer");
    }
    return v;
  }

  int64_t index(std::string_view token, int64_t bound, const char* what) const {
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
    if (ec != std::errc() || end != token.data() + token.size()) {
      error(std::string("non-numeric ") + what + " index '" + printable(token) + "'");
    }
    if (v < 1 || v > bound) {
      error(std::string(what) + " index " + std::to_string(v) + " is outside 1.." +
            std::to_string(bound));
    }
    return v - 1;
  }

  double value(std::string_view token) const {
    if (!token.empty() && token[0] == '+') token.remove_prefix(1);  // from_chars refuses '+'
    const char* const last = token.data() + token.size();
    double v = 0;
    std::from_chars_result r;
    if (field_ == Field::integer) {
      int64_t i = 0;
      r = std::from_chars(token.data(), last, i);
      v = static_cast<double>(i);
    } else {
      r = std::from_chars(token.data(), last, v);
    }
    if (r.ec == std::errc::result_out_of_range) {
      error("value '" + printable(token) + "' is out of range");
    }
    if (r.ec != std::errc() || r.ptr != last) {
      error(std::string("non-numeric ") + (field_ == Field::integer ? "integer " : "") + "value '" +
            printable(token) + "'");
    }
    if (!std::isfinite(v)) error("non-finite value '" + printable(token) + "'");
    return v;
  }

  Matrix read_coordinate(int64_t entries) {
    // Triplets, then CSR. Reserved for at most what the file can hold (4 bytes a line,
    // "1 1\n"), so a size line announcing 10^18 entries fails as truncated, not as memory.
    std::vector<int64_t> ri, ci;
    std::vector<double> v;
    ri.reserve(std::min(size_t(entries), text_size_ / 4));
    ci.reserve(ri.capacity());
    v.reserve(ri.capacity());
    const size_t tokens = field_ == Field::pattern ? 2 : 3;
    std::string_view line;
    for (int64_t e = 0; e < entries; ++e) {
      if (!lines_.next_data(line)) {
        fail(path_, "truncated data: " + std::to_string(e) + " of the " + std::to_string(entries) +
                        " entries announced");
      }
      const auto t = split(line);
      if (t.size() != tokens) {
        error("expected " + std::to_string(tokens) + " numbers (row, column" +
              (tokens == 3 ? ", value" : "") + "), found " + std::to_string(t.size()));
      }
      const int64_t i = index(t[0], rows_, "row"), j = index(t[1], cols_, "column");
      const double x = field_ == Field::pattern ? 1.0 : value(t[2]);
      ri.push_back(i);
      ci.push_back(j);
      v.push_back(x);
      if (symmetry_ != Symmetry::general && i != j) {  // the other triangle, mirrored
        ri.push_back(j);
        ci.push_back(i);
        v.push_back(symmetry_ == Symmetry::skew ? -x : x);
      }
    }
    expect_end(std::to_string(entries) + " entries announced");
    return to_csr(ri, ci, v);
  }

  // Values one per line, by columns: all of them (general) or the lower triangle with
  // (symmetric) or without (skew-symmetric) the diagonal.
  Matrix read_array() {
    DenseMatrix a;
    a.rows = rows_;
    a.cols = cols_;
    a.col_major = true;  // the file's own order
    int64_t n = 0;
    if (!checked_mul(rows_, cols_, n) || n > int64_t(text_size_)) {
      // A value takes 2 bytes or more, and a symmetric file holds about half of them.
      fail(path_, "truncated data: the size line announces " + std::to_string(rows_) + " x " +
                      std::to_string(cols_) + " values, more than the file holds");
    }
    a.values.assign(static_cast<size_t>(n), 0.0);
    std::string_view line;
    for (int64_t j = 0; j < cols_; ++j) {
      const int64_t first = symmetry_ == Symmetry::general     ? 0
                            : symmetry_ == Symmetry::symmetric ? j
                                                               : j + 1;
      for (int64_t i = first; i < rows_; ++i) {
        if (!lines_.next_data(line)) {
          fail(path_, "truncated data: the values end before row " + std::to_string(i + 1) +
                          ", column " + std::to_string(j + 1));
        }
        const auto t = split(line);
        if (t.size() != 1) error("expected one value, found " + std::to_string(t.size()));
        const double x = value(t[0]);
        a.values[size_t(i + j * rows_)] = x;
        if (symmetry_ != Symmetry::general) {
          a.values[size_t(j + i * rows_)] = symmetry_ == Symmetry::skew ? -x : x;
        }
      }
    }
    expect_end("values of the size line");
    return a;
  }

  void expect_end(const std::string& announced) {
    std::string_view line;
    if (lines_.next_data(line)) error("data beyond the " + announced);
  }

  // CSR from triplets: a stable counting sort by row, then each row sorted by column
  // (stably) with repeated entries summed in file order.
  CsrMatrix to_csr(const std::vector<int64_t>& ri, const std::vector<int64_t>& ci,
                   const std::vector<double>& v) const {
    CsrMatrix a;
    a.rows = rows_;
    a.cols = cols_;
    if (!fits_in_memory(rows_ + 1, sizeof(int64_t))) {
      fail(path_,
           "the CSR row pointers of " + std::to_string(rows_) + " rows do not fit in memory");
    }
    a.row_ptr.assign(size_t(rows_) + 1, 0);
    for (int64_t i : ri) ++a.row_ptr[size_t(i) + 1];
    for (size_t i = 0; i < size_t(rows_); ++i) a.row_ptr[i + 1] += a.row_ptr[i];
    a.col_idx.resize(ci.size());
    a.values.resize(v.size());
    std::vector<int64_t> next(a.row_ptr.begin(), a.row_ptr.end() - 1);
    for (size_t e = 0; e < ri.size(); ++e) {
      const auto at = size_t(next[size_t(ri[e])]++);
      a.col_idx[at] = ci[e];
      a.values[at] = v[e];
    }
    // Compacts in place: the write position never passes the row being read.
    std::vector<std::pair<int64_t, double>> row;
    int64_t w = 0;
    for (int64_t i = 0; i < rows_; ++i) {
      const auto begin = size_t(a.row_ptr[size_t(i)]), end = size_t(a.row_ptr[size_t(i) + 1]);
      row.clear();
      for (size_t e = begin; e < end; ++e) row.emplace_back(a.col_idx[e], a.values[e]);
      std::stable_sort(row.begin(), row.end(),
                       [](const auto& x, const auto& y) { return x.first < y.first; });
      a.row_ptr[size_t(i)] = w;
      for (size_t e = 0; e < row.size(); ++e) {
        if (e > 0 && row[e].first == row[e - 1].first) {
          double& sum = a.values[size_t(w) - 1];
          sum += row[e].second;
          if (!std::isfinite(sum)) {
            fail(path_, "the repeated entries at row " + std::to_string(i + 1) + ", column " +
                            std::to_string(row[e].first + 1) + " sum to a non-finite value");
          }
        } else {
          a.col_idx[size_t(w)] = row[e].first;
          a.values[size_t(w)] = row[e].second;
          ++w;
        }
      }
    }
    a.row_ptr[size_t(rows_)] = w;
    a.col_idx.resize(size_t(w));
    a.values.resize(size_t(w));
    return a;
  }

  LineReader lines_;
  const std::string& path_;
  bool coordinate_ = true;
  Field field_ = Field::real;
  Symmetry symmetry_ = Symmetry::general;
  size_t text_size_;
  int64_t rows_ = 0, cols_ = 0;
};

}  // namespace

DenseMatrix read_npy(const std::string& path, bool vector_ok) {
  int64_t file_size = 0;
  const FilePtr f = open_input(path, file_size);

  // Magic, version, then the header's length: 2 bytes (1.0) or 4 (2.0, 3.0).
  unsigned char prefix[12] = {};
  const size_t got = std::fread(prefix, 1, 8, f.get());
  if (got < kNpyMagicSize || std::memcmp(prefix, kNpyMagic, kNpyMagicSize) != 0) {
    fail(path, "bad .npy magic: the file does not start with \\x93NUMPY");
  }
  if (got < 8) fail(path, "truncated header");
  const int major = prefix[6];
  if (major < 1 || major > 3) {
    fail(path,
         "unsupported .npy version " + std::to_string(major) + "." + std::to_string(prefix[7]));
  }
  const size_t length_bytes = major == 1 ? 2 : 4;
  read_exactly(f.get(), prefix + 8, length_bytes, path, "header");
  int64_t header_length = prefix[8] | prefix[9] << 8;
  if (major > 1) header_length |= int64_t(prefix[10]) << 16 | int64_t(prefix[11]) << 24;
  const int64_t data_offset = 8 + int64_t(length_bytes) + header_length;
  if (data_offset > file_size) fail(path, "truncated header");
  std::string header(size_t(header_length), '\0');
  read_exactly(f.get(), header.data(), header.size(), path, "header");

  const NpyHeader h = NpyHeaderParser(header, path).parse();
  const bool vector = vector_ok && h.shape.size() == 1;
  if (h.shape.size() != 2 && !vector) {
    fail(path, "shape " + shape_text(h.shape) +
                   (vector_ok ? " is not 1-D or 2-D: a vector or a matrix is needed"
                              : " is not 2-D: a matrix is needed"));
  }
  int item = 0;
  if (h.descr == "<f8" || h.descr == "<i8") item = 8;
  if (h.descr == "<f4" || h.descr == "<i4") item = 4;
  if (item == 0) {
    fail(path, "unsupported dtype '" + printable(h.descr) +
                   "' (quarry reads '<f8', '<f4', '<i8' and '<i4')");
  }
  DenseMatrix a;
  a.rows = h.shape[0];
  a.cols = vector ? 1 : h.shape[1];
  a.col_major = h.fortran_order && !vector;  // a vector's order is moot: ld() = 1 row-major
  a.vector = vector;
  int64_t n = 0, bytes = 0;
  if (!checked_mul(a.rows, a.cols, n) || !checked_mul(n, item, bytes)) {
    fail(path, "shape " + shape_text(h.shape) + " is too large");
  }
  const int64_t available = file_size - data_offset;
  const std::string needs = "shape " + shape_text(h.shape) + " of '" + h.descr + "' needs " +
                            std::to_string(bytes) + " bytes after the header";
  if (bytes > available) {
    fail(path, "truncated data: " + needs + ", the file has " + std::to_string(available));
  }
  if (bytes < available) {
    fail(path, "wrong size: " + needs + ", the file has " + std::to_string(available));
  }

  a.values.resize(size_t(n));
  if (h.descr == "<f8") {
    read_exactly(f.get(), a.values.data(), size_t(bytes), path, "data");
  } else {
    // Converted a block at a time, so the file's own type is never held whole.
    std::vector<unsigned char> block(size_t(1) << 20);
    const int64_t per_block = int64_t(block.size()) / item;
    for (int64_t first = 0; first < n; first += per_block) {
      const int64_t count = std::min(per_block, n - first);
      read_exactly(f.get(), block.data(), size_t(count * item), path, "data");
      double* out = a.values.data() + first;
      if (h.descr == "<f4") convert<float>(block.data(), count, out);
      if (h.descr == "<i8") convert<int64_t>(block.data(), count, out);
      if (h.descr == "<i4") convert<int32_t>(block.data(), count, out);
    }
  }
  const auto bad =
      std::find_if(a.values.begin(), a.values.end(), [](double x) { return !std::isfinite(x); });
  if (bad != a.values.end()) {
    const int64_t k = bad - a.values.begin();
    const int64_t i = a.col_major ? k % a.rows : k / a.cols,
                  j = a.col_major ? k / a.rows : k % a.cols;
    fail(path, "non-finite value " +
                   std::string(std::isnan(*bad) ? "nan"
                               : *bad < 0       ? "-inf"
                                                : "inf") +
                   " at row " + std::to_string(i) + ", column " + std::to_string(j) + " (from 0)");
  }
  return a;
}

Matrix read_matrix_market(const std::string& path) {
  int64_t size = 0;
  const FilePtr f = open_input(path, size);
  std::string text(size_t(size), '\0');
  read_exactly(f.get(), text.data(), text.size(), path, "text");
  return MatrixMarketReader(text, path).read();
}

bool fits_in_memory(int64_t count, int64_t item_size) {
  const int64_t memory = int64_t(sysconf(_SC_PHYS_PAGES)) * int64_t(sysconf(_SC_PAGESIZE));
  int64_t bytes = 0;
  return count >= 0 && checked_mul(count, item_size, bytes) && bytes <= memory;
}

Matrix read_matrix(const std::string& path, bool vector_ok) {
  int64_t size = 0;
  char start[kMatrixMarketBanner.size()] = {};
  size_t got = 0;
  {
    const FilePtr f = open_input(path, size);
    got = std::fread(start, 1, sizeof start, f.get());
  }
  const std::string_view head(start, got);
  try {
    if (head.substr(0, kNpyMagicSize) == std::string_view(kNpyMagic, kNpyMagicSize)) {
      return read_npy(path, vector_ok);
    }
    if (head == kMatrixMarketBanner) return read_matrix_market(path);
  } catch (const std::bad_alloc&) {  // a matrix that fits in memory, but not next to the rest
    fail(path, "the matrix does not fit in memory");
  }
  const bool npy_name = path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0;
  fail(path, npy_name ? "bad .npy magic: the file does not start with \\x93NUMPY"
                      : "unknown format: neither a .npy file (\\x93NUMPY magic) nor a Matrix "
                        "Market file (%%MatrixMarket header)");
}

void write_npy(const std::string& path, int64_t rows, int64_t cols, const double* values,
               int64_t ld, bool col_major, bool vector) {
  // NumPy pads the header with spaces to a multiple of 64 bytes, ending it with '\n'.
  std::string header =
      "{'descr': '<f8', 'fortran_order': False, 'shape': " +
      shape_text(vector ? std::vector<int64_t>{rows} : std::vector<int64_t>{rows, cols}) + ", }";
  header.append(63 - (10 + header.size()) % 64, ' ');
  header += '\n';
  std::string prefix(kNpyMagic, kNpyMagicSize);
  prefix += '\x01';
  prefix += '\x00';
  prefix += static_cast<char>(header.size() & 0xff);
  prefix += static_cast<char>(header.size() >> 8);

  FilePtr f(std::fopen(path.c_str(), "wb"));
  if (!f) fail(path, std::string("cannot write: ") + std::strerror(errno));
  bool ok = std::fwrite(prefix.data(), 1, prefix.size(), f.get()) == prefix.size() &&
            std::fwrite(header.data(), 1, header.size(), f.get()) == header.size();
  // A row at a time: a column-major or padded matrix is gathered into C order on the way.
  std::vector<double> row(static_cast<size_t>(cols));
  for (int64_t i = 0; ok && i < rows; ++i) {
    const double* out = values + i * ld;
    if (col_major) {
      for (int64_t j = 0; j < cols; ++j) row[size_t(j)] = values[i + j * ld];
      out = row.data();
    }
    ok = std::fwrite(out, sizeof(double), size_t(cols), f.get()) == size_t(cols);
  }
  if (!ok || std::fclose(f.release()) != 0) {
    fail(path, std::string("cannot write: ") + std::strerror(errno));
  }
}

}  // namespace quarry_cli
