// libFuzzer harness for the config checker: check_config must never crash, throw or trip a
// sanitizer on any text, and must return a Config exactly when it found no problem.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config.h"

namespace {

[[noreturn]] void fail() { __builtin_trap(); }

void check(bool ok) {
  if (!ok) fail();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const consentric::ConfigCheck result = consentric::check_config(text, "fuzz.yaml");
  check(result.config.has_value() == result.problems.empty());
  for (const consentric::ConfigProblem& p : result.problems) {
    check(!p.message.empty());
    check(!p.to_string("fuzz.yaml").empty());
  }
  return 0;
}
