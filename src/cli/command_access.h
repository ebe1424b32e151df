#pragma once

// Which actions (config.h known_actions()) every command needs, in one table: main() checks
// the actor's role against it before the command runs (docs/governance.md, "Which command needs
// which action"). A new command without a line here fails command_access_test.

#include <array>
#include <span>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace consentric::cli {

enum class StoreUse {
  kNone,      // never opens a store (init makes one; config check reads a file)
  kRequired,  // opens the store: the actor must be allowed every action
  kOptional,  // opens the store when there is one (receipt verify checks against it)
};

struct CommandAccess {
  std::string_view command;  // "score review decide"
  StoreUse store = StoreUse::kRequired;
  std::array<std::string_view, 2> actions{};  // empty entries are unused

  std::span<const std::string_view> required() const;
};

std::span<const CommandAccess> command_access();
const CommandAccess* find_command_access(std::string_view command);

// The chosen command's path: "score review decide".
std::string chosen_command(const CLI::App& app);

// Works out who runs `command` (the token given, else the local operator) and checks their
// role against the command's actions; refusals are audited. Sets g.actor, g.role and
// g.store_access. Returns 0, or the exit code after printing the error.
int authorize_command(Globals& g, std::string_view command);

// For an option that needs more than its command (segment export --contact needs pii.read):
// checks g's role, auditing a refusal as authorize_command does.
Status require_action(StoreDir& sd, const Globals& g, std::string_view command,
                      std::string_view action);

}  // namespace consentric::cli
