// libFuzzer harness for consent proofs as they arrive from forms, files and (later) HTTP
// bodies: normalize_proof must never crash, must fail only with InvalidArgument, and what it
// accepts is a JSON object holding no "ip" member (an address is kept only as its network
// prefix) that normalizes to itself again.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "consent/ledger.h"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto proof = consentric::consent::normalize_proof(text);
  if (!proof.ok()) {
    check(proof.status().code() == consentric::StatusCode::kInvalidArgument);
    return 0;
  }
  auto doc = nlohmann::json::parse(*proof, nullptr, /*allow_exceptions=*/false);
  check(doc.is_object());
  check(!doc.contains("ip"));
  auto again = consentric::consent::normalize_proof(*proof);
  check(again.ok() && *again == *proof);
  return 0;
}
