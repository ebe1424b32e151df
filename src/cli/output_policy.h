#pragma once

// What every command prints or writes about people, and what keeps it within DESIGN.md
// invariant 5 ("nothing small leaves"). One line per command: a new command without a line here
// fails output_policy_test, and every command that releases aggregates has a check in
// tests/disclosure_paths_test.cc that runs it on a store with groups smaller than k.

#include <span>
#include <string_view>

namespace consentric::cli {

enum class OutputKind {
  // Figures about groups of people: each one passes disclosure control (the small-group rule,
  // differential privacy charged to a budget, or k-anonymity with generalization).
  kAggregates,
  // Row-level data under pseudonyms for the purpose it was read for; every read is audited.
  kPseudonymousRows,
  // One person's own data, for their request or their consent record.
  kOnePerson,
  // The operator's own action and its record: files imported, the register, the audit chain,
  // receipts, backups, the declaration.
  kOperatorRecord,
  // Nothing about people (synthetic data, a TC string's own fields).
  kNoPersonalData,
};

struct CommandOutput {
  std::string_view command;  // "segment show", "report dp count", ...
  OutputKind kind;
  std::string_view how;  // what keeps it in bounds, in a few words
};

std::span<const CommandOutput> command_outputs();

}  // namespace consentric::cli
