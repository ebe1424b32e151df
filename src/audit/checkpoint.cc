#include "audit/checkpoint.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstdint>
#include <iterator>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "audit/merkle.h"
#include "core/text.h"
#include "crypto/keys.h"

namespace consentric::audit {
namespace {

using nlohmann::json;

// U+2014 EM DASH and a space open every signature line of a signed note.
constexpr std::string_view kSignaturePrefix = "\xe2\x80\x94 ";
// The signed-note algorithm byte for Ed25519.
constexpr char kEd25519Type = '\x01';
constexpr std::size_t kKeyIdBytes = 4;
// Far above any checkpoint (four short lines and a few signatures); a bound so a hostile note
// cannot make us hash megabytes. Signed-note asks verifiers to accept at least 16 signatures.
constexpr std::size_t kMaxNoteBytes = 64 * 1024;
constexpr std::size_t kMaxSignatures = 100;

// Key names and origins: non-empty, no spaces, no '+', no control characters.
bool is_valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == '+' || c == 0x7f) return false;
  }
  return is_valid_utf8(name);
}

std::string key_id(std::string_view key_name, std::string_view public_key) {
  std::string msg(key_name);
  msg.push_back('\n');
  msg.push_back(kEd25519Type);
  msg.append(public_key);
  return crypto::sha256(msg).substr(0, kKeyIdBytes);
}

struct VerifierKey {
  std::string name;
  std::string id;  // 4 bytes
  std::string public_key;
};

Result<VerifierKey> parse_verifier_key(std::string_view vkey) {
  const auto bad = [](std::string_view why) {
    return invalid_argument(fmt::format(
        "verifier key is malformed: {}; expected <name>+<8 hex digits>+<base64 key>", why));
  };
  const std::size_t p1 = vkey.find('+');
  if (p1 == std::string_view::npos) return bad("no '+'");
  const std::size_t p2 = vkey.find('+', p1 + 1);
  if (p2 == std::string_view::npos) return bad("only one '+'");
  VerifierKey key;
  key.name = std::string(vkey.substr(0, p1));
  if (!is_valid_name(key.name)) return bad("the name is empty or has spaces");
  const std::string_view id_hex = vkey.substr(p1 + 1, p2 - p1 - 1);
  Result<std::string> id = crypto::from_hex(id_hex);
  if (id_hex.size() != 2 * kKeyIdBytes || !id.ok()) return bad("the key id is not 8 hex digits");
  Result<std::string> material = crypto::from_base64(vkey.substr(p2 + 1));
  if (!material.ok()) return bad("the key is not valid base64");
  if (material->size() != 1 + crypto::kSigningPublicKeyBytes || (*material)[0] != kEd25519Type) {
    return bad("the key is not an Ed25519 key (type byte 0x01 and 32 bytes)");
  }
  key.public_key = material->substr(1);
  key.id = key_id(key.name, key.public_key);
  if (key.id != *id) return bad("the key id does not match the name and key");
  return key;
}

// Whole-string decimal with no sign and no leading zeros (tlog-checkpoint's tree size rule).
bool parse_decimal(std::string_view s, std::uint64_t* out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// ---- JSON helpers: every access checks the type first, so nlohmann never throws. ----

Status field_error(std::string_view field, std::string_view expected) {
  return invalid_argument(fmt::format("field \"{}\": expected {}", field, expected));
}

Result<const json*> member(const json& obj, std::string_view field) {
  const auto it = obj.find(field);
  if (it == obj.end()) return invalid_argument(fmt::format("field \"{}\" is missing", field));
  return &*it;
}

Result<std::uint64_t> get_uint(const json& obj, std::string_view field) {
  CONSENTRIC_ASSIGN_OR_RETURN(const json* v, member(obj, field));
  if (!v->is_number_unsigned()) return field_error(field, "a non-negative integer");
  return v->get<std::uint64_t>();
}

Result<std::int64_t> get_int(const json& obj, std::string_view field) {
  CONSENTRIC_ASSIGN_OR_RETURN(const json* v, member(obj, field));
  if (!v->is_number_integer()) return field_error(field, "an integer");
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
    return field_error(field, "an integer that fits in 64 bits");
  }
  return v->get<std::int64_t>();
}

Result<std::string> get_string(const json& obj, std::string_view field) {
  CONSENTRIC_ASSIGN_OR_RETURN(const json* v, member(obj, field));
  if (!v->is_string()) return field_error(field, "a string");
  return v->get<std::string>();
}

Result<std::string> hash_from_hex(const json& v, std::string_view field) {
  if (!v.is_string()) return field_error(field, "a hex string");
  Result<std::string> bytes = crypto::from_hex(v.get<std::string>());
  if (!bytes.ok() || bytes->size() != kMerkleHashBytes) {
    return field_error(field, "64 hex digits (a 32-byte hash)");
  }
  return std::move(bytes).value();
}

Result<std::string> get_hash(const json& obj, std::string_view field) {
  CONSENTRIC_ASSIGN_OR_RETURN(const json* v, member(obj, field));
  return hash_from_hex(*v, field);
}

Result<std::vector<std::string>> get_hashes(const json& obj, std::string_view field) {
  CONSENTRIC_ASSIGN_OR_RETURN(const json* v, member(obj, field));
  if (!v->is_array()) return field_error(field, "an array of hex hashes");
  // A proof has at most 64 hashes (65 for consistency); more is not a proof of any tree.
  if (v->size() > 65) return field_error(field, "at most 65 hashes");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v->size(); ++i) {
    CONSENTRIC_ASSIGN_OR_RETURN(std::string h,
                                hash_from_hex((*v)[i], fmt::format("{}[{}]", field, i)));
    out.push_back(std::move(h));
  }
  return out;
}

Status expect_type(const json& doc, std::string_view type) {
  if (!doc.is_object()) return invalid_argument("a proof document must be a JSON object");
  CONSENTRIC_ASSIGN_OR_RETURN(std::string got, get_string(doc, "type"));
  if (got != type) {
    return invalid_argument(
        fmt::format("field \"type\": expected \"{}\", got {}", type, quote_for_message(got)));
  }
  return Status();
}

Result<json> parse_json(std::string_view text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return invalid_argument("the proof document is not valid JSON");
  return doc;
}

json hashes_to_json(const std::vector<std::string>& hashes) {
  json out = json::array();
  for (const auto& h : hashes) out.push_back(crypto::to_hex(h));
  return out;
}

// The entry as the verifier needs it to recompute the leaf: every field entry_encoding()
// covers, plus the chain hash. detail stays the exact text that was hashed, as a string.
json entry_to_json(const AuditRecord& r) {
  return json{{"seq", r.seq},
              {"ts", r.ts},
              {"actor", r.actor},
              {"action", r.action},
              {"purpose", r.purpose},
              {"subject", r.subject},
              {"detail", r.detail},
              {"prev_hash", crypto::to_hex(r.prev_hash)},
              {"hash", crypto::to_hex(r.hash)}};
}

Result<AuditRecord> entry_from_json(const json& e) {
  if (!e.is_object()) return field_error("entry", "an object");
  static constexpr std::string_view kFields[] = {
      "seq", "ts", "actor", "action", "purpose", "subject", "detail", "prev_hash", "hash"};
  for (const auto& [key, value] : e.items()) {
    if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields)) {
      return invalid_argument(fmt::format(
          "field \"entry.{}\" is not an audit entry field this version knows; it would not be "
          "checked",
          key));
    }
  }
  AuditRecord r;
  const Status read = [&]() -> Status {
    CONSENTRIC_ASSIGN_OR_RETURN(r.seq, get_int(e, "seq"));
    CONSENTRIC_ASSIGN_OR_RETURN(r.ts, get_int(e, "ts"));
    CONSENTRIC_ASSIGN_OR_RETURN(r.actor, get_string(e, "actor"));
    CONSENTRIC_ASSIGN_OR_RETURN(r.action, get_string(e, "action"));
    CONSENTRIC_ASSIGN_OR_RETURN(r.purpose, get_string(e, "purpose"));
    CONSENTRIC_ASSIGN_OR_RETURN(r.subject, get_string(e, "subject"));
    CONSENTRIC_ASSIGN_OR_RETURN(r.detail, get_string(e, "detail"));
    CONSENTRIC_ASSIGN_OR_RETURN(r.prev_hash, get_hash(e, "prev_hash"));
    CONSENTRIC_ASSIGN_OR_RETURN(r.hash, get_hash(e, "hash"));
    return Status();
  }();
  if (!read.ok()) return read.with_context("in \"entry\"");
  return r;
}

ProofCheck invalid(std::string problem) { return {false, std::move(problem)}; }

std::string short_hex(std::string_view hash) { return crypto::to_hex(hash.substr(0, 8)); }

}  // namespace

std::string checkpoint_body(const Checkpoint& c) {
  assert(is_valid_name(c.origin) && c.root.size() == kMerkleHashBytes && c.ts >= 0);
  return fmt::format("{}\n{}\n{}\n{}\n", c.origin, c.size, crypto::to_base64(c.root), c.ts);
}

std::string sign_checkpoint(const Checkpoint& c, const crypto::SigningKey& key,
                            std::string_view key_name) {
  assert(is_valid_name(key_name));
  const std::string body = checkpoint_body(c);
  const std::string sig = key_id(key_name, key.public_key()) + crypto::sign_detached(key, body);
  return fmt::format("{}\n{}{} {}\n", body, kSignaturePrefix, key_name, crypto::to_base64(sig));
}

std::string verifier_key(const crypto::SigningKey& key, std::string_view key_name) {
  assert(is_valid_name(key_name));
  const std::string pk = key.public_key();
  return fmt::format("{}+{}+{}", key_name, crypto::to_hex(key_id(key_name, pk)),
                     crypto::to_base64(std::string(1, kEd25519Type) + pk));
}

Result<std::string> open_note(std::string_view note, std::string_view vkey) {
  CONSENTRIC_ASSIGN_OR_RETURN(VerifierKey key, parse_verifier_key(vkey));
  const auto bad = [](std::string_view why) {
    return invalid_argument(fmt::format("signed note is malformed: {}", why));
  };
  if (note.size() > kMaxNoteBytes) {
    return bad(fmt::format("it is {} bytes, more than the {} a checkpoint can need", note.size(),
                           kMaxNoteBytes));
  }
  if (!is_valid_utf8(note)) return bad("it is not valid UTF-8");
  for (char c : note) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\n') || c == 0x7f) {
      return bad("it contains a control character other than newline");
    }
  }
  if (!note.ends_with('\n')) return bad("it does not end with a newline");
  // The text ends at the last blank line; everything after it is signature lines.
  const std::size_t blank = note.rfind("\n\n");
  if (blank == std::string_view::npos) return bad("no blank line separates text and signatures");
  const std::string_view text = note.substr(0, blank + 1);
  std::string_view sigs = note.substr(blank + 2);
  if (sigs.empty()) return bad("it has no signature lines");

  std::size_t lines = 0;
  std::size_t verified = 0;
  std::vector<std::string> signers;
  while (!sigs.empty()) {
    const std::size_t eol = sigs.find('\n');
    std::string_view line = sigs.substr(0, eol);
    sigs.remove_prefix(eol + 1);
    if (++lines > kMaxSignatures)
      return bad(fmt::format("more than {} signatures", kMaxSignatures));
    if (!line.starts_with(kSignaturePrefix)) {
      return bad(
          fmt::format("signature line {} does not start with an em dash and a space", lines));
    }
    line.remove_prefix(kSignaturePrefix.size());
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return bad(
          fmt::format("signature line {} has no space between key name and signature", lines));
    }
    const std::string_view name = line.substr(0, space);
    if (!is_valid_name(name))
      return bad(fmt::format("signature line {} has a bad key name", lines));
    Result<std::string> blob = crypto::from_base64(line.substr(space + 1));
    if (!blob.ok() || blob->size() <= kKeyIdBytes) {
      return bad(
          fmt::format("signature line {} does not hold base64 of a key id and a signature", lines));
    }
    const std::string_view id = std::string_view(*blob).substr(0, kKeyIdBytes);
    if (name != key.name || id != key.id) {
      // Another key's signature (a witness, a rotated key): not ours to judge (signed-note).
      signers.push_back(fmt::format("{}+{}", name, crypto::to_hex(id)));
      continue;
    }
    if (!crypto::verify_detached(key.public_key, text, blob->substr(kKeyIdBytes))) {
      return data_loss(fmt::format(
          "the signature by {}+{} does not verify: the signed text was altered or the signature "
          "is damaged",
          key.name, crypto::to_hex(key.id)));
    }
    ++verified;
  }
  if (verified == 0) {
    return unauthenticated(fmt::format("the note is not signed by {}+{}; it is signed by {}",
                                       key.name, crypto::to_hex(key.id), fmt::join(signers, ", ")));
  }
  return std::string(text);
}

Result<Checkpoint> open_checkpoint(std::string_view signed_note, std::string_view vkey) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::string text, open_note(signed_note, vkey));
  std::vector<std::string_view> lines;
  for (std::string_view rest = text; !rest.empty();) {
    const std::size_t eol = rest.find('\n');
    lines.push_back(rest.substr(0, eol));
    rest.remove_prefix(eol + 1);
  }
  if (lines.size() != 4) {
    return invalid_argument(
        fmt::format("checkpoint has {} lines; expected 4 (origin, tree size, root hash, timestamp)",
                    lines.size()));
  }
  Checkpoint c;
  if (!is_valid_name(lines[0])) {
    return invalid_argument("checkpoint line 1 (origin) is empty or has spaces or '+'");
  }
  c.origin = std::string(lines[0]);
  if (!parse_decimal(lines[1], &c.size)) {
    return invalid_argument(fmt::format(
        "checkpoint line 2 (tree size): expected a decimal number without leading zeros, got {}",
        quote_for_message(lines[1])));
  }
  Result<std::string> root = crypto::from_base64(lines[2]);
  if (!root.ok() || root->size() != kMerkleHashBytes) {
    return invalid_argument(
        fmt::format("checkpoint line 3 (root hash): expected base64 of 32 bytes, got {}",
                    quote_for_message(lines[2])));
  }
  c.root = std::move(root).value();
  std::uint64_t ts = 0;
  if (!parse_decimal(lines[3], &ts) || ts > static_cast<std::uint64_t>(INT64_MAX)) {
    return invalid_argument(fmt::format(
        "checkpoint line 4 (timestamp): expected Unix seconds without leading zeros, got {}",
        quote_for_message(lines[3])));
  }
  c.ts = static_cast<UnixSeconds>(ts);
  return c;
}

InclusionProof make_inclusion_proof(std::string_view origin,
                                    std::span<const std::string> leaf_hashes, std::uint64_t index) {
  InclusionProof p;
  p.origin = std::string(origin);
  p.index = index;
  p.tree_size = leaf_hashes.size();
  p.leaf_hash = leaf_hashes[index];
  p.proof = inclusion_proof(leaf_hashes, index);
  p.root = root_of(leaf_hashes);
  return p;
}

ConsistencyProof make_consistency_proof(std::string_view origin,
                                        std::span<const std::string> leaf_hashes,
                                        std::uint64_t old_size) {
  ConsistencyProof p;
  p.origin = std::string(origin);
  p.old_size = old_size;
  p.new_size = leaf_hashes.size();
  p.old_root = root_of(leaf_hashes.first(old_size));
  p.new_root = root_of(leaf_hashes);
  p.proof = consistency_proof(leaf_hashes, old_size);
  return p;
}

std::string to_json(const InclusionProof& p) {
  json doc = {{"type", "inclusion"},
              {"origin", p.origin},
              {"index", p.index},
              {"tree_size", p.tree_size},
              {"leaf_hash", crypto::to_hex(p.leaf_hash)}};
  if (p.entry) doc["entry"] = entry_to_json(*p.entry);
  doc["proof"] = hashes_to_json(p.proof);
  doc["root"] = crypto::to_hex(p.root);
  return doc.dump(2) + "\n";
}

std::string to_json(const ConsistencyProof& p) {
  const json doc = {{"type", "consistency"},
                    {"origin", p.origin},
                    {"old_size", p.old_size},
                    {"new_size", p.new_size},
                    {"old_root", crypto::to_hex(p.old_root)},
                    {"new_root", crypto::to_hex(p.new_root)},
                    {"proof", hashes_to_json(p.proof)}};
  return doc.dump(2) + "\n";
}

Result<InclusionProof> parse_inclusion_proof(std::string_view text) {
  CONSENTRIC_ASSIGN_OR_RETURN(json doc, parse_json(text));
  CONSENTRIC_RETURN_IF_ERROR(expect_type(doc, "inclusion"));
  InclusionProof p;
  CONSENTRIC_ASSIGN_OR_RETURN(p.origin, get_string(doc, "origin"));
  CONSENTRIC_ASSIGN_OR_RETURN(p.index, get_uint(doc, "index"));
  CONSENTRIC_ASSIGN_OR_RETURN(p.tree_size, get_uint(doc, "tree_size"));
  CONSENTRIC_ASSIGN_OR_RETURN(p.leaf_hash, get_hash(doc, "leaf_hash"));
  if (doc.contains("entry")) {
    Result<AuditRecord> entry = entry_from_json(doc["entry"]);
    if (!entry.ok()) return entry.status();
    p.entry = std::move(entry).value();
  }
  CONSENTRIC_ASSIGN_OR_RETURN(p.proof, get_hashes(doc, "proof"));
  CONSENTRIC_ASSIGN_OR_RETURN(p.root, get_hash(doc, "root"));
  return p;
}

Result<ConsistencyProof> parse_consistency_proof(std::string_view text) {
  CONSENTRIC_ASSIGN_OR_RETURN(json doc, parse_json(text));
  CONSENTRIC_RETURN_IF_ERROR(expect_type(doc, "consistency"));
  ConsistencyProof p;
  CONSENTRIC_ASSIGN_OR_RETURN(p.origin, get_string(doc, "origin"));
  CONSENTRIC_ASSIGN_OR_RETURN(p.old_size, get_uint(doc, "old_size"));
  CONSENTRIC_ASSIGN_OR_RETURN(p.new_size, get_uint(doc, "new_size"));
  CONSENTRIC_ASSIGN_OR_RETURN(p.old_root, get_hash(doc, "old_root"));
  CONSENTRIC_ASSIGN_OR_RETURN(p.new_root, get_hash(doc, "new_root"));
  CONSENTRIC_ASSIGN_OR_RETURN(p.proof, get_hashes(doc, "proof"));
  return p;
}

ProofCheck check_inclusion(const InclusionProof& p, const Checkpoint& cp) {
  if (p.origin != cp.origin) {
    return invalid(fmt::format("the proof is for log {}, the checkpoint for log {}",
                               quote_for_message(p.origin), quote_for_message(cp.origin)));
  }
  if (p.tree_size != cp.size) {
    return invalid(fmt::format("the proof is for tree size {}, the checkpoint has size {}",
                               p.tree_size, cp.size));
  }
  if (p.root != cp.root) {
    return invalid(fmt::format("the proof's root {}… is not the checkpoint's root {}…",
                               short_hex(p.root), short_hex(cp.root)));
  }
  if (p.index >= p.tree_size) {
    return invalid(
        fmt::format("leaf index {} is outside a tree of {} entries", p.index, p.tree_size));
  }
  if (p.entry) {
    const AuditRecord& e = *p.entry;
    if (e.seq < 1 || static_cast<std::uint64_t>(e.seq) != p.index + 1) {
      return invalid(fmt::format("the entry has seq {}, but leaf index {} holds seq {}", e.seq,
                                 p.index, p.index + 1));
    }
    if (entry_hash(e) != e.hash) {
      return invalid(
          fmt::format("entry {} does not match its chain hash (the entry was altered)", e.seq));
    }
    if (entry_leaf_hash(e) != p.leaf_hash) {
      return invalid(fmt::format("entry {} does not match the proof's leaf hash", e.seq));
    }
  }
  if (!verify_inclusion(p.index, p.tree_size, p.leaf_hash, p.proof, p.root)) {
    return invalid(
        fmt::format("the Merkle path does not lead from leaf {} to the root of the {}-entry tree",
                    p.index, p.tree_size));
  }
  return {true, ""};
}

ProofCheck check_consistency(const ConsistencyProof& p, const Checkpoint& older,
                             const Checkpoint& newer) {
  if (older.origin != newer.origin) {
    return invalid(fmt::format("the checkpoints are of two logs, {} and {}",
                               quote_for_message(older.origin), quote_for_message(newer.origin)));
  }
  if (p.origin != newer.origin) {
    return invalid(fmt::format("the proof is for log {}, the checkpoints for log {}",
                               quote_for_message(p.origin), quote_for_message(newer.origin)));
  }
  if (p.old_size != older.size || p.old_root != older.root) {
    return invalid(fmt::format(
        "the proof starts from size {} root {}…, the older checkpoint is size {} root {}…",
        p.old_size, short_hex(p.old_root), older.size, short_hex(older.root)));
  }
  if (p.new_size != newer.size || p.new_root != newer.root) {
    return invalid(
        fmt::format("the proof ends at size {} root {}…, the newer checkpoint is size {} root {}…",
                    p.new_size, short_hex(p.new_root), newer.size, short_hex(newer.root)));
  }
  if (!verify_consistency(p.old_size, p.new_size, p.old_root, p.new_root, p.proof)) {
    return invalid(fmt::format(
        "the log at size {} does not extend the log at size {}: entries before {} were changed "
        "or the proof is damaged",
        p.new_size, p.old_size, p.old_size + 1));
  }
  return {true, ""};
}

Result<ProofCheck> verify_inclusion_document(std::string_view json_text,
                                             const Checkpoint& checkpoint) {
  CONSENTRIC_ASSIGN_OR_RETURN(InclusionProof p, parse_inclusion_proof(json_text));
  return check_inclusion(p, checkpoint);
}

Result<ProofCheck> verify_consistency_document(std::string_view json_text, const Checkpoint& older,
                                               const Checkpoint& newer) {
  CONSENTRIC_ASSIGN_OR_RETURN(ConsistencyProof p, parse_consistency_proof(json_text));
  return check_consistency(p, older, newer);
}

}  // namespace consentric::audit
