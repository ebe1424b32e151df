#pragma once

// Helpers shared by the config tests: a minimal valid document to build on, and matchers for
// problems.

#include <ostream>
#include <string>
#include <string_view>

#include "config/config.h"
#include "testing/status_matchers.h"

namespace consentric {

// So that gtest prints a problem as text rather than bytes.
inline void PrintTo(const ConfigProblem& p, std::ostream* os) { *os << p.to_string("test.yaml"); }

}  // namespace consentric

namespace consentric::config_test {

// The smallest valid config. Tests append to it, so its line count (6) is part of the
// contract: whatever a test adds starts on line 7.
inline constexpr std::string_view kBase =
    "version: 1\n"
    "controller: {name: Acme GmbH, contact: dpo@acme.example, country: DE}\n"
    "identifiers:\n"
    "  - {field: email, kind: email}\n"
    "fields:\n"
    "  - {name: email, type: string, category: contact, pii: true}\n";

// kBase followed by `more` (more field list items, or further top-level sections).
inline std::string base_plus(std::string_view more) {
  return std::string(kBase) + std::string(more);
}

MATCHER_P3(ProblemIs, line, path, message_matcher, "") {
  *result_listener << arg.to_string("test.yaml");
  return arg.where.line == line && arg.path == path &&
         ::testing::Matches(::testing::Matcher<std::string>(message_matcher))(arg.message);
}

inline std::string dump(const ConfigCheck& check) {
  std::string out;
  for (const auto& p : check.problems) out += "\n  " + p.to_string("test.yaml");
  return out;
}

// Expects exactly one problem, with this line, path and message part, and that parse_config
// turns it into an InvalidArgument naming the file and line.
inline void expect_one_problem(std::string_view yaml, int line, const std::string& path,
                               const std::string& message_part) {
  const ConfigCheck check = check_config(yaml, "test.yaml");
  EXPECT_FALSE(check.config.has_value());
  EXPECT_THAT(check.problems,
              ::testing::ElementsAre(ProblemIs(line, path, ::testing::HasSubstr(message_part))))
      << dump(check);
  EXPECT_THAT(parse_config(yaml, "test.yaml"),
              ::consentric::testing::StatusIs(
                  StatusCode::kInvalidArgument,
                  ::testing::HasSubstr("test.yaml:" + std::to_string(line) + ":")));
}

}  // namespace consentric::config_test

#define EXPECT_ONE_PROBLEM(yaml, line, path, message_part)                         \
  do {                                                                             \
    SCOPED_TRACE(::testing::Message() << "expecting: " << message_part);           \
    ::consentric::config_test::expect_one_problem(yaml, line, path, message_part); \
  } while (0)
