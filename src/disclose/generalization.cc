#include "disclose/generalization.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>

#include <fmt/format.h>

namespace consentric::disclose {
namespace {

// Band widths and values beyond this magnitude are refused: every band bound is then an exact
// integer in a double (< 2^53) when the width is an integer, and prints without an exponent.
constexpr double kMaxMagnitude = 1e15;
// How far a width ratio may sit from an integer and still count as one (0.3 / 0.1 is
// 2.9999999999999996).
constexpr double kRatioTolerance = 1e-9;
// How far a value's quotient by a band width may sit below an integer and still count as it.
constexpr double kQuotientTolerance = 1e-9;

// The length of the UTF-8 sequence starting at s[pos], or 0 when it is not a valid one
// (overlong forms, surrogates and code points above U+10FFFF are invalid, RFC 3629).
std::size_t utf8_sequence_length(std::string_view s, std::size_t pos) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(pos);
  std::size_t length = 0;
  unsigned char min1 = 0x80;
  unsigned char max1 = 0xBF;
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    if (b0 == 0xE0) min1 = 0xA0;  // overlong
    if (b0 == 0xED) max1 = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    if (b0 == 0xF0) min1 = 0x90;  // overlong
    if (b0 == 0xF4) max1 = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (pos + length > s.size()) return 0;
  if (byte(pos + 1) < min1 || byte(pos + 1) > max1) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(pos + i) < 0x80 || byte(pos + i) > 0xBF) return 0;
  }
  return length;
}

// Formats a double without trailing noise: 0.1 * 3 prints "0.3"; -0 prints "0".
std::string format_number(double x) { return fmt::format("{:.15g}", x + 0.0); }

bool is_integer(double x) { return std::floor(x) == x; }

Result<double> parse_number(std::string_view value) {
  double x = 0;
  const char* first = value.data();
  const char* last = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(first, last, x);
  if (ec != std::errc() || ptr != last || !std::isfinite(x)) {
    return invalid_argument(fmt::format("bands: {} is not a number", quoted(value)));
  }
  if (std::abs(x) > kMaxMagnitude) {
    return invalid_argument(
        fmt::format("bands: {} is out of range (magnitude at most 1e15)", quoted(value)));
  }
  return x;
}

// The band of width w holding x: [lo, lo + w) with lo = index * w and index = floor(x / w),
// except that a quotient within 1e-9 of an integer counts as that integer: decimal widths are
// not exact in binary (0.3 / 0.1 is 2.9999999999999996), and 0.3 belongs to [0.3, 0.4).
std::string band(double x, double w) {
  const double quotient = x / w;
  const double nearest = std::round(quotient);
  const double index =
      std::abs(quotient - nearest) <= kQuotientTolerance ? nearest : std::floor(quotient);
  if (is_integer(w)) {
    const auto width = static_cast<std::int64_t>(w);
    const std::int64_t lo = static_cast<std::int64_t>(index) * width;
    if (width == 1) return fmt::format("{}", lo);
    return fmt::format("{}-{}", lo, lo + width - 1);
  }
  return fmt::format("[{}, {})", format_number(index * w), format_number((index + 1) * w));
}

struct Date {
  int year = 0;
  int month = 0;
};

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

Result<Date> parse_date(std::string_view value) {
  const auto bad = [&]() {
    return invalid_argument(fmt::format("dates: {} is not a date (YYYY-MM-DD)", quoted(value)));
  };
  if (value.size() < 10 || (value.size() > 10 && value[10] != 'T' && value[10] != ' ')) {
    return bad();
  }
  const auto digits = [&](std::size_t from, std::size_t count, int& out) {
    out = 0;
    for (std::size_t i = from; i < from + count; ++i) {
      if (value[i] < '0' || value[i] > '9') return false;
      out = out * 10 + (value[i] - '0');
    }
    return true;
  };
  Date date;
  int day = 0;
  if (!digits(0, 4, date.year) || value[4] != '-' || !digits(5, 2, date.month) || value[7] != '-' ||
      !digits(8, 2, day)) {
    return bad();
  }
  if (date.month < 1 || date.month > 12 || day < 1 || day > days_in_month(date.year, date.month)) {
    return bad();
  }
  return date;
}

std::string_view date_level_name(DateLevel level) {
  switch (level) {
    case DateLevel::kMonth:
      return "month";
    case DateLevel::kYear:
      return "year";
    case DateLevel::kDecade:
      return "decade";
  }
  return "unknown";
}

}  // namespace

std::string quoted(std::string_view value) {
  std::string out = "\"";
  for (std::size_t pos = 0; pos < value.size();) {
    const auto c = static_cast<unsigned char>(value[pos]);
    const std::size_t length = utf8_sequence_length(value, pos);
    if (length > 1) {
      out.append(value.substr(pos, length));
      pos += length;
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c >= 0x7F) {
          out += fmt::format("\\x{:02x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
    ++pos;
  }
  out += '"';
  return out;
}

Hierarchy::Hierarchy() = default;

Hierarchy Hierarchy::suppress_only() { return Hierarchy(); }

Result<Hierarchy> Hierarchy::bands(std::vector<double> widths) {
  for (std::size_t i = 0; i < widths.size(); ++i) {
    const double w = widths[i];
    if (!std::isfinite(w) || w <= 0 || w > kMaxMagnitude) {
      return invalid_argument(
          fmt::format("bands: width {} must be positive, finite and at most 1e15", w));
    }
    if (i == 0) continue;
    const double ratio = w / widths[i - 1];
    const double rounded = std::round(ratio);
    if (rounded < 2 || std::abs(ratio - rounded) > kRatioTolerance * ratio) {
      return invalid_argument(fmt::format(
          "bands: width {} is not a multiple (at least twice) of the width before it, {}",
          format_number(w), format_number(widths[i - 1])));
    }
  }
  Hierarchy h;
  h.kind_ = Kind::kBands;
  h.widths_ = std::move(widths);
  return h;
}

Result<Hierarchy> Hierarchy::prefix(std::vector<int> kept_lengths) {
  for (std::size_t i = 0; i < kept_lengths.size(); ++i) {
    if (kept_lengths[i] < 0) {
      return invalid_argument(
          fmt::format("prefix: kept length {} must not be negative", kept_lengths[i]));
    }
    if (i > 0 && kept_lengths[i] >= kept_lengths[i - 1]) {
      return invalid_argument(
          fmt::format("prefix: kept lengths must be strictly decreasing, got {} after {}",
                      kept_lengths[i], kept_lengths[i - 1]));
    }
  }
  Hierarchy h;
  h.kind_ = Kind::kPrefix;
  h.kept_lengths_ = std::move(kept_lengths);
  return h;
}

Result<Hierarchy> Hierarchy::dates(std::vector<DateLevel> levels) {
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const int level = static_cast<int>(levels[i]);
    if (level < static_cast<int>(DateLevel::kMonth) ||
        level > static_cast<int>(DateLevel::kDecade)) {
      return invalid_argument(fmt::format("dates: unknown date level {}", level));
    }
    if (i > 0 && levels[i] <= levels[i - 1]) {
      return invalid_argument(fmt::format(
          "dates: levels must go from finer to coarser (month, year, decade), got {} after {}",
          date_level_name(levels[i]), date_level_name(levels[i - 1])));
    }
  }
  Hierarchy h;
  h.kind_ = Kind::kDates;
  h.date_levels_ = std::move(levels);
  return h;
}

Result<Hierarchy> Hierarchy::categories(std::vector<std::map<std::string, std::string>> parents) {
  for (std::size_t i = 0; i < parents.size(); ++i) {
    if (parents[i].empty()) {
      return invalid_argument(fmt::format("categories: level {} maps no values", i + 1));
    }
  }
  for (std::size_t i = 0; i < parents.size(); ++i) {
    const int level = static_cast<int>(i) + 1;
    for (const auto& [value, parent] : parents[i]) {
      for (const std::string* s : {&value, &parent}) {
        if (s->empty() || *s == kSuppressedValue) {
          return invalid_argument(fmt::format(
              "categories: level {} maps {} to {}: \"\" and \"*\" are reserved (missing and "
              "suppressed)",
              level, quoted(value), quoted(parent)));
        }
      }
      if (i + 1 < parents.size() && !parents[i + 1].contains(parent)) {
        return invalid_argument(
            fmt::format("categories: level {} has no parent for {} (a parent at level {})",
                        level + 1, quoted(parent), level));
      }
    }
  }
  Hierarchy h;
  h.kind_ = Kind::kCategories;
  for (auto& level : parents) h.parents_.emplace_back(level.begin(), level.end());
  return h;
}

int Hierarchy::height() const {
  std::size_t inner = 0;
  switch (kind_) {
    case Kind::kSuppressOnly:
      inner = 0;
      break;
    case Kind::kBands:
      inner = widths_.size();
      break;
    case Kind::kPrefix:
      inner = kept_lengths_.size();
      break;
    case Kind::kDates:
      inner = date_levels_.size();
      break;
    case Kind::kCategories:
      inner = parents_.size();
      break;
  }
  return static_cast<int>(inner) + 2;
}

Result<std::string> Hierarchy::generalize(std::string_view value, int level) const {
  const int top = height() - 1;
  if (level < 0 || level > top) {
    return invalid_argument(fmt::format("level {} is out of range [0, {}]", level, top));
  }
  if (value.empty()) return std::string(level == top ? kSuppressedValue : "");
  // Read the value first, so that a column is readable at every level or at none.
  auto generalized = generalize_inner(value, level == 0 || level == top ? 1 : level);
  if (!generalized.ok() || (level > 0 && level < top)) return generalized;
  return std::string(level == top ? kSuppressedValue : value);
}

Result<std::string> Hierarchy::generalize_inner(std::string_view value, int level) const {
  const auto index = static_cast<std::size_t>(level - 1);
  switch (kind_) {
    case Kind::kSuppressOnly:
      return std::string(value);
    case Kind::kBands: {
      CONSENTRIC_ASSIGN_OR_RETURN(const double x, parse_number(value));
      if (index >= widths_.size()) return std::string(value);
      return band(x, widths_[index]);
    }
    case Kind::kPrefix: {
      const std::size_t kept =
          index < kept_lengths_.size() ? static_cast<std::size_t>(kept_lengths_[index]) : 0;
      std::string out;
      std::size_t code_points = 0;
      for (std::size_t pos = 0; pos < value.size(); ++code_points) {
        const std::size_t length = utf8_sequence_length(value, pos);
        if (length == 0) {
          return invalid_argument(fmt::format("prefix: {} is not valid UTF-8", quoted(value)));
        }
        if (code_points < kept) {
          out.append(value.substr(pos, length));
        } else {
          out += '*';
        }
        pos += length;
      }
      if (index >= kept_lengths_.size()) return std::string(value);
      return out;
    }
    case Kind::kDates: {
      CONSENTRIC_ASSIGN_OR_RETURN(const Date date, parse_date(value));
      if (index >= date_levels_.size()) return std::string(value);
      switch (date_levels_[index]) {
        case DateLevel::kMonth:
          return fmt::format("{:04}-{:02}", date.year, date.month);
        case DateLevel::kYear:
          return fmt::format("{:04}", date.year);
        case DateLevel::kDecade:
          return fmt::format("{:04}s", date.year - date.year % 10);
      }
      return std::string(value);
    }
    case Kind::kCategories: {
      if (parents_.empty()) return std::string(value);
      std::string current(value);
      for (std::size_t i = 0; i < parents_.size() && i <= index; ++i) {
        const auto it = parents_[i].find(current);
        if (it == parents_[i].end()) {
          // Only parents_[0] can miss: the factory checked every later level.
          return invalid_argument(
              fmt::format("categories: {} has no parent at level {}", quoted(current), i + 1));
        }
        current = it->second;
      }
      return index >= parents_.size() ? std::string(value) : current;
    }
  }
  return internal_error("unknown hierarchy kind");
}

std::string Hierarchy::describe(int level) const {
  const int top = height() - 1;
  if (level < 0 || level > top) return fmt::format("no level {}", level);
  if (level == 0) return "as is";
  if (level == top) return "suppressed";
  const auto index = static_cast<std::size_t>(level - 1);
  switch (kind_) {
    case Kind::kSuppressOnly:
      break;
    case Kind::kBands:
      return fmt::format("bands of {}", format_number(widths_[index]));
    case Kind::kPrefix: {
      const int kept = kept_lengths_[index];
      if (kept == 0) return "all characters masked";
      if (kept == 1) return "first character";
      return fmt::format("first {} characters", kept);
    }
    case Kind::kDates:
      return std::string(date_level_name(date_levels_[index]));
    case Kind::kCategories:
      return fmt::format("parent category (level {})", level);
  }
  return fmt::format("level {}", level);
}

}  // namespace consentric::disclose
