#pragma once

// The syntax tree of a rule and its parser (grammar in docs/rules.md). The parser knows no
// view: names and types are bound later by compile_rule. Nesting is capped at kMaxDepth so
// that no pass over the tree recurses without bound.

#include <string>
#include <string_view>
#include <vector>

#include "consentric/status.h"
#include "segment/rule_lexer.h"

namespace consentric::segment {

inline constexpr int kMaxDepth = 64;

enum class NodeKind {
  kOr,        // children: two or more conditions
  kAnd,       // children: two or more conditions
  kNot,       // children[0]
  kCompare,   // children[0] cmp children[1]
  kIn,        // children[0] [NOT] IN (children[1..])
  kBetween,   // children[0] [NOT] BETWEEN children[1] AND children[2]
  kIsNull,    // children[0] IS [NOT] NULL
  kArith,     // children[0] (+|-) children[1] ...; minus[i] says the sign before children[i]
  kNeg,       // -children[0]
  kColumn,    // text
  kNumber,    // number
  kDuration,  // number and unit
  kString,    // text
  kBool,      // boolean
  kNow,
  kNull,
};

enum class CmpOp { kEq, kNe, kLt, kLe, kGt, kGe };

std::string_view cmp_op_text(CmpOp op);

struct Node {
  NodeKind kind = NodeKind::kNull;
  Position pos;            // where the node starts (for an operator: the operator token)
  CmpOp cmp = CmpOp::kEq;  // kCompare
  bool negated = false;    // kIn, kBetween, kIsNull: the NOT form
  bool boolean = false;    // kBool
  double number = 0;       // kNumber, kDuration
  char unit = 0;           // kDuration
  std::string text;        // kColumn: the name; kString: the value
  std::vector<Node> children;
  std::vector<bool> minus;  // kArith, one per child (minus[0] is always false)
};

// Parses a whole rule. Errors name the position and what was expected:
// `rule:1:17: expected a value after "<=", found end of rule`.
Result<Node> parse_rule(std::string_view text);

// The normalized text of a tree: keywords upper case, strings in single quotes, one space
// around operators, parentheses only where needed. parse_rule(to_text(n)) gives the same
// meaning and no deeper nesting than n.
std::string to_text(const Node& n);

}  // namespace consentric::segment
