// The network file format: versioned JSON with exact double round-trip (see
// docs/extract.md, "Network files"). Readers refuse anything malformed with
// QUARRY_ERR_FORMAT and unreadable files with QUARRY_ERR_IO, naming the file and the field.
#pragma once

#include <string>

#include "extract/relu_net.hpp"

namespace quarry::extract {

inline constexpr const char* kNetFormatName = "quarry-relu-net";
inline constexpr int kNetFormatVersion = 1;

// The JSON text of a network.
std::string net_to_json(const NetParams<double>& p);

// Parses JSON text; `source` names it in messages (a path, or "buffer").
NetParams<double> net_from_json(const std::string& text, const std::string& source);

// Writes the file atomically (a temporary file renamed over `path`).
void save_net(const NetParams<double>& p, const std::string& path);
NetParams<double> load_net(const std::string& path);

}  // namespace quarry::extract
