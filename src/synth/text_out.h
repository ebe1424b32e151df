#pragma once

// Appending CSV and JSON pieces to an fmt memory buffer without a heap allocation per value:
// the generator writes tens of millions of lines, so these are the inner loop.

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace consentric::synth {

using Buffer = fmt::memory_buffer;

// fmt's append is out of line and copies element-wise; for the many short pieces of a line,
// growing the buffer and copying with memcpy is about twice as fast.
inline void put(Buffer& out, std::string_view s) {
  const std::size_t old = out.size();
  out.resize(old + s.size());
  std::memcpy(out.data() + old, s.data(), s.size());
}

inline void put(Buffer& out, char c) { out.push_back(c); }

inline void put_int(Buffer& out, std::int64_t v) {
  const fmt::format_int text(v);
  put(out, std::string_view(text.data(), text.size()));
}

// v as exactly `width` decimal digits, zero-padded; REQUIRES: 0 <= v < 10^width.
inline void put_padded(Buffer& out, std::int64_t v, int width) {
  char digits[20];
  for (int i = width - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  put(out, std::string_view(digits, static_cast<std::size_t>(width)));
}

// Money in cents as "1234.50".
inline void put_cents(Buffer& out, std::int64_t cents) {
  put_int(out, cents / 100);
  put(out, '.');
  put_padded(out, cents % 100, 2);
}

// Civil date of a day count since 1970-01-01 (Howard Hinnant's days_from_civil inverse),
// because core's format_timestamp returns a std::string, one allocation per event.
struct CivilDate {
  int year;
  int month;
  int day;
};
inline CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  return {static_cast<int>(y), static_cast<int>(m), static_cast<int>(d)};
}

inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// "2026-03-01"; REQUIRES: a year in 0..9999.
inline void put_date(Buffer& out, UnixSeconds t) {
  const CivilDate c = civil_from_days(floor_div(t, kSecondsPerDay));
  char s[10] = {static_cast<char>('0' + c.year / 1000),
                static_cast<char>('0' + c.year / 100 % 10),
                static_cast<char>('0' + c.year / 10 % 10),
                static_cast<char>('0' + c.year % 10),
                '-',
                static_cast<char>('0' + c.month / 10),
                static_cast<char>('0' + c.month % 10),
                '-',
                static_cast<char>('0' + c.day / 10),
                static_cast<char>('0' + c.day % 10)};
  put(out, std::string_view(s, 10));
}

// "T12:34:56Z", the time-of-day part of a timestamp.
inline void put_time_of_day(Buffer& out, UnixSeconds t) {
  const std::int64_t sec = t - floor_div(t, kSecondsPerDay) * kSecondsPerDay;
  const auto h = static_cast<int>(sec / 3600), m = static_cast<int>(sec / 60 % 60),
             s = static_cast<int>(sec % 60);
  const char text[10] = {'T', static_cast<char>('0' + h / 10), static_cast<char>('0' + h % 10),
                         ':', static_cast<char>('0' + m / 10), static_cast<char>('0' + m % 10),
                         ':', static_cast<char>('0' + s / 10), static_cast<char>('0' + s % 10),
                         'Z'};
  put(out, std::string_view(text, 10));
}

// "2026-03-01T12:34:56Z", the same text as core's format_timestamp.
inline void put_timestamp(Buffer& out, UnixSeconds t) {
  put_date(out, t);
  put_time_of_day(out, t);
}

// The dates of a span of days, formatted once: nearly every timestamp the generator writes
// falls in its twelve months, and the calendar arithmetic per event showed in profiles.
class DateTable {
 public:
  DateTable(UnixSeconds from, UnixSeconds until) : first_day_(floor_div(from, kSecondsPerDay)) {
    const std::int64_t last_day = floor_div(until, kSecondsPerDay);
    for (std::int64_t d = first_day_; d <= last_day; ++d) {
      Buffer b;
      put_date(b, d * kSecondsPerDay);
      std::array<char, 10> text{};
      std::memcpy(text.data(), b.data(), 10);
      days_.push_back(text);
    }
  }

  // Same text as put_date / put_timestamp, for any t.
  void put_date(Buffer& out, UnixSeconds t) const {
    const std::int64_t i = floor_div(t, kSecondsPerDay) - first_day_;
    if (i < 0 || i >= static_cast<std::int64_t>(days_.size())) {
      synth::put_date(out, t);
    } else {
      put(out, std::string_view(days_[static_cast<std::size_t>(i)].data(), 10));
    }
  }
  void put_timestamp(Buffer& out, UnixSeconds t) const {
    put_date(out, t);
    put_time_of_day(out, t);
  }

 private:
  std::int64_t first_day_;
  std::vector<std::array<char, 10>> days_;
};

// A CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma, a quote or a
// line break; as is otherwise.
inline void put_csv_field(Buffer& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    put(out, s);
    return;
  }
  put(out, '"');
  for (char c : s) {
    if (c == '"') put(out, '"');
    put(out, c);
  }
  put(out, '"');
}

// A JSON string with its quotes. Control characters, '"' and '\\' are escaped; other bytes
// (UTF-8) pass through.
inline void put_json_string(Buffer& out, std::string_view s) {
  put(out, '"');
  bool plain = true;
  for (char c : s) plain &= c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20;
  if (plain) {
    put(out, s);
    put(out, '"');
    return;
  }
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      put(out, '\\');
      put(out, c);
    } else if (u < 0x20) {
      constexpr char kHex[] = "0123456789abcdef";
      const char esc[6] = {'\\', 'u', '0', '0', kHex[u >> 4], kHex[u & 15]};
      out.append(esc, esc + 6);
    } else {
      put(out, c);
    }
  }
  put(out, '"');
}

}  // namespace consentric::synth
