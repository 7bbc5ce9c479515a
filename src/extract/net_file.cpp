#include "extract/net_file.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/error.hpp"

namespace quarry::extract {

namespace {

using nlohmann::json;

// Size fields are bounded so that a hostile file cannot ask for absurd allocations
// before its arrays are even checked.
constexpr int64_t kMaxDimension = int64_t{1} << 31;

template <class... Args>
[[noreturn]] void bad_format(const std::string& source, fmt::format_string<Args...> format,
                             Args&&... args) {
  core::fail(QUARRY_ERR_FORMAT, "{}: {}", source, fmt::format(format, std::forward<Args>(args)...));
}

json rows_of(const std::vector<double>& v, int64_t rows, int64_t cols) {
  json matrix = json::array();
  for (int64_t i = 0; i < rows; ++i) {
    matrix.push_back(std::vector<double>(v.begin() + i * cols, v.begin() + (i + 1) * cols));
  }
  return matrix;
}

int64_t read_size(const json& doc, const char* field, int64_t lo, const std::string& source) {
  const auto it = doc.find(field);
  if (it == doc.end() || !it->is_number_integer()) {
    bad_format(source, "\"{}\" must be an integer", field);
  }
  const int64_t value = it->get<int64_t>();
  if (value < lo || value > kMaxDimension) {
    bad_format(source, "\"{}\" = {} is outside [{}, {}]", field, value, lo, kMaxDimension);
  }
  return value;
}

void read_numbers(const json& array, const std::string& where, int64_t count,
                  std::vector<double>& out, const std::string& source) {
  if (!array.is_array() || static_cast<int64_t>(array.size()) != count) {
    bad_format(source, "{} must be an array of {} numbers", where, count);
  }
  for (size_t i = 0; i < array.size(); ++i) {
    if (!array[i].is_number()) bad_format(source, "{}[{}] is not a number", where, i);
    out.push_back(array[i].get<double>());
  }
}

// A rows x cols matrix stored as an array of rows.
std::vector<double> read_matrix(const json& doc, const char* field, int64_t rows, int64_t cols,
                                const std::string& source) {
  const auto it = doc.find(field);
  if (it == doc.end() || !it->is_array() || static_cast<int64_t>(it->size()) != rows) {
    bad_format(source, "\"{}\" must be an array of {} rows", field, rows);
  }
  // No reserve from the header's sizes: only what the file really holds is allocated.
  std::vector<double> values;
  for (int64_t i = 0; i < rows; ++i) {
    read_numbers((*it)[static_cast<size_t>(i)], fmt::format("\"{}\"[{}]", field, i), cols, values,
                 source);
  }
  return values;
}

std::vector<double> read_vector(const json& doc, const char* field, int64_t count,
                                const std::string& source) {
  const auto it = doc.find(field);
  if (it == doc.end()) bad_format(source, "\"{}\" is missing", field);
  std::vector<double> values;
  read_numbers(*it, fmt::format("\"{}\"", field), count, values, source);
  return values;
}

}  // namespace

std::string net_to_json(const NetParams<double>& p) {
  json doc = {{"format", kNetFormatName},
              {"version", kNetFormatVersion},
              {"d", p.d},
              {"k", p.k},
              {"c", p.c},
              {"w", rows_of(p.w, p.k, p.d)},
              {"b", p.b},
              {"a", rows_of(p.a, p.c, p.k)},
              {"skip", p.skip.empty() ? json(nullptr) : rows_of(p.skip, p.c, p.d)},
              {"c0", p.c0}};
  // nlohmann writes the shortest decimal that reads back to the same double.
  return doc.dump(1) + "\n";
}

NetParams<double> net_from_json(const std::string& text, const std::string& source) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {  // parse errors, and numbers beyond double (1e999)
    bad_format(source, "not valid JSON ({})", e.what());
  }
  if (!doc.is_object()) bad_format(source, "the top level must be a JSON object");
  const auto format = doc.find("format");
  if (format == doc.end() || !format->is_string() || *format != kNetFormatName) {
    bad_format(source, "not a quarry network file (\"format\" must be \"{}\")", kNetFormatName);
  }
  const auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer()) {
    bad_format(source, "\"version\" must be an integer");
  }
  if (version->get<int64_t>() != kNetFormatVersion) {
    bad_format(source, "file version {} is not supported (this quarry reads version {})",
               version->dump(), kNetFormatVersion);
  }
  NetParams<double> p;
  p.d = read_size(doc, "d", 1, source);
  p.k = read_size(doc, "k", 0, source);
  p.c = read_size(doc, "c", 1, source);
  p.w = read_matrix(doc, "w", p.k, p.d, source);
  p.b = read_vector(doc, "b", p.k, source);
  p.a = read_matrix(doc, "a", p.c, p.k, source);
  const auto skip = doc.find("skip");
  if (skip != doc.end() && !skip->is_null()) p.skip = read_matrix(doc, "skip", p.c, p.d, source);
  p.c0 = read_vector(doc, "c0", p.c, source);
  try {
    validate(p);
  } catch (const core::Error& e) {
    bad_format(source, "{}", e.what());
  }
  return p;
}

void save_net(const NetParams<double>& p, const std::string& path) {
  const std::string text = net_to_json(p);
  const std::string temporary = path + ".tmp";
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  core::require(file != nullptr, QUARRY_ERR_IO, "cannot open '{}' for writing: {}", temporary,
                std::strerror(errno));
  const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed || std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(temporary.c_str());
    core::fail(QUARRY_ERR_IO, "cannot write '{}': {}", path, std::strerror(error));
  }
}

NetParams<double> load_net(const std::string& path) {
  std::error_code error;
  core::require(!std::filesystem::is_directory(path, error), QUARRY_ERR_IO,
                "cannot read '{}': it is a directory", path);
  std::ifstream file(path, std::ios::binary);
  core::require(file.is_open(), QUARRY_ERR_IO, "cannot open '{}' for reading: {}", path,
                std::strerror(errno));
  std::ostringstream text;
  text << file.rdbuf();
  core::require(!file.bad(), QUARRY_ERR_IO, "cannot read '{}'", path);
  return net_from_json(text.str(), path);
}

}  // namespace quarry::extract
