#include "core/time.h"

#include <chrono>
#include <cstdio>

#include <fmt/format.h>

namespace consentric {
namespace {

using namespace std::chrono;

// Reads exactly n decimal digits at pos; false if any is not a digit.
bool read_digits(std::string_view s, std::size_t pos, std::size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

Status expected_timestamp(std::string_view text, std::string_view why) {
  return invalid_argument(
      fmt::format("expected an ISO 8601 date or time such as 2026-03-01 or 2026-03-01T12:34:56Z, "
                  "got \"{}\" ({})",
                  text, why));
}

// Parses YYYY-MM-DD at the start of s into days since the epoch.
Result<std::int64_t> parse_civil_days(std::string_view s, std::string_view whole) {
  int y = 0, m = 0, d = 0;
  if (!read_digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !read_digits(s, 5, 2, &m) ||
      s[7] != '-' || !read_digits(s, 8, 2, &d)) {
    return expected_timestamp(whole, "not in YYYY-MM-DD form");
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return expected_timestamp(whole, "no such day");
  return static_cast<std::int64_t>(sys_days{ymd}.time_since_epoch().count());
}

}  // namespace

Result<UnixSeconds> parse_date(std::string_view text) {
  if (text.size() != 10) return expected_timestamp(text, "not in YYYY-MM-DD form");
  CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t days, parse_civil_days(text, text));
  return days * kSecondsPerDay;
}

Result<UnixSeconds> parse_timestamp(std::string_view text) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t days, parse_civil_days(text, text));
  UnixSeconds t = days * kSecondsPerDay;
  if (text.size() == 10) return t;
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') {
    return expected_timestamp(text, "date and time must be separated by 'T'");
  }
  int hh = 0, mm = 0, ss = 0;
  if (!read_digits(text, 11, 2, &hh) || text.size() < 16 || text[13] != ':' ||
      !read_digits(text, 14, 2, &mm)) {
    return expected_timestamp(text, "time not in HH:MM[:SS] form");
  }
  std::size_t pos = 16;
  if (pos < text.size() && text[pos] == ':') {
    if (!read_digits(text, pos + 1, 2, &ss)) return expected_timestamp(text, "bad seconds");
    pos += 3;
  }
  if (hh > 23 || mm > 59 || ss > 60) return expected_timestamp(text, "no such time of day");
  if (ss == 60) ss = 59;  // A leap second is folded into the second before it.
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start) return expected_timestamp(text, "empty fraction of a second");
  }
  t += hh * 3600 + mm * 60 + ss;
  if (pos == text.size()) return t;  // No offset: UTC.
  const char sign = text[pos];
  if ((sign == 'Z' || sign == 'z') && pos + 1 == text.size()) return t;
  if (sign != '+' && sign != '-') return expected_timestamp(text, "bad time zone offset");
  int oh = 0, om = 0;
  std::size_t rest = text.size() - pos - 1;
  bool good = read_digits(text, pos + 1, 2, &oh);
  if (rest == 5)
    good = good && text[pos + 3] == ':' && read_digits(text, pos + 4, 2, &om);
  else if (rest == 4)
    good = good && read_digits(text, pos + 3, 2, &om);
  else if (rest != 2)
    good = false;
  if (!good || oh > 18 || om > 59) return expected_timestamp(text, "bad time zone offset");
  const int offset = (oh * 3600 + om * 60) * (sign == '+' ? 1 : -1);
  return t - offset;
}

std::string format_date(UnixSeconds t) {
  const sys_days days{floor<std::chrono::days>(sys_seconds{seconds{t}})};
  const year_month_day ymd{days};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

std::string format_timestamp(UnixSeconds t) {
  const sys_seconds tp{seconds{t}};
  const auto days = floor<std::chrono::days>(tp);
  const hh_mm_ss<seconds> tod{tp - days};
  return fmt::format("{}T{:02}:{:02}:{:02}Z", format_date(t), tod.hours().count(),
                     tod.minutes().count(), tod.seconds().count());
}

Result<std::int64_t> parse_duration_seconds(std::string_view text) {
  std::size_t pos = 0;
  std::int64_t n = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    if (n > 1'000'000'000)
      return invalid_argument(fmt::format("duration \"{}\" is too long", text));
    n = n * 10 + (text[pos] - '0');
    ++pos;
  }
  const std::string_view unit = text.substr(pos);
  if (pos == 0 || unit.empty()) {
    return invalid_argument(
        fmt::format("expected a duration such as 30d, 12h, 6mo or 2y, got \"{}\"", text));
  }
  std::int64_t scale = 0;
  if (unit == "s")
    scale = 1;
  else if (unit == "m" || unit == "min")
    scale = 60;
  else if (unit == "h")
    scale = 3600;
  else if (unit == "d")
    scale = kSecondsPerDay;
  else if (unit == "w")
    scale = 7 * kSecondsPerDay;
  else if (unit == "mo")
    scale = 30 * kSecondsPerDay;
  else if (unit == "y")
    scale = 365 * kSecondsPerDay;
  else {
    return invalid_argument(fmt::format(
        "expected a duration unit s, m, h, d, w, mo or y in \"{}\", got \"{}\"", text, unit));
  }
  return n * scale;
}

namespace {
class SystemClock final : public Clock {
 public:
  UnixSeconds now() const override {
    return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
  }
};
}  // namespace

std::unique_ptr<Clock> make_system_clock() { return std::make_unique<SystemClock>(); }

}  // namespace consentric
