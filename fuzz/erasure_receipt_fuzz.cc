// libFuzzer harness for erasure receipts (rights/receipt.h), which `consentric receipt verify`
// reads from anyone: verify_receipt must never crash or trip a sanitizer on any text, fail only
// with InvalidArgument (not a receipt) or Unauthenticated (the signature does not hold), and
// accept only what a signature holds for; a receipt it accepts carries a 32-byte key.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rights/receipt.h"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto receipt = consentric::rights::verify_receipt(text);
  if (!receipt.ok()) {
    const auto code = receipt.status().code();
    check(code == consentric::StatusCode::kInvalidArgument ||
          code == consentric::StatusCode::kUnauthenticated);
    check(!receipt.status().message().empty());
    return 0;
  }
  check(receipt->public_key.size() == consentric::crypto::kSigningPublicKeyBytes);
  check(receipt->request_id >= 0 && receipt->audit_seq >= 0);
  check(consentric::rights::key_fingerprint(receipt->public_key).size() == 16);
  return 0;
}
