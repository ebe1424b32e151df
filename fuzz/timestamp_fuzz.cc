// libFuzzer harness for the time parsers: parse_timestamp, parse_date and
// parse_duration_seconds must never crash or trip a sanitizer on any text, fail only with
// InvalidArgument, and a timestamp or date in years 0001..9999 must survive a format/parse
// round trip.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/time.h"

namespace {

[[noreturn]] void fail() { __builtin_trap(); }

void check(bool ok) {
  if (!ok) fail();
}

constexpr consentric::UnixSeconds kYear1 = -62'135'596'800;      // 0001-01-01T00:00:00Z
constexpr consentric::UnixSeconds kYear10000 = 253'402'300'800;  // 10000-01-01T00:00:00Z

template <typename T>
void check_error(const consentric::Result<T>& r) {
  if (!r.ok()) {
    check(r.status().code() == consentric::StatusCode::kInvalidArgument);
    check(!r.status().message().empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const auto ts = consentric::parse_timestamp(text);
  check_error(ts);
  if (ts.ok() && *ts >= kYear1 && *ts < kYear10000) {
    const auto again = consentric::parse_timestamp(consentric::format_timestamp(*ts));
    check(again.ok() && *again == *ts);
  }

  const auto date = consentric::parse_date(text);
  check_error(date);
  if (date.ok()) {
    check(*date % consentric::kSecondsPerDay == 0);
    const auto again = consentric::parse_date(consentric::format_date(*date));
    check(again.ok() && *again == *date);
  }

  const auto duration = consentric::parse_duration_seconds(text);
  check_error(duration);
  if (duration.ok()) check(*duration >= 0);
  return 0;
}
