#pragma once

// What every benchmark program needs: timing, the median of repeated runs with its spread,
// and the value of a command-line option (STYLE.md "Benchmarks").

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "consentric/status.h"

namespace consentric::bench {

using SteadyClock = std::chrono::steady_clock;

inline double seconds_since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// "  (min 1.2, max 1.5, 3 runs)" with `decimals` digits; empty for a single run.
inline std::string spread(const std::vector<double>& v, int decimals) {
  if (v.size() < 2) return "";
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return fmt::format("  (min {:.{}f}, max {:.{}f}, {} runs)", *lo, decimals, *hi, decimals,
                     v.size());
}

// The value after option argv[*i] (advancing *i); exits 1 with a message when there is none.
inline std::string option_value(std::string_view program, int argc, char** argv, int* i) {
  if (*i + 1 >= argc) {
    fmt::print(stderr, "{}: {} needs a value\n", program, argv[*i]);
    std::exit(1);
  }
  return argv[++*i];
}

// The value after option argv[*i] as a non-negative integer; a usage error (exit 1) otherwise.
inline long long option_number(std::string_view program, int argc, char** argv, int* i) {
  const std::string v = option_value(program, argc, argv, i);
  char* end = nullptr;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < 0) {
    fmt::print(stderr, "{}: {} expects a non-negative integer, got \"{}\"\n", program,
               argv[*i - 1], v);
    std::exit(1);
  }
  return n;
}

// The program's name in messages; each benchmark's main sets it first.
inline std::string_view& program_name() {
  static std::string_view name = "bench";
  return name;
}

// A one-line progress report on stderr, only when stderr is a terminal; empty clears it.
inline void progress(std::string_view what) {
  static const bool tty = ::isatty(STDERR_FILENO) != 0;
  if (!tty) return;
  if (what.empty()) {
    fmt::print(stderr, "\r\033[K");
  } else {
    fmt::print(stderr, "\r\033[K{}: {}", program_name(), what);
  }
  std::fflush(stderr);
}

// Setting up a benchmark cannot fail quietly: the message and exit code 2.
[[noreturn]] inline void fail(std::string_view what) {
  progress("");
  fmt::print(stderr, "{}: {}\n", program_name(), what);
  std::exit(2);
}

[[noreturn]] inline void die(std::string_view what, const Status& s) {
  fail(fmt::format("{}: {}", what, s.to_string()));
}

template <typename T>
T must(Result<T> r, std::string_view what) {
  if (!r.ok()) die(what, r.status());
  return std::move(r).value();
}

}  // namespace consentric::bench
