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
    const int error = errno;
    close(down[0]);
    close(down[1]);
    throw std::runtime_error(std::string("pipe: ") + std::strerror(error));
  }
  auto close_all = [&] {
    for (int fd : {down[0], down[1], up[0], up[1]}) close(fd);
  };
  // A child that exits early must not kill us with SIGPIPE: writes then fail with EPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  pid_ = fork();
  if (pid_ < 0) {
    const int error = errno;
    close_all();
    throw std::runtime_error(std::string("fork: ") + std::strerror(error));
  }
  if (pid_ == 0) {
    std::signal(SIGPIPE, SIG_DFL);  // the child's own programs expect the default
    dup2(down[0], STDIN_FILENO);
    dup2(up[1], STDOUT_FILENO);
    close_all();
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(down[0]);
  close(up[1]);
  to_child_ = fdopen(down[1], "w");
  from_child_ = fdopen(up[0], "r");
  if (to_child_ == nullptr || from_child_ == nullptr) {
    const int error = errno;
    if (to_child_ == nullptr) close(down[1]);
    if (from_child_ == nullptr) close(up[0]);
    finish();
    throw std::runtime_error(std::string("fdopen: ") + std::strerror(error));
  }
}

void Subprocess::finish() noexcept {
  if (to_child_ != nullptr) std::fclose(to_child_);
  if (from_child_ != nullptr) std::fclose(from_child_);
  to_child_ = from_child_ = nullptr;
  if (pid_ <= 0) return;
  // The child should exit at the end of its input; give it two seconds, then stop it.
  for (int i = 0; i < 200; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) != 0) {
      pid_ = -1;
      return;
    }
    usleep(10000);
  }
  kill(pid_, SIGTERM);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

Subprocess::~Subprocess() { finish(); }

}  // namespace quarry_cli
