#pragma once

// Time in consentric: whole seconds since the Unix epoch, UTC. Inputs are ISO 8601.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "consentric/status.h"

namespace consentric {

using UnixSeconds = std::int64_t;

// Parses "2026-03-01" (midnight UTC), "2026-03-01T12:34:56Z", "2026-03-01 12:34:56",
// optional fraction (dropped) and offset ("+02:00", "-0500"). Impossible dates
// (2026-02-30, hour 25) are errors; the message says what was expected.
Result<UnixSeconds> parse_timestamp(std::string_view text);

// Parses a date only ("2026-03-01"), as midnight UTC.
Result<UnixSeconds> parse_date(std::string_view text);

// "2026-03-01T12:34:56Z"
std::string format_timestamp(UnixSeconds t);
// "2026-03-01"
std::string format_date(UnixSeconds t);

// Parses a duration such as "30d", "12h", "90m", "45s", "2y" (365 days), "6mo" (30 days).
Result<std::int64_t> parse_duration_seconds(std::string_view text);

constexpr std::int64_t kSecondsPerDay = 86'400;

// The seam for "now": real code takes a Clock, tests move a ManualClock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixSeconds now() const = 0;
};

// The system's wall clock. Thread-safe.
std::unique_ptr<Clock> make_system_clock();

// A clock that says what it is told. Not thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(UnixSeconds t) : t_(t) {}
  UnixSeconds now() const override { return t_; }
  void set(UnixSeconds t) { t_ = t; }
  void advance(std::int64_t seconds) { t_ += seconds; }

 private:
  UnixSeconds t_;
};

}  // namespace consentric
