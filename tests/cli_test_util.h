#pragma once

// Running the real consentric binary (CONSENTRIC_BINARY, set by tests/CMakeLists.txt) from the
// end-to-end tests, the way a user's shell or a script would.

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <initializer_list>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/status_matchers.h"

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

// A fixture with a fresh store folder, initialised in SetUp, and the ways tests talk to it.
class StoreCliTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(run("init " + store()).exit_code, 0); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string store() const { return path("store"); }
  CommandRun at_store(const std::string& args) const {
    return run("--store " + store() + " " + args);
  }
  // `--json ARGS`, expecting exit 0; a discarded value when the output is no JSON.
  nlohmann::json json_of(const std::string& args) const {
    const CommandRun r = at_store("--json " + args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return nlohmann::json::parse(r.output, nullptr, false);
  }
  // Generates customers into DIR/data (generate_args: e.g. "--as-of 2026-06-30") and imports
  // the files of the given kinds ("profiles", "events", "consents").
  void import_generated(int customers, int seed, std::initializer_list<const char*> kinds,
                        const std::string& generate_args = "") const {
    CommandRun r = run("generate --customers " + std::to_string(customers) + " --seed " +
                       std::to_string(seed) + " " + generate_args + " --out " + path("data"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (const std::string kind : kinds) {
      const std::string file = kind == "profiles" ? "profiles.csv" : kind + ".ndjson";
      r = at_store("-q import " + kind + " " + path("data") + "/" + file);
      ASSERT_EQ(r.exit_code, 0) << r.output;
    }
  }

  TempDir dir_;
};

}  // namespace consentric::testing
