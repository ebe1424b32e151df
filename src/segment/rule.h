#pragma once

// Rule segments: a small typed expression language over the columns of a PurposeView
// (docs/rules.md), compiled once against the view and then evaluated column-wise.
//
//   CONSENTRIC_ASSIGN_OR_RETURN(
//       CompiledRule rule, compile_rule("country IN ('DE','FR') AND recency_days < 30", view));
//   std::vector<std::uint8_t> in_segment = evaluate(rule, view);  // one 0/1 byte per row
//
// A compiled rule is a flat program of column-wise operations over blocks of kBlockRows rows
// with byte masks: each operation is one tight loop over contiguous arrays, with no tree walk
// or virtual call per row. Compiled rules are immutable values; evaluate() is thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "consentric/status.h"
#include "gate/purpose_view.h"
#include "segment/rule_parser.h"

namespace consentric::segment {

inline constexpr std::size_t kBlockRows = 1024;

// Where an operation reads a number from: a column of the view, a scratch vector, or a constant.
struct NumberRef {
  enum class Kind { kColumn, kTemp, kConst };
  Kind kind = Kind::kConst;
  int index = 0;     // kColumn: index into CompiledRule::columns; kTemp: scratch vector
  double value = 0;  // kConst
};

enum class OpKind {
  kCompare,         // mask[dst] = a cmp b (false when either is missing)
  kNumberIn,        // mask[dst] = a in numbers (NOT IN: a not missing and not in numbers)
  kCategoryIn,      // mask[dst] = column's value in strings (NOT IN: not missing and not in them)
  kNumberIsNull,    // mask[dst] = a is missing (negated: is not missing)
  kCategoryIsNull,  // mask[dst] = column is missing (negated: is not missing)
  kConstMask,       // mask[dst] = constant
  kAnd,             // mask[dst] &= mask[dst + 1]
  kOr,              // mask[dst] |= mask[dst + 1]
  kNot,             // mask[dst] = !mask[dst]
  kAdd,             // temp[dst] = a + b
  kSub,             // temp[dst] = a - b
};

struct Op {
  OpKind kind = OpKind::kConstMask;
  int dst = 0;
  CmpOp cmp = CmpOp::kEq;
  NumberRef a, b;
  int column = 0;  // kCategoryIn, kCategoryIsNull: index into CompiledRule::columns
  bool negated = false;
  bool constant = false;             // kConstMask
  std::vector<double> numbers;       // kNumberIn
  std::vector<std::string> strings;  // kCategoryIn
};

struct CompiledRule {
  std::string text;                  // normalized rule text (describe())
  std::vector<std::string> columns;  // the view columns the program reads, by name
  std::vector<Op> ops;               // postfix program; the result is mask 0
  int mask_slots = 1;
  int temp_slots = 0;
};

// Parses text and binds it to view: every column must be in the view, and the types must
// agree (numbers with numbers, category columns with strings by = != IN, NOT IN). `now` is
// view.as_of() in days since 1970-01-01, a duration is a number of days. Fails with
// InvalidArgument naming the position: `rule:1:17: expected a value after "<=", found end of
// rule`, `rule:1:1: column "email" is not in this view (purpose "segmentation" may read: ...)`.
Result<CompiledRule> compile_rule(std::string_view text, const gate::PurposeView& view);

// One byte per row of view, 1 when the row is in the segment. A comparison with a missing
// value is false; IS NULL is true for it.
// REQUIRES: view has the columns rule was compiled against, with the same kinds (any view
// of the same purpose does; category strings are looked up in view's own dictionaries).
// Thread-safe.
std::vector<std::uint8_t> evaluate(const CompiledRule& rule, const gate::PurposeView& view);

// The normalized text of the rule, for records; compile_rule(describe(r), view) gives a rule
// with the same result.
std::string describe(const CompiledRule& rule);

}  // namespace consentric::segment
