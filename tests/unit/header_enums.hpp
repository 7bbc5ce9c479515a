// Reads the enum constants of a public header, so tests can check that every published
// constant is known to the library's tables (a constant added to a header but not to its
// table fails a test instead of silently reading "unknown").
#pragma once

#include <cstdint>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace quarry_test {

// (name, value) of every "NAME = number" enumerator in include/c_api/quarry/<header> whose
// name matches `name_pattern` (which may hold groups of its own).
inline std::vector<std::pair<std::string, int64_t>> header_enums(const std::string& header,
                                                                 const std::string& name_pattern) {
  std::ifstream file(std::string(QUARRY_SOURCE_DIR) + "/include/c_api/quarry/" + header);
  std::stringstream text;
  text << file.rdbuf();
  const std::string content = text.str();
  const std::regex enumerator("\\b(" + name_pattern + ")\\s*=\\s*(-?[0-9]+)");
  std::vector<std::pair<std::string, int64_t>> found;
  for (std::sregex_iterator it(content.begin(), content.end(), enumerator), end; it != end; ++it) {
    found.emplace_back((*it)[1].str(), std::stoll((*it)[it->size() - 1].str()));
  }
  return found;
}

}  // namespace quarry_test
