// libFuzzer harness for the TC string decoder: decode() must never crash, trip a sanitizer or
// allocate without bound on any bytes, must fail only with InvalidArgument, and whatever it
// accepts must survive encode() and decode() unchanged and pass validate().

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tcf/tc_json.h"
#include "tcf/tc_string.h"

namespace {

[[noreturn]] void fail() { __builtin_trap(); }

void check(bool ok) {
  if (!ok) fail();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto tc = consentric::tcf::decode(text);
  if (!tc.ok()) {
    check(tc.status().code() == consentric::StatusCode::kInvalidArgument);
    check(!tc.status().message().empty());
    return 0;
  }
  check(consentric::tcf::validate(*tc).ok());
  const std::string encoded = consentric::tcf::encode(*tc);
  const auto again = consentric::tcf::decode(encoded);
  check(again.ok() && *again == *tc);
  check(consentric::tcf::encode(*again) == encoded);
  // The renderers must take anything decode() returns.
  static_cast<void>(consentric::tcf::to_json(*tc).dump());
  static_cast<void>(consentric::tcf::describe(*tc));
  static_cast<void>(consentric::tcf::check_policy(*tc, 1'760'000'000));
  return 0;
}
