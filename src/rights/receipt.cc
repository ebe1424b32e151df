#include "rights/receipt.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace consentric::rights {
namespace {

using nlohmann::json;

json counts_json(const RemovedCounts& counts) {
  json out = json::object();
  for (const auto& [kind, count] : counts) out[kind] = count;
  return out;
}

json body_of(const ErasureReceipt& r) {
  return {{"installation", r.installation},
          {"public_key", crypto::to_base64(r.public_key)},
          {"request", r.request_id},
          {"regime", r.regime},
          {"received", format_timestamp(r.received)},
          {"erased", format_timestamp(r.erased)},
          {"method", to_string(r.method)},
          {"removed", counts_json(r.removed)},
          {"kept_anonymously", counts_json(r.kept_anonymously)},
          {"identifiers_suppressed", r.identifiers_suppressed},
          {"data_key_destroyed", r.data_key_destroyed},
          {"audit_seq", r.audit_seq}};
}

// nlohmann::json keeps object keys sorted, so dump() is the canonical form for signing.
std::string canonical(const json& body) {
  return body.dump(-1, ' ', false, json::error_handler_t::strict);
}

Status bad(std::string_view what) {
  return invalid_argument(fmt::format("not an erasure receipt: {}", what));
}

Result<std::string> string_member(const json& o, const char* name) {
  auto it = o.find(name);
  if (it == o.end() || !it->is_string()) return bad(fmt::format("\"{}\" must be a string", name));
  return it->get<std::string>();
}

Result<std::int64_t> count_member(const json& o, const char* name) {
  auto it = o.find(name);
  if (it == o.end() || !it->is_number_integer() || it->get<std::int64_t>() < 0) {
    return bad(fmt::format("\"{}\" must be a whole number, 0 or more", name));
  }
  return it->get<std::int64_t>();
}

Result<UnixSeconds> time_member(const json& o, const char* name) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::string text, string_member(o, name));
  Result<UnixSeconds> t = parse_timestamp(text);
  if (!t.ok()) return bad(fmt::format("\"{}\" must be a timestamp", name));
  return *t;
}

// An object of counts, each a whole number, 0 or more.
Result<RemovedCounts> counts_member(const json& o, const char* name) {
  auto it = o.find(name);
  if (it == o.end() || !it->is_object()) return bad(fmt::format("\"{}\" must be an object", name));
  RemovedCounts out;
  for (auto c = it->begin(); c != it->end(); ++c) {
    CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t n, count_member(*it, c.key().c_str()));
    out.emplace_back(c.key(), n);
  }
  return out;
}

}  // namespace

std::string sign_receipt(const ErasureReceipt& receipt, const crypto::SigningKey& key) {
  ErasureReceipt r = receipt;
  r.public_key = key.public_key();
  const json body = body_of(r);
  const std::string signature = crypto::sign_detached(key, canonical(body));
  const json doc = {{"format", kReceiptFormat},
                    {"body", body},
                    {"signature", crypto::to_base64(signature)}};
  return doc.dump(2) + "\n";
}

Result<ErasureReceipt> verify_receipt(std::string_view text) {
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return bad("expected a JSON object");
  CONSENTRIC_ASSIGN_OR_RETURN(std::string format, string_member(doc, "format"));
  if (format != kReceiptFormat) {
    return bad(fmt::format("format is \"{}\", expected \"{}\"", format, kReceiptFormat));
  }
  auto body_it = doc.find("body");
  if (body_it == doc.end() || !body_it->is_object()) return bad("\"body\" must be an object");
  const json& body = *body_it;
  CONSENTRIC_ASSIGN_OR_RETURN(std::string signature_b64, string_member(doc, "signature"));

  ErasureReceipt r;
  CONSENTRIC_ASSIGN_OR_RETURN(r.installation, string_member(body, "installation"));
  CONSENTRIC_ASSIGN_OR_RETURN(std::string key_b64, string_member(body, "public_key"));
  Result<std::string> key = crypto::from_base64(key_b64);
  if (!key.ok() || key->size() != crypto::kSigningPublicKeyBytes) {
    return bad("\"public_key\" must be a base64 Ed25519 public key");
  }
  r.public_key = *key;
  CONSENTRIC_ASSIGN_OR_RETURN(r.request_id, count_member(body, "request"));
  CONSENTRIC_ASSIGN_OR_RETURN(r.regime, string_member(body, "regime"));
  CONSENTRIC_ASSIGN_OR_RETURN(r.received, time_member(body, "received"));
  CONSENTRIC_ASSIGN_OR_RETURN(r.erased, time_member(body, "erased"));
  CONSENTRIC_ASSIGN_OR_RETURN(std::string method, string_member(body, "method"));
  if (method == to_string(ErasureMethod::kDelete)) {
    r.method = ErasureMethod::kDelete;
  } else if (method == to_string(ErasureMethod::kAnonymize)) {
    r.method = ErasureMethod::kAnonymize;
  } else {
    return bad(fmt::format("\"method\" is \"{}\", expected \"delete\" or \"anonymize\"", method));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(r.removed, counts_member(body, "removed"));
  CONSENTRIC_ASSIGN_OR_RETURN(r.kept_anonymously, counts_member(body, "kept_anonymously"));
  if (r.method == ErasureMethod::kDelete && !r.kept_anonymously.empty()) {
    return bad("a deletion keeps nothing anonymously, but \"kept_anonymously\" is not empty");
  }
  CONSENTRIC_ASSIGN_OR_RETURN(r.identifiers_suppressed,
                              count_member(body, "identifiers_suppressed"));
  auto destroyed = body.find("data_key_destroyed");
  if (destroyed == body.end() || !destroyed->is_boolean()) {
    return bad("\"data_key_destroyed\" must be true or false");
  }
  r.data_key_destroyed = destroyed->get<bool>();
  CONSENTRIC_ASSIGN_OR_RETURN(r.audit_seq, count_member(body, "audit_seq"));
  if (body.size() != 12) return bad("the body has members a receipt does not have");

  Result<std::string> signature = crypto::from_base64(signature_b64);
  // Strings that are not UTF-8 cannot have been signed: strict dumping refuses them.
  std::string signed_text;
  try {
    signed_text = canonical(body);
  } catch (const json::exception&) {
    return bad("the body holds text that is not UTF-8");
  }
  if (!signature.ok() || !crypto::verify_detached(r.public_key, signed_text, *signature)) {
    return unauthenticated(
        "the receipt's signature does not hold: it was altered, or not made by the key it names");
  }
  return r;
}

std::string key_fingerprint(std::string_view public_key) {
  return crypto::to_hex(crypto::sha256(public_key).substr(0, 8));
}

}  // namespace consentric::rights
