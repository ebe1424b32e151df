// libFuzzer harness for rule segments (src/segment): compile_rule must never crash, hang or
// trip a sanitizer on any text and fails only with InvalidArgument; a rule that compiles
// evaluates without crashing, and its normalized text (describe) compiles again to a rule
// with the same text and the same result on every row.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "segment/rule.h"

namespace {

using consentric::gate::Column;
using consentric::gate::ColumnKind;
using consentric::gate::PurposeView;

[[noreturn]] void fail() { __builtin_trap(); }

void check(bool ok) {
  if (!ok) fail();
}

Column number_column(std::string name, std::vector<double> v) {
  Column c;
  c.name = std::move(name);
  c.numbers = std::move(v);
  return c;
}

Column category_column(std::string name, std::vector<std::string> dict,
                       std::vector<std::int32_t> codes) {
  Column c;
  c.name = std::move(name);
  c.kind = ColumnKind::kCategory;
  c.dictionary = std::move(dict);
  c.codes = std::move(codes);
  return c;
}

const PurposeView& fixed_view() {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  static const PurposeView* view = new PurposeView(
      "segmentation", 20'000 * consentric::kSecondsPerDay, {"a", "b", "c", "d", "e", "f", "g", "h"},
      {category_column("country", {"DE", "FR", "NL", "it's"}, {0, 1, -1, 2, 3, 0, 1, -1}),
       category_column("device", {}, {-1, -1, -1, -1, -1, -1, -1, -1}),
       number_column("recency_days", {1, 40, kNaN, 10, 29.5, 30, -0.0, 1e300}),
       number_column("monetary", {100, 500, 50, kNaN, 250, 600, 0, -1}),
       number_column("last_purchase", {19990, 19960, kNaN, 19999.6, 20000, 19900, 0, 1}),
       number_column("count.page_view", {3, 0, 5, kNaN, 1, 10, 2, 2})});
  return *view;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const PurposeView& view = fixed_view();
  const auto rule = consentric::segment::compile_rule(text, view);
  if (!rule.ok()) {
    check(rule.status().code() == consentric::StatusCode::kInvalidArgument);
    check(!rule.status().message().empty());
    return 0;
  }
  const std::vector<std::uint8_t> result = consentric::segment::evaluate(*rule, view);
  check(result.size() == view.rows());
  for (std::uint8_t b : result) check(b == 0 || b == 1);
  const std::string normalized = consentric::segment::describe(*rule);
  const auto again = consentric::segment::compile_rule(normalized, view);
  check(again.ok());
  check(consentric::segment::describe(*again) == normalized);
  check(consentric::segment::evaluate(*again, view) == result);
  return 0;
}
