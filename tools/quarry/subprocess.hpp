// A child process spoken to over its stdin and stdout: the black box of
// `quarry extract --oracle-cmd`. POSIX only (fork, exec, pipes).
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <string>

namespace quarry_cli {

class Subprocess {
 public:
  // Runs `command` with /bin/sh -c. Throws std::runtime_error when it cannot start.
  explicit Subprocess(const std::string& command);
  ~Subprocess();  // closes its stdin and waits for it (2 s, then SIGTERM)
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  std::FILE* in() const { return to_child_; }     // the child's stdin
  std::FILE* out() const { return from_child_; }  // the child's stdout

 private:
  void finish() noexcept;

  pid_t pid_ = -1;
  std::FILE* to_child_ = nullptr;
  std::FILE* from_child_ = nullptr;
};

}  // namespace quarry_cli
