#include "cli/output_policy.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "cli/command_tree_test.h"

namespace consentric::cli {
namespace {

// DESIGN.md invariant 5 holds for every command only if every command has been thought about:
// a command nobody classified is a path out that nothing checks.
TEST(OutputPolicy, EveryCommandSaysWhatItReleasesAndHowItIsBounded) {
  const std::set<std::string> commands = all_command_paths();
  ASSERT_GT(commands.size(), 40u);
  std::set<std::string> classified;
  for (const CommandOutput& c : command_outputs()) {
    EXPECT_TRUE(classified.insert(std::string(c.command)).second) << "twice: " << c.command;
    EXPECT_FALSE(c.how.empty()) << c.command;
  }
  for (const std::string& c : commands) {
    EXPECT_TRUE(classified.contains(c))
        << "command \"" << c << "\" is not in cli/output_policy.cc: say what it releases";
  }
  for (const std::string& c : classified) {
    EXPECT_TRUE(commands.contains(c)) << "output_policy.cc names no command \"" << c << "\"";
  }
}

}  // namespace
}  // namespace consentric::cli
