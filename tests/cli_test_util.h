#pragma once

// Running the real consentric binary (CONSENTRIC_BINARY, set by tests/CMakeLists.txt) from the
// end-to-end tests, the way a user's shell or a script would.

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace consentric::testing {

struct CommandRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `consentric <args>` through the shell (so args may quote and redirect) and waits for it.
inline CommandRun run(const std::string& args) {
  const std::string cmd = std::string(CONSENTRIC_BINARY) + " " + args + " 2>&1";
  CommandRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p) != nullptr) r.output += buf.data();
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace consentric::testing
