#pragma once

// Erasure receipts (docs/rights.md, "Erasure receipts"): the proof a controller hands the person
// (or a regulator) that an erasure was carried out. A signed JSON document that lists what was
// removed by kind and count (and, for an anonymization, what was kept anonymously), and nothing
// about the person beyond the request id. Signed with
// this installation's Ed25519 key (the audit signing key, crypto/signing.h), so anyone holding
// the installation's public key can check it offline.
//
//   {"format": "consentric-erasure-receipt/1",
//    "body": {"installation": "consentric/<store id>", "public_key": "<base64>",
//             "request": 12, "regime": "gdpr", "received": "...", "erased": "...",
//             "method": "delete", "removed": {"events": 31, ...},
//             "kept_anonymously": {}, "identifiers_suppressed": 2,
//             "data_key_destroyed": true, "audit_seq": 4711},
//
// method is "delete" or "anonymize" (config `erasure:`); kept_anonymously is empty for a
// deletion and, for an anonymization, counts the rows moved to an anonymous remnant ("events",
// "event counts", "feature rows"); it never names the remnant.
//    "signature": "<base64 Ed25519 over the body's canonical JSON>"}
//
// The canonical JSON of the body is its compact serialization with keys in byte order.

#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.h"
#include "consentric/status.h"
#include "core/time.h"
#include "crypto/keys.h"
#include "crypto/signing.h"
#include "store/store.h"

namespace consentric::rights {

inline constexpr std::string_view kReceiptFormat = "consentric-erasure-receipt/1";

struct ErasureReceipt {
  std::string installation;  // the audit log's origin, "consentric/<store id>"
  std::string public_key;    // 32 raw bytes: the key that signed it
  std::int64_t request_id = 0;
  std::string regime;
  UnixSeconds received = 0;
  UnixSeconds erased = 0;
  ErasureMethod method = ErasureMethod::kDelete;
  RemovedCounts removed;           // in key order once parsed
  RemovedCounts kept_anonymously;  // empty for a deletion; in key order once parsed
  std::int64_t identifiers_suppressed = 0;
  bool data_key_destroyed = false;
  std::int64_t audit_seq = 0;  // the subject.erase entry in the installation's audit chain
};

// The receipt as a signed JSON document (pretty-printed, ending in a newline).
std::string sign_receipt(const ErasureReceipt& receipt, const crypto::SigningKey& key);

// Parses a receipt and checks its signature against the public key it names. InvalidArgument
// when the text is not a receipt (saying what is wrong), Unauthenticated when the signature does
// not hold. Whether that key is the installation's is for the caller to check.
Result<ErasureReceipt> verify_receipt(std::string_view text);

// A short fingerprint of a public key for people to compare: hex of its first 8 SHA-256 bytes.
std::string key_fingerprint(std::string_view public_key);

}  // namespace consentric::rights
