#pragma once

// Generalization hierarchies for quasi-identifiers (issue 6: "age to bands, postcode to prefix,
// date to month or year, categories to parents"). A hierarchy says how one column coarsens:
// level 0 is the value as is, each level above is coarser, and the top level is "*" (the column
// suppressed). Every hierarchy is nested: a value's level h+1 form is a function of its level h
// form, which is what makes k-anonymity monotone over the lattice of levels (k_anonymity.h).
// After ARX's interval, masking, date and order hierarchies (privacy-references.md §2).
//
// A Hierarchy is an immutable value: copyable, thread-compatible (const methods may be called
// from several threads at once). docs/algorithms/k-anonymity.md describes each kind.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "consentric/status.h"

namespace consentric::disclose {

// The generalized value of every column at its top level.
inline constexpr std::string_view kSuppressedValue = "*";

// Date levels, finest first. A dates hierarchy lists some of them in this order.
enum class DateLevel { kMonth, kYear, kDecade };

class Hierarchy {
 public:
  // The same as suppress_only(): the value as is, or "*".
  Hierarchy();

  // Numbers to bands [lo, lo + width) with lo a multiple of width. Each width is positive,
  // finite, at most 1e15 and an integer multiple (at least 2) of the one before, so the bands
  // nest. Integer widths print the integers they cover, "1985-1989" (a band of width 1 prints
  // "1985"); other widths print the half-open interval, "[0.5, 1)". Values are decimal numbers
  // ("1987", "-3", "2.5", "1e3") with magnitude at most 1e15.
  static Result<Hierarchy> bands(std::vector<double> widths);

  // Strings keep their first n code points (UTF-8) and each further code point becomes '*':
  // {3, 2} makes "10115" "101**" then "10***". Lengths are >= 0 and strictly decreasing. A value
  // that is not valid UTF-8 cannot be read.
  static Result<Hierarchy> prefix(std::vector<int> kept_lengths);

  // "YYYY-MM-DD" (or an ISO timestamp starting with one and a 'T' or ' ') to "2026-03" (kMonth),
  // "2026" (kYear), "2020s" (kDecade). Levels are strictly increasing.
  static Result<Hierarchy> dates(std::vector<DateLevel> levels);

  // parents[i] maps the values of level i to their level i+1 parents. Every parent at level i
  // must have a parent at level i + 1 (checked here, so only a value unknown to parents[0] can
  // fail later); no map may be empty, and no key or parent may be "" or "*".
  static Result<Hierarchy> categories(std::vector<std::map<std::string, std::string>> parents);

  // Level 0 and "*" only.
  static Hierarchy suppress_only();

  // The number of levels, including level 0 and the top ("*"): at least 2.
  int height() const;

  // The value at `level`, in [0, height()). The top level gives "*"; below it a missing value
  // (the empty string) stays empty. A value this hierarchy cannot read (not a number for bands,
  // not a date, not valid UTF-8, a category without parent) is InvalidArgument naming it at every
  // level, so a column is either readable at all levels or at none. So is a level out of range.
  Result<std::string> generalize(std::string_view value, int level) const;

  // The level in words: "as is", "bands of 5", "first 3 characters", "month", "parent category
  // (level 1)", "suppressed". A level out of range gives "no level 7".
  std::string describe(int level) const;

 private:
  enum class Kind { kSuppressOnly, kBands, kPrefix, kDates, kCategories };

  // Reads a non-empty value and returns its form at inner level `level` (>= 1); past the last
  // inner level it only reads the value and returns it unchanged.
  Result<std::string> generalize_inner(std::string_view value, int level) const;

  Kind kind_ = Kind::kSuppressOnly;
  std::vector<double> widths_;
  std::vector<int> kept_lengths_;
  std::vector<DateLevel> date_levels_;
  std::vector<std::map<std::string, std::string, std::less<>>> parents_;
};

// `value` quoted for an error message, with control characters and bytes that are not UTF-8
// escaped (\n, \x07, ...): "10115", "a\xff".
std::string quoted(std::string_view value);

}  // namespace consentric::disclose
