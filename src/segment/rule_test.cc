#include "segment/rule.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace consentric::segment {
namespace {

using ::consentric::testing::StatusIs;
using gate::Column;
using gate::ColumnKind;
using gate::PurposeView;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr UnixSeconds kAsOf = 20000 * kSecondsPerDay;  // day 20000

Column number_column(std::string name, std::vector<double> v) {
  Column c;
  c.name = std::move(name);
  c.kind = ColumnKind::kNumber;
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

PurposeView make_view(std::vector<Column> columns, UnixSeconds as_of = kAsOf) {
  const std::size_t rows = columns.empty()
                               ? 0
                               : (columns[0].kind == ColumnKind::kNumber ? columns[0].numbers.size()
                                                                         : columns[0].codes.size());
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < rows; ++i) ids.push_back(fmt::format("p{}", i));
  return PurposeView("segmentation", as_of, std::move(ids), std::move(columns));
}

// Six customers; row 2 misses most values.
PurposeView base_view() {
  return make_view({
      category_column("country", {"DE", "FR", "NL", "US"}, {0, 1, -1, 2, 3, 0}),
      number_column("recency_days", {1, 40, kNaN, 10, 29.5, 30}),
      number_column("monetary", {100, 500, 50, kNaN, 250, 600}),
      number_column("last_purchase", {19990, 19960, kNaN, 19999.6, 20000, 19900}),
      number_column("count.page_view", {3, 0, 5, kNaN, 1, 10}),
      number_column("opted_in", {1, 0, 0, 1, 1, 0}),
  });
}

// The rule's result as a string of 0/1 per row.
std::string rows(std::string_view rule, const PurposeView& view = base_view()) {
  const Result<CompiledRule> r = compile_rule(rule, view);
  if (!r.ok()) return "error: " + r.status().to_string();
  std::string out;
  for (std::uint8_t b : evaluate(*r, view)) out.push_back(b ? '1' : '0');
  return out;
}

std::string error_of(std::string_view rule, const PurposeView& view = base_view()) {
  const Result<CompiledRule> r = compile_rule(rule, view);
  if (r.ok()) return "compiled: " + describe(*r);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

TEST(RuleTest, NumberComparisons) {
  EXPECT_EQ(rows("recency_days = 30"), "000001");
  EXPECT_EQ(rows("recency_days != 30"), "110110");
  EXPECT_EQ(rows("recency_days <> 30"), "110110");
  EXPECT_EQ(rows("recency_days < 30"), "100110");
  EXPECT_EQ(rows("recency_days <= 30"), "100111");
  EXPECT_EQ(rows("recency_days > 29.5"), "010001");
  EXPECT_EQ(rows("recency_days >= 29.5"), "010011");
  EXPECT_EQ(rows("30 > recency_days"), "100110");  // constant on the left
  EXPECT_EQ(rows("monetary >= count.page_view + 100"), "010011");
  EXPECT_EQ(rows("1 < 2"), "111111");
  EXPECT_EQ(rows("1 > 2"), "000000");
  EXPECT_EQ(rows("opted_in = true"), "100110");
  EXPECT_EQ(rows("opted_in = FALSE"), "011001");
  EXPECT_EQ(rows("true"), "111111");
  EXPECT_EQ(rows("1e3 <= monetary"), "000000");
  EXPECT_EQ(rows("monetary = 5e2"), "010000");
  EXPECT_EQ(rows("-recency_days < -20"), "010011");
  EXPECT_EQ(rows("monetary - (recency_days + 50) > 0"), "110011");
}

TEST(RuleTest, CategoryComparisons) {
  EXPECT_EQ(rows("country = 'DE'"), "100001");
  EXPECT_EQ(rows("country = \"FR\""), "010000");
  EXPECT_EQ(rows("'DE' = country"), "100001");
  EXPECT_EQ(rows("country != 'DE'"), "010110");  // missing is not "not DE"
  EXPECT_EQ(rows("country = 'XX'"), "000000");   // not in the dictionary: matches nothing
  EXPECT_EQ(rows("country != 'XX'"), "110111");
  EXPECT_EQ(rows("country = 'de'"), "000000");  // values are case-sensitive
}

TEST(RuleTest, KeywordsAreCaseInsensitive) {
  EXPECT_EQ(rows("recency_days < 30 and country = 'DE'"), "100000");
  EXPECT_EQ(rows("recency_days < 30 AnD NoT country = 'DE'"), "000110");
  EXPECT_EQ(rows("country iS nUlL"), "001000");
}

TEST(RuleTest, Precedence) {
  // NOT binds tighter than AND, AND tighter than OR.
  EXPECT_EQ(rows("country = 'DE' OR country = 'FR' AND recency_days < 30"), "100001");
  EXPECT_EQ(rows("(country = 'DE' OR country = 'FR') AND recency_days < 30"), "100000");
  EXPECT_EQ(rows("NOT country = 'DE' AND recency_days < 30"), "000110");
  EXPECT_EQ(rows("NOT (country = 'DE' AND recency_days < 30)"), "011111");
  EXPECT_EQ(rows("NOT NOT country = 'DE'"), "100001");
  EXPECT_EQ(rows("recency_days > 100 OR NOT monetary > 200 AND opted_in = 1"), "100100");
}

TEST(RuleTest, NullSemantics) {
  EXPECT_EQ(rows("recency_days IS NULL"), "001000");
  EXPECT_EQ(rows("recency_days IS NOT NULL"), "110111");
  EXPECT_EQ(rows("country IS NULL"), "001000");
  EXPECT_EQ(rows("country IS NOT NULL"), "110111");
  // Every comparison with a missing value is false, != too.
  EXPECT_EQ(rows("monetary != 1"), "111011");
  EXPECT_EQ(rows("monetary < 1e9"), "111011");
  // NOT flips the result of the comparison as evaluated (docs/rules.md: two-valued).
  EXPECT_EQ(rows("NOT monetary < 1e9"), "000100");
  EXPECT_EQ(rows("monetary + recency_days IS NULL"), "001100");
  EXPECT_EQ(rows("NULL IS NULL"), "111111");
  EXPECT_EQ(rows("5 IS NULL"), "000000");
  EXPECT_EQ(error_of("monetary = NULL"),
            "rule:1:10: a comparison with NULL is never true; use IS NULL or IS NOT NULL");
}

TEST(RuleTest, InAndNotIn) {
  EXPECT_EQ(rows("country IN ('DE', 'NL')"), "100101");
  EXPECT_EQ(rows("country IN ('DE', 'NL', 'XX')"), "100101");
  EXPECT_EQ(rows("country NOT IN ('DE', 'NL')"), "010010");
  EXPECT_EQ(rows("country NOT IN ('XX')"), "110111");
  EXPECT_EQ(rows("country IN ('FR')"), "010000");
  EXPECT_EQ(rows("count.page_view IN (0, 1, 3)"), "110010");
  EXPECT_EQ(rows("count.page_view NOT IN (0, 1, 3)"), "001001");
  EXPECT_EQ(rows("count.page_view IN (-1 + 4, 2 - 2)"), "110000");
  EXPECT_EQ(rows("3 IN (1, 3)"), "111111");
  EXPECT_EQ(rows("3 NOT IN (1, 3)"), "000000");
}

TEST(RuleTest, Between) {
  EXPECT_EQ(rows("monetary BETWEEN 100 AND 500"), "110010");
  EXPECT_EQ(rows("monetary NOT BETWEEN 100 AND 500"), "001001");
  EXPECT_EQ(rows("monetary BETWEEN 100 AND 500 AND country = 'DE'"), "100000");
  EXPECT_EQ(rows("recency_days BETWEEN 0 AND count.page_view + count.page_view"), "100000");
}

TEST(RuleTest, RelativeTime) {
  // now is day 20000; durations are days.
  EXPECT_EQ(rows("last_purchase > now - 30d"), "100110");
  EXPECT_EQ(rows("last_purchase >= now - 12h"), "000110");
  EXPECT_EQ(rows("last_purchase > now - 2w"), "100110");
  EXPECT_EQ(rows("last_purchase > now - 90m"), "000010");
  EXPECT_EQ(rows("last_purchase BETWEEN now - 50d AND now - 1d"), "110000");
  EXPECT_EQ(rows("now - last_purchase < 0.5d"), "000110");
  EXPECT_EQ(rows("last_purchase = now"), "000010");
  EXPECT_EQ(rows("last_purchase > now - 30d",
                 make_view({number_column("last_purchase", {1, 2})}, 3 * kSecondsPerDay)),
            "11");
}

TEST(RuleTest, UnknownColumn) {
  EXPECT_EQ(error_of("email = 'a@b.c'"),
            "rule:1:1: column \"email\" is not in this view (purpose \"segmentation\" may read: "
            "country, recency_days, monetary, last_purchase, count.page_view, opted_in)");
  EXPECT_EQ(error_of("recency_days < 3 AND\n  Country = 'DE'"),
            "rule:2:3: column \"Country\" is not in this view (purpose \"segmentation\" may "
            "read: country, recency_days, monetary, last_purchase, count.page_view, opted_in)");
}

TEST(RuleTest, TypeErrors) {
  EXPECT_EQ(error_of("country = 3"),
            "rule:1:9: cannot compare category column \"country\" with a number");
  EXPECT_EQ(error_of("country < 'DE'"),
            "rule:1:9: \"<\" does not apply to category column \"country\"; use =, != or IN");
  EXPECT_EQ(error_of("monetary = 'DE'"),
            "rule:1:10: cannot compare a number with the string "
            "\"DE\"");
  EXPECT_EQ(error_of("country IN ('DE', 3)"),
            "rule:1:19: IN list for category column \"country\" must hold strings, found a number");
  EXPECT_EQ(error_of("monetary NOT IN (1, 'x')"),
            "rule:1:21: NOT IN list for a number must hold constant numbers, found the string "
            "\"x\"");
  EXPECT_EQ(error_of("monetary IN (recency_days)"),
            "rule:1:14: IN list for a number must hold constant numbers, found the column "
            "expression recency_days");
  EXPECT_EQ(error_of("country + 1 > 2"),
            "rule:1:1: \"+\" needs numbers, found category column \"country\"");
  EXPECT_EQ(error_of("country BETWEEN 1 AND 2"),
            "rule:1:9: BETWEEN needs numbers, found category column \"country\"");
  EXPECT_EQ(error_of("monetary"), "rule:1:1: expected a condition, found the value monetary");
  EXPECT_EQ(error_of("(monetary > 1) = 1"),
            "rule:1:11: expected a value, found the condition monetary > 1");
  EXPECT_EQ(error_of("'a' = 'a'"),
            "rule:1:5: cannot compare the string \"a\" with the string "
            "\"a\"");
}

TEST(RuleTest, SyntaxErrors) {
  EXPECT_EQ(error_of("recency_days   <="),
            "rule:1:18: expected a value after \"<=\", found end of rule");
  EXPECT_EQ(error_of("recency_days < 30 AND"),
            "rule:1:22: expected a condition after \"AND\", found end of rule");
  EXPECT_EQ(error_of("recency_days < 30 country = 'DE'"),
            "rule:1:19: expected AND, OR or the end of the rule, found \"country\"");
  EXPECT_EQ(error_of("(recency_days < 30"), "rule:1:19: expected \")\", found end of rule");
  EXPECT_EQ(error_of("country IN 'DE'"), "rule:1:12: expected \"(\" after IN, found \"'DE'\"");
  EXPECT_EQ(error_of("country IN ('DE' 'FR')"),
            "rule:1:18: expected \",\" or \")\" in the IN list, found \"'FR'\"");
  EXPECT_EQ(error_of("monetary BETWEEN 1 OR 2"),
            "rule:1:20: expected AND in BETWEEN, found \"OR\"");
  EXPECT_EQ(error_of("monetary IS 3"), "rule:1:13: expected NULL after IS, found \"3\"");
  EXPECT_EQ(error_of("monetary * 3 > 1"), "rule:1:10: unexpected character \"*\"");
  EXPECT_EQ(error_of("country = 'DE"), "rule:1:11: string starting here has no closing '");
  EXPECT_EQ(error_of("monetary # 3"), "rule:1:10: unexpected character \"#\"");
  EXPECT_EQ(error_of("monetary ! 3"), "rule:1:10: expected \"!=\", found \"!\"");
  EXPECT_EQ(error_of("last_purchase > now - 30days"),
            "rule:1:23: expected a number or a duration such as 30d, 12h, 2w or 90m, found "
            "\"30days\"");
  EXPECT_EQ(error_of("monetary > 1e999"), "rule:1:12: number \"1e999\" is out of range");
  EXPECT_EQ(error_of(""), "rule:1:1: expected a condition, found end of rule");
  EXPECT_EQ(error_of("AND"), "rule:1:1: expected a condition, found \"AND\"");
  EXPECT_EQ(error_of("country = '\xff'"), "rule: not valid UTF-8");
}

TEST(RuleTest, LimitsAreErrorsNotCrashes) {
  std::string deep(100, '(');
  deep += "monetary > 1" + std::string(100, ')');
  EXPECT_EQ(error_of(deep), "rule:1:65: rule nests deeper than 64 levels");
  std::string nots;
  for (int i = 0; i < 100; ++i) nots += "NOT ";
  EXPECT_EQ(error_of(nots + "monetary > 1"), "rule:1:253: rule nests deeper than 64 levels");
  EXPECT_EQ(error_of(std::string(100, '-') + "1 > 0"),
            "rule:1:64: rule nests deeper than 64 levels");
  std::string nested(60, '(');
  nested += "monetary > 1" + std::string(60, ')');
  EXPECT_EQ(rows(nested), "111011");
  std::string longest = "monetary > 1";
  while (longest.size() < 70 * 1024) longest += " OR monetary > 1";
  EXPECT_THAT(error_of(longest), ::testing::HasSubstr("is longer than the limit of 65536"));
  // Long but flat rules are fine.
  std::string wide = "monetary > 1";
  for (int i = 0; i < 2000; ++i) wide += " AND monetary + 1 - 1 + 1 > 1";
  EXPECT_EQ(rows(wide), "111011");
}

TEST(RuleTest, DescribeIsNormalizedAndRecompiles) {
  const PurposeView view = base_view();
  const auto r = compile_rule(
      "country in ('DE',\"NL\") and not (recency_days<30 or monetary between 1 and 2) or "
      "last_purchase > now-30d AND x.y is not null",
      make_view({category_column("country", {"DE"}, {0}), number_column("recency_days", {1}),
                 number_column("monetary", {1}), number_column("last_purchase", {1}),
                 number_column("x.y", {1})}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(describe(*r),
            "country IN ('DE', 'NL') AND NOT (recency_days < 30 OR monetary BETWEEN 1 AND 2) OR "
            "last_purchase > now - 30d AND x.y IS NOT NULL");
  for (const std::string_view text :
       {"country = 'it''s' OR country != \"say \"\"hi\"\"\"", "-(-monetary) > -(1 - 2)",
        "monetary - (recency_days - 1) > 0.1 + 0.2", "NOT NOT true AND FALSE OR 1e21 > 1e-7",
        "last_purchase > now - 1.5w - 12h - 90m"}) {
    const auto a = compile_rule(text, view);
    ASSERT_TRUE(a.ok()) << text << ": " << a.status().to_string();
    const auto b = compile_rule(describe(*a), view);
    ASSERT_TRUE(b.ok()) << describe(*a) << ": " << b.status().to_string();
    EXPECT_EQ(describe(*b), describe(*a));
    EXPECT_EQ(evaluate(*a, view), evaluate(*b, view)) << text;
  }
  EXPECT_EQ(describe(*compile_rule("country = 'it''s'", view)), "country = 'it''s'");
}

TEST(RuleTest, EvaluateOnAViewWithoutTheColumnsGivesNoRows) {
  const auto r = compile_rule("monetary > 1", base_view());
  ASSERT_TRUE(r.ok());
  const PurposeView other = make_view({number_column("x", {1, 2, 3})});
  EXPECT_EQ(evaluate(*r, other), std::vector<std::uint8_t>(3, 0));
}

TEST(RuleTest, EmptyViewAndManyBlocks) {
  EXPECT_EQ(rows("monetary > 1", make_view({number_column("monetary", {})})), "");
  std::vector<double> v(5000);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i);
  const auto out =
      rows("monetary >= 1024 AND monetary < 4097", make_view({number_column("monetary", v)}));
  ASSERT_EQ(out.size(), 5000u);
  for (std::size_t i = 0; i < out.size(); ++i) {
    ASSERT_EQ(out[i], (i >= 1024 && i < 4097) ? '1' : '0') << i;
  }
}

// ---- Randomized differential test against a deliberately simple row-at-a-time interpreter.

struct RNode {
  enum Kind { kAnd, kOr, kNot, kCmp, kCatCmp, kIn, kCatIn, kBetween, kIsNull, kCatIsNull, kConst };
  Kind kind = kConst;
  bool negated = false;
  bool value = false;
  int op = 0;  // 0..5: = != < <= > >=
  std::string column;
  std::vector<std::string> strings;
  std::vector<double> numbers;
  std::vector<RNode> children;
  // Number expressions: a list of terms, each a column, a constant or now, added left to right.
  struct Term {
    bool minus = false;
    std::string column;  // empty: constant
    double constant = 0;
    std::string text;  // how the constant is written (e.g. "now", "3d", "2.5")
  };
  std::vector<std::vector<Term>> exprs;  // kCmp: 2, kBetween: 3, kIn/kIsNull: 1
};

const char* kOps[] = {"=", "!=", "<", "<=", ">", ">="};

struct RandomSchema {
  std::vector<std::string> numbers = {"n1", "n2", "m.x"};
  std::vector<std::string> categories = {"c1", "c2"};
  std::vector<std::string> dict = {"a", "b", "c", "d"};
};

class RuleGen {
 public:
  explicit RuleGen(std::uint64_t seed) : rng_(seed) {}

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  RNode::Term term(bool allow_column) {
    RNode::Term t;
    const int k = pick(allow_column ? 6 : 3);
    if (k >= 3) {
      t.column = schema_.numbers[pick(3)];
      return t;
    }
    if (k == 0) {
      const int units = pick(4);
      const double n = pick(40);
      const char u = "dhwm"[units];
      t.text = fmt::format("{}{}", n, u);
      t.constant = units == 0 ? n : units == 1 ? n / 24 : units == 2 ? n * 7 : n / 1440;
      if (pick(3) == 0) {
        t.text = "now";
        t.constant = 20000;
      }
      return t;
    }
    t.constant = (pick(80) - 20) / 2.0;
    t.text = fmt::format("{}", t.constant);
    if (t.constant < 0) t.text = "(" + t.text + ")";
    return t;
  }

  std::vector<RNode::Term> expr() {
    std::vector<RNode::Term> e{term(true)};
    const int extra = pick(4) == 0 ? pick(3) : 0;
    for (int i = 0; i < extra; ++i) {
      RNode::Term t = term(true);
      t.minus = pick(2) == 0;
      e.push_back(t);
    }
    return e;
  }

  RNode node(int depth) {
    RNode n;
    const int k = pick(depth <= 0 ? 8 : 11);
    switch (k) {
      case 0:
      case 1:
        n.kind = RNode::kCmp;
        n.op = pick(6);
        n.exprs = {expr(), pick(2) ? std::vector<RNode::Term>{term(false)} : expr()};
        break;
      case 2:
        n.kind = RNode::kCatCmp;
        n.op = pick(2);
        n.column = schema_.categories[pick(2)];
        n.strings = {pick(5) == 0 ? "zz" : schema_.dict[pick(4)]};
        break;
      case 3:
        n.kind = RNode::kIn;
        n.negated = pick(2);
        n.exprs = {expr()};
        for (int i = 0, m = 1 + pick(4); i < m; ++i) n.numbers.push_back(pick(40) / 2.0 - 5);
        break;
      case 4:
        n.kind = RNode::kCatIn;
        n.negated = pick(2);
        n.column = schema_.categories[pick(2)];
        for (int i = 0, m = 1 + pick(4); i < m; ++i) {
          n.strings.push_back(pick(6) == 0 ? "zz" : schema_.dict[pick(4)]);
        }
        break;
      case 5:
        n.kind = RNode::kBetween;
        n.negated = pick(2);
        n.exprs = {expr(), {term(pick(4) == 0)}, {term(pick(4) == 0)}};
        break;
      case 6:
        n.kind = pick(2) ? RNode::kIsNull : RNode::kCatIsNull;
        n.negated = pick(2);
        if (n.kind == RNode::kIsNull) {
          n.exprs = {expr()};
        } else {
          n.column = schema_.categories[pick(2)];
        }
        break;
      case 7:
        n.kind = RNode::kConst;
        n.value = pick(2);
        break;
      case 8:
        n.kind = RNode::kNot;
        n.children = {node(depth - 1)};
        break;
      default:
        n.kind = k == 9 ? RNode::kAnd : RNode::kOr;
        for (int i = 0, m = 2 + pick(3); i < m; ++i) n.children.push_back(node(depth - 1));
        break;
    }
    return n;
  }

  PurposeView view(std::size_t rows) {
    std::vector<Column> cols;
    for (const std::string& name : schema_.numbers) {
      std::vector<double> v(rows);
      for (double& x : v) x = pick(5) == 0 ? kNaN : (pick(60) - 10) / 2.0 + 20000 * (pick(8) == 0);
      cols.push_back(number_column(name, std::move(v)));
    }
    for (const std::string& name : schema_.categories) {
      std::vector<std::int32_t> codes(rows);
      for (std::int32_t& c : codes) c = pick(5) - 1;
      cols.push_back(category_column(name, schema_.dict, std::move(codes)));
    }
    return make_view(std::move(cols));
  }

 private:
  std::mt19937_64 rng_;
  RandomSchema schema_;
};

std::string expr_text(const std::vector<RNode::Term>& e) {
  std::string out;
  for (std::size_t i = 0; i < e.size(); ++i) {
    if (i > 0) out += e[i].minus ? " - " : " + ";
    out += e[i].column.empty() ? e[i].text : e[i].column;
  }
  return out;
}

std::string rule_text(const RNode& n) {
  switch (n.kind) {
    case RNode::kAnd:
    case RNode::kOr: {
      std::string out = "(";
      for (std::size_t i = 0; i < n.children.size(); ++i) {
        if (i > 0) out += n.kind == RNode::kAnd ? " AND " : " or ";
        out += rule_text(n.children[i]);
      }
      return out + ")";
    }
    case RNode::kNot:
      return "NOT " + rule_text(n.children[0]);
    case RNode::kCmp:
      return expr_text(n.exprs[0]) + " " + kOps[n.op] + " " + expr_text(n.exprs[1]);
    case RNode::kCatCmp:
      return n.column + " " + kOps[n.op] + " '" + n.strings[0] + "'";
    case RNode::kIn:
    case RNode::kCatIn: {
      std::string out = n.kind == RNode::kIn ? expr_text(n.exprs[0]) : n.column;
      out += n.negated ? " NOT IN (" : " IN (";
      for (std::size_t i = 0; i < std::max(n.numbers.size(), n.strings.size()); ++i) {
        if (i > 0) out += ", ";
        out += n.kind == RNode::kIn ? fmt::format("{}", n.numbers[i]) : "'" + n.strings[i] + "'";
      }
      return out + ")";
    }
    case RNode::kBetween:
      return expr_text(n.exprs[0]) + (n.negated ? " NOT BETWEEN " : " BETWEEN ") +
             expr_text(n.exprs[1]) + " AND " + expr_text(n.exprs[2]);
    case RNode::kIsNull:
      return expr_text(n.exprs[0]) + (n.negated ? " IS NOT NULL" : " IS NULL");
    case RNode::kCatIsNull:
      return n.column + (n.negated ? " is not null" : " is null");
    case RNode::kConst:
      return n.value ? "true" : "false";
  }
  return "";
}

// The reference: one row at a time, straight from the definitions in docs/rules.md.
double eval_expr(const std::vector<RNode::Term>& e, const PurposeView& v, std::size_t row) {
  double acc = 0;
  for (std::size_t i = 0; i < e.size(); ++i) {
    const double x = e[i].column.empty() ? e[i].constant : v.column(e[i].column)->numbers[row];
    acc = i == 0 ? x : (e[i].minus ? acc - x : acc + x);
  }
  return acc;
}

bool reference(const RNode& n, const PurposeView& v, std::size_t row) {
  const auto category = [&](const std::string& col) -> const std::string* {
    const Column* c = v.column(col);
    return c->codes[row] < 0 ? nullptr : &c->dictionary[static_cast<std::size_t>(c->codes[row])];
  };
  switch (n.kind) {
    case RNode::kAnd:
      for (const RNode& c : n.children) {
        if (!reference(c, v, row)) return false;
      }
      return true;
    case RNode::kOr:
      for (const RNode& c : n.children) {
        if (reference(c, v, row)) return true;
      }
      return false;
    case RNode::kNot:
      return !reference(n.children[0], v, row);
    case RNode::kCmp: {
      const double a = eval_expr(n.exprs[0], v, row), b = eval_expr(n.exprs[1], v, row);
      if (std::isnan(a) || std::isnan(b)) return false;
      switch (n.op) {
        case 0:
          return a == b;
        case 1:
          return a != b;
        case 2:
          return a < b;
        case 3:
          return a <= b;
        case 4:
          return a > b;
        default:
          return a >= b;
      }
    }
    case RNode::kCatCmp: {
      const std::string* s = category(n.column);
      if (s == nullptr) return false;
      return n.op == 0 ? *s == n.strings[0] : *s != n.strings[0];
    }
    case RNode::kIn: {
      const double a = eval_expr(n.exprs[0], v, row);
      if (std::isnan(a)) return false;
      bool found = false;
      for (double x : n.numbers) found = found || a == x;
      return found != n.negated;
    }
    case RNode::kCatIn: {
      const std::string* s = category(n.column);
      if (s == nullptr) return false;
      bool found = false;
      for (const std::string& x : n.strings) found = found || *s == x;
      return found != n.negated;
    }
    case RNode::kBetween: {
      const double x = eval_expr(n.exprs[0], v, row), lo = eval_expr(n.exprs[1], v, row),
                   hi = eval_expr(n.exprs[2], v, row);
      if (std::isnan(x) || std::isnan(lo) || std::isnan(hi)) {
        // NOT BETWEEN is x < lo OR x > hi: one known side can still hold.
        if (!n.negated || std::isnan(x)) return false;
        return (!std::isnan(lo) && x < lo) || (!std::isnan(hi) && x > hi);
      }
      return n.negated ? (x < lo || x > hi) : (lo <= x && x <= hi);
    }
    case RNode::kIsNull:
      return std::isnan(eval_expr(n.exprs[0], v, row)) != n.negated;
    case RNode::kCatIsNull:
      return (category(n.column) == nullptr) != n.negated;
    case RNode::kConst:
      return n.value;
  }
  return false;
}

TEST(RuleTest, RandomRulesMatchARowAtATimeReference) {
  RuleGen gen(20260301);
  int checked = 0;
  for (int view_index = 0; view_index < 40; ++view_index) {
    const std::size_t n_rows = view_index % 10 == 0 ? 1024 + 1 + gen.pick(2000) : gen.pick(40);
    const PurposeView view = gen.view(n_rows);
    for (int k = 0; k < 150; ++k) {
      const RNode tree = gen.node(3);
      const std::string text = rule_text(tree);
      const auto rule = compile_rule(text, view);
      ASSERT_TRUE(rule.ok()) << text << ": " << rule.status().to_string();
      const std::vector<std::uint8_t> got = evaluate(*rule, view);
      ASSERT_EQ(got.size(), n_rows);
      for (std::size_t row = 0; row < n_rows; ++row) {
        ASSERT_EQ(got[row] != 0, reference(tree, view, row))
            << "rule: " << text << "\nrow " << row << "\nprogram text: " << describe(*rule);
      }
      // The normalized text means the same.
      const auto again = compile_rule(describe(*rule), view);
      ASSERT_TRUE(again.ok()) << describe(*rule) << ": " << again.status().to_string();
      ASSERT_EQ(evaluate(*again, view), got) << text << "\n" << describe(*rule);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 6000);
}

}  // namespace
}  // namespace consentric::segment
