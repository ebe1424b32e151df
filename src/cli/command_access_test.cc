#include "cli/command_access.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "cli/command_tree_test.h"

namespace consentric::cli {
namespace {

// Least privilege holds for every command only if every command names what it needs: a command
// missing here would run unchecked (main() refuses it as an internal error instead).
TEST(CommandAccess, EveryCommandNamesTheActionsItNeeds) {
  const std::set<std::string> commands = all_command_paths();
  ASSERT_GT(commands.size(), 40u);
  std::set<std::string> listed;
  for (const CommandAccess& c : command_access()) {
    EXPECT_TRUE(listed.insert(std::string(c.command)).second) << "twice: " << c.command;
    EXPECT_TRUE(commands.contains(std::string(c.command)))
        << "command_access.cc names no command \"" << c.command << "\"";
    if (c.store == StoreUse::kNone) {
      EXPECT_TRUE(c.required().empty()) << c.command << " opens no store yet names actions";
    } else {
      EXPECT_FALSE(c.required().empty()) << c.command << " opens the store and names no action";
    }
    for (std::string_view action : c.required()) {
      EXPECT_NE(std::find(known_actions().begin(), known_actions().end(), action),
                known_actions().end())
          << c.command << ": unknown action " << action;
    }
  }
  for (const std::string& c : commands) {
    EXPECT_TRUE(listed.contains(c))
        << "command \"" << c << "\" is not in cli/command_access.cc: say what it needs";
  }
}

TEST(CommandAccess, ChosenCommandIsThePathOfTheLeafParsed) {
  CLI::App app;
  Globals g;
  add_all_commands(app, g);
  app.parse("score review decide 7 --confirm", false);
  EXPECT_EQ(chosen_command(app), "score review decide");
}

}  // namespace
}  // namespace consentric::cli
