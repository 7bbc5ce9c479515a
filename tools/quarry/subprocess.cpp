#include "subprocess.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

namespace quarry_cli {

Subprocess::Subprocess(const std::string& command) {
  int down[2], up[2];  // parent -> child, child -> parent
  if (pipe(down) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  if (pipe(up) != 0) {
    close(down[0]);
    close(down[1]);
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  // A child that exits early must not kill us with SIGPIPE: writes then fail with EPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    dup2(down[0], STDIN_FILENO);
    dup2(up[1], STDOUT_FILENO);
    close(down[0]);
    close(down[1]);
    close(up[0]);
    close(up[1]);
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(down[0]);
  close(up[1]);
  to_child_ = fdopen(down[1], "w");
  from_child_ = fdopen(up[0], "r");
  if (to_child_ == nullptr || from_child_ == nullptr) {
    throw std::runtime_error(std::string("fdopen: ") + std::strerror(errno));
  }
}

Subprocess::~Subprocess() {
  if (to_child_ != nullptr) std::fclose(to_child_);
  if (from_child_ != nullptr) std::fclose(from_child_);
  if (pid_ > 0) waitpid(pid_, nullptr, 0);
}

}  // namespace quarry_cli
