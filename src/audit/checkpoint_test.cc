#include "audit/checkpoint.h"

#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "audit/merkle.h"
#include "crypto/keys.h"
#include "testing/status_matchers.h"

namespace consentric::audit {
namespace {

using ::consentric::testing::StatusIs;
using ::testing::HasSubstr;

constexpr std::string_view kDash = "\xe2\x80\x94 ";

crypto::SigningKey test_key(char fill = 'k') {
  return crypto::signing_key_from_seed(
      std::move(crypto::SecretKey::from_bytes(std::string(crypto::kKeyBytes, fill))).value());
}

// Signs arbitrary text as a note, the way sign_checkpoint() does, so tests can build notes
// whose text is not a valid checkpoint.
std::string sign_text(std::string_view text, const crypto::SigningKey& key, std::string_view name) {
  std::string id_msg(name);
  id_msg += '\n';
  id_msg += '\x01';
  id_msg += key.public_key();
  const std::string blob = crypto::sha256(id_msg).substr(0, 4) + crypto::sign_detached(key, text);
  return std::string(text) + "\n" + std::string(kDash) + std::string(name) + " " +
         crypto::to_base64(blob) + "\n";
}

Checkpoint sample_checkpoint() {
  return {.origin = "consentric/0123abcd",
          .size = 1042,
          .root = crypto::sha256("root"),
          .ts = 1767225600};
}

// golang.org/x/mod/sumdb/note's published example key and note (also used by C2SP
// implementations as the interoperability vector).
constexpr std::string_view kGoVkey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kGoSeed = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kGoText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kGoSig =
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";

TEST(SignedNote, InteroperatesWithTheGoReferenceVector) {
  const std::string seed_blob = std::move(crypto::from_base64(kGoSeed)).value();
  ASSERT_EQ(seed_blob.size(), 33u);
  ASSERT_EQ(seed_blob[0], '\x01');
  const crypto::SigningKey key = crypto::signing_key_from_seed(
      std::move(crypto::SecretKey::from_bytes(seed_blob.substr(1))).value());
  EXPECT_EQ(verifier_key(key, "PeterNeumann"), kGoVkey);
  // Ed25519 is deterministic, so our note is byte for byte the published one.
  const std::string note = std::string(kGoText) + "\n" + std::string(kDash) + "PeterNeumann " +
                           std::string(kGoSig) + "\n";
  EXPECT_EQ(sign_text(kGoText, key, "PeterNeumann"), note);
  auto text = open_note(note, kGoVkey);
  ASSERT_OK(text);
  EXPECT_EQ(*text, kGoText);

  std::string altered = note;
  altered.replace(altered.find("cryptography"), 12, "cryptographY");
  EXPECT_THAT(open_note(altered, kGoVkey), StatusIs(StatusCode::kDataLoss, HasSubstr("altered")));
}

TEST(Checkpoint, BodyFollowsTlogCheckpoint) {
  const Checkpoint c = sample_checkpoint();
  EXPECT_EQ(checkpoint_body(c),
            "consentric/0123abcd\n1042\n" + crypto::to_base64(c.root) + "\n1767225600\n");
  Checkpoint empty = c;
  empty.size = 0;
  empty.root = empty_root();
  EXPECT_EQ(checkpoint_body(empty),
            "consentric/0123abcd\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n1767225600\n");
}

TEST(Checkpoint, SignedCheckpointOpensWithItsKey) {
  const auto key = test_key();
  const Checkpoint c = sample_checkpoint();
  const std::string note = sign_checkpoint(c, key, c.origin);
  EXPECT_TRUE(note.starts_with(checkpoint_body(c) + "\n" + std::string(kDash) + c.origin + " "));
  const std::string vkey = verifier_key(key, c.origin);
  EXPECT_TRUE(vkey.starts_with(c.origin + "+"));
  auto opened = open_checkpoint(note, vkey);
  ASSERT_OK(opened);
  EXPECT_EQ(*opened, c);
}

TEST(Checkpoint, InstallationKeyComesFromTheMasterKey) {
  const auto master = crypto::SecretKey::generate();
  const auto key =
      crypto::signing_key_from_seed(crypto::derive_subkey(master, crypto::SubKey::kAuditSigning));
  const auto again =
      crypto::signing_key_from_seed(crypto::derive_subkey(master, crypto::SubKey::kAuditSigning));
  const Checkpoint c = sample_checkpoint();
  EXPECT_OK(open_checkpoint(sign_checkpoint(c, key, c.origin), verifier_key(again, c.origin)));
}

TEST(Checkpoint, WrongKeyIsUnauthenticated) {
  const Checkpoint c = sample_checkpoint();
  const std::string note = sign_checkpoint(c, test_key('a'), c.origin);
  EXPECT_THAT(
      open_checkpoint(note, verifier_key(test_key('b'), c.origin)),
      StatusIs(StatusCode::kUnauthenticated, HasSubstr("is not signed by consentric/0123abcd+")));
  // Same key under another name: another key id, so also not ours.
  EXPECT_THAT(open_checkpoint(note, verifier_key(test_key('a'), "consentric/other")),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("it is signed by consentric/")));
}

TEST(Checkpoint, AlteredCheckpointFailsItsSignature) {
  const auto key = test_key();
  const Checkpoint c = sample_checkpoint();
  const std::string vkey = verifier_key(key, c.origin);
  std::string note = sign_checkpoint(c, key, c.origin);
  note.replace(note.find("1042"), 4, "1043");
  EXPECT_THAT(open_checkpoint(note, vkey),
              StatusIs(StatusCode::kDataLoss, HasSubstr("does not verify")));
}

TEST(Checkpoint, NoAlteredByteIsAccepted) {
  const auto key = test_key();
  const Checkpoint c = sample_checkpoint();
  const std::string vkey = verifier_key(key, c.origin);
  const std::string note = sign_checkpoint(c, key, c.origin);
  for (std::size_t i = 0; i < note.size(); ++i) {
    for (unsigned char bit : {0x01, 0x20}) {
      std::string bad = note;
      bad[i] = static_cast<char>(bad[i] ^ bit);
      auto opened = open_checkpoint(bad, vkey);
      EXPECT_FALSE(opened.ok() && *opened == c) << "byte " << i << " bit " << int{bit};
    }
  }
  for (std::size_t len = 0; len < note.size(); ++len) {
    EXPECT_FALSE(open_checkpoint(note.substr(0, len), vkey).ok()) << "cut at " << len;
  }
}

TEST(Checkpoint, OtherSignaturesAreIgnored) {
  const auto key = test_key();
  const Checkpoint c = sample_checkpoint();
  const std::string note = sign_checkpoint(c, key, c.origin);
  const std::string body = checkpoint_body(c);
  // A witness cosignature before and after ours.
  const std::string witness = sign_text(body, test_key('w'), "witness.example/w1");
  const std::string witness_line = witness.substr(body.size() + 1);
  const std::string ours_line = note.substr(body.size() + 1);
  const std::string both = body + "\n" + witness_line + ours_line + witness_line;
  auto opened = open_checkpoint(both, verifier_key(key, c.origin));
  ASSERT_OK(opened);
  EXPECT_EQ(*opened, c);
  // The witness alone does not make it ours.
  EXPECT_THAT(open_checkpoint(witness, verifier_key(key, c.origin)),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("witness.example/w1+")));
}

TEST(Checkpoint, MalformedNotesAreInvalidArguments) {
  const auto key = test_key();
  const Checkpoint c = sample_checkpoint();
  const std::string vkey = verifier_key(key, c.origin);
  const std::string body = checkpoint_body(c);
  const std::string note = sign_checkpoint(c, key, c.origin);
  const std::string sig_line = note.substr(body.size() + 1);
  const auto malformed = [&](const std::string& n, std::string_view why) {
    EXPECT_THAT(open_checkpoint(n, vkey),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr(std::string(why))))
        << n;
  };
  malformed(body, "no blank line");
  malformed(body + "\n", "no signature lines");
  malformed(note.substr(0, note.size() - 1), "does not end with a newline");
  malformed(body + "\n- " + sig_line.substr(kDash.size()), "em dash");
  malformed(body + "\n" + std::string(kDash) + c.origin + "\n", "no space");
  malformed(body + "\n" + std::string(kDash) + c.origin + " AAAA\n", "key id and a signature");
  malformed(body + "\n" + std::string(kDash) + c.origin + " !!!!\n", "key id and a signature");
  malformed("a\tb\n" + body + "\n" + sig_line, "control character");
  malformed(std::string("\xff\n\n") + sig_line, "UTF-8");
  malformed(std::string(70000, 'x'), "bytes");
}

TEST(Checkpoint, SignedTextThatIsNoCheckpointIsRefused) {
  const auto key = test_key();
  const std::string name = "consentric/0123abcd";
  const std::string vkey = verifier_key(key, name);
  const std::string root64 = crypto::to_base64(crypto::sha256("r"));
  const auto refused = [&](const std::string& text, std::string_view why) {
    EXPECT_THAT(open_checkpoint(sign_text(text, key, name), vkey),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr(std::string(why))))
        << text;
  };
  refused(name + "\n5\n" + root64 + "\n", "has 3 lines");
  refused(name + "\n5\n" + root64 + "\n7\nextra\n", "has 5 lines");
  refused(name + "\n05\n" + root64 + "\n7\n", "line 2 (tree size)");
  refused(name + "\n-5\n" + root64 + "\n7\n", "line 2 (tree size)");
  refused(name + "\n99999999999999999999\n" + root64 + "\n7\n", "line 2 (tree size)");
  refused(name + "\n5\n" + crypto::to_base64("short") + "\n7\n", "line 3 (root hash)");
  refused(name + "\n5\n" + crypto::to_hex(crypto::sha256("r")) + "\n7\n", "line 3 (root hash)");
  refused(name + "\n5\n" + root64 + "\n-7\n", "line 4 (timestamp)");
  refused(name + "\n5\n" + root64 + "\n9223372036854775808\n", "line 4 (timestamp)");
  refused("bad origin\n5\n" + root64 + "\n7\n", "line 1 (origin)");
  // The one spelling we accept is the one we write.
  EXPECT_OK(open_checkpoint(sign_text(name + "\n5\n" + root64 + "\n7\n", key, name), vkey));
}

TEST(VerifierKey, ManglingsAreRefused) {
  const std::string vkey = verifier_key(test_key(), "consentric/0123abcd");
  const Checkpoint c = sample_checkpoint();
  const std::string note = sign_checkpoint(c, test_key(), c.origin);
  ASSERT_OK(open_checkpoint(note, vkey));
  for (std::size_t i = 0; i < vkey.size(); ++i) {
    std::string bad = vkey;
    bad[i] = static_cast<char>(bad[i] + 1);
    EXPECT_THAT(open_checkpoint(note, bad), ::testing::Not(::consentric::testing::IsOk())) << bad;
  }
  for (std::size_t len = 0; len < vkey.size(); ++len) {
    EXPECT_THAT(open_checkpoint(note, vkey.substr(0, len)),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("verifier key is malformed")))
        << vkey.substr(0, len);
  }
  EXPECT_THAT(open_note(note, "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("key id does not match")));
}

// ---- Proof documents over a real chain of audit entries ----

std::vector<AuditRecord> make_log(int n) {
  std::vector<AuditRecord> log;
  std::string prev(32, '\0');
  for (int i = 1; i <= n; ++i) {
    AuditRecord r;
    r.seq = i;
    r.ts = 1767225600 + i;
    r.actor = "local-operator";
    r.action = i % 3 == 0 ? "consent.grant" : "import.events";
    r.subject = i % 3 == 0 ? "psn_" + std::to_string(i) : "";
    r.detail = "{\"n\":" + std::to_string(i) + "}";
    r.prev_hash = prev;
    r.hash = entry_hash(r);
    prev = r.hash;
    log.push_back(r);
  }
  return log;
}

std::vector<std::string> leaves_of(const std::vector<AuditRecord>& log) {
  std::vector<std::string> out;
  for (const auto& r : log) out.push_back(entry_leaf_hash(r));
  return out;
}

class ProofDocuments : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = make_log(37);
    leaves_ = leaves_of(log_);
    // A checkpoint as a verifier holds it: opened from the signed note.
    cp_ = checkpoint_at(leaves_.size());
  }
  Checkpoint checkpoint_at(std::size_t size) {
    const Checkpoint c{.origin = std::string(kOrigin),
                       .size = size,
                       .root = root_of(std::span(leaves_).first(size)),
                       .ts = 1767300000};
    return std::move(
               open_checkpoint(sign_checkpoint(c, key_, kOrigin), verifier_key(key_, kOrigin)))
        .value();
  }
  InclusionProof proof_of(std::uint64_t index) {
    InclusionProof p = make_inclusion_proof(kOrigin, leaves_, index);
    p.entry = log_[index];
    return p;
  }
  static constexpr std::string_view kOrigin = "consentric/0123abcd";
  crypto::SigningKey key_ = test_key();
  std::vector<AuditRecord> log_;
  std::vector<std::string> leaves_;
  Checkpoint cp_;
};

TEST_F(ProofDocuments, EntryEncodingIsWhatTheChainHashCovers) {
  const AuditRecord& r = log_[2];
  EXPECT_EQ(entry_hash(r), crypto::hash256(entry_encoding(r)));
  EXPECT_EQ(entry_leaf_hash(r), leaf_hash(entry_encoding(r)));
  // The layout of docs/formats/audit-chain.md, spelled out.
  AuditRecord g;
  g.seq = 1;
  g.ts = 2;
  g.actor = "a";
  g.action = "bc";
  g.purpose = "p";
  g.prev_hash = std::string(32, '\0');
  const std::string want = std::string("consentric-audit-v2") + std::string(7, '\0') + "\x01" +
                           std::string(7, '\0') + "\x02" + std::string(7, '\0') + "\x01" + "a" +
                           std::string(7, '\0') + "\x02" + "bc" + std::string(7, '\0') + "\x01" +
                           "p" + std::string(8, '\0') + std::string(8, '\0') +
                           std::string(7, '\0') + " " + std::string(32, '\0');
  EXPECT_EQ(crypto::to_hex(entry_encoding(g)), crypto::to_hex(want));
  // The chain hash ignores the stored hash field.
  g.hash = "anything";
  EXPECT_EQ(entry_encoding(g), want);
}

TEST_F(ProofDocuments, InclusionProofsOfEveryEntryVerify) {
  for (std::uint64_t i = 0; i < leaves_.size(); ++i) {
    const std::string doc = to_json(proof_of(i));
    auto check = verify_inclusion_document(doc, cp_);
    ASSERT_OK(check);
    EXPECT_TRUE(check->valid) << i << ": " << check->problem;
  }
}

TEST_F(ProofDocuments, InclusionDocumentLayout) {
  const auto doc = nlohmann::json::parse(to_json(proof_of(4)));
  EXPECT_EQ(doc["type"], "inclusion");
  EXPECT_EQ(doc["origin"], kOrigin);
  EXPECT_EQ(doc["index"], 4);
  EXPECT_EQ(doc["tree_size"], 37);
  EXPECT_EQ(doc["leaf_hash"], crypto::to_hex(leaves_[4]));
  EXPECT_EQ(doc["entry"]["seq"], 5);
  EXPECT_EQ(doc["entry"]["detail"], "{\"n\":5}");
  EXPECT_EQ(doc["root"], crypto::to_hex(cp_.root));
  EXPECT_EQ(doc["proof"].size(), inclusion_proof(leaves_, 4).size());
  // Without the entry the document still proves the leaf.
  auto check = verify_inclusion_document(to_json(make_inclusion_proof(kOrigin, leaves_, 4)), cp_);
  ASSERT_OK(check);
  EXPECT_TRUE(check->valid) << check->problem;
  auto parsed = parse_inclusion_proof(to_json(proof_of(4)));
  ASSERT_OK(parsed);
  ASSERT_TRUE(parsed->entry.has_value());
  EXPECT_EQ(entry_encoding(*parsed->entry), entry_encoding(log_[4]));
  EXPECT_EQ(parsed->entry->hash, log_[4].hash);
}

TEST_F(ProofDocuments, AlteredEntryOrProofIsInvalid) {
  const auto expect_invalid = [&](const InclusionProof& p, std::string_view why) {
    auto check = verify_inclusion_document(to_json(p), cp_);
    ASSERT_OK(check);
    EXPECT_FALSE(check->valid);
    EXPECT_THAT(check->problem, HasSubstr(std::string(why)));
  };
  InclusionProof p = proof_of(8);
  p.entry->detail = "{\"n\":99}";
  expect_invalid(p, "does not match its chain hash");
  p.entry->hash = entry_hash(*p.entry);  // altered and re-hashed: the leaf gives it away
  expect_invalid(p, "does not match the proof's leaf hash");
  p = proof_of(8);
  p.entry->seq = 10;
  expect_invalid(p, "leaf index 8 holds seq 9");
  p = proof_of(8);
  p.leaf_hash = leaves_[9];
  p.entry.reset();
  expect_invalid(p, "Merkle path does not lead");
  p = proof_of(8);
  p.proof[1] = leaves_[0];
  expect_invalid(p, "Merkle path does not lead");
  p = proof_of(8);
  p.index = 9;
  p.entry.reset();
  expect_invalid(p, "Merkle path does not lead");
  p = proof_of(8);
  p.index = 40;
  p.entry.reset();
  expect_invalid(p, "outside a tree of 37");
}

TEST_F(ProofDocuments, ProofMustMatchTheTrustedCheckpoint) {
  const std::string doc = to_json(proof_of(3));
  Checkpoint other = cp_;
  other.origin = "consentric/ffff";
  EXPECT_THAT(verify_inclusion_document(doc, other)->problem, HasSubstr("for log"));
  EXPECT_FALSE(verify_inclusion_document(doc, checkpoint_at(36))->valid);
  other = cp_;
  other.root = crypto::sha256("forged");
  EXPECT_THAT(verify_inclusion_document(doc, other)->problem,
              HasSubstr("is not the checkpoint's root"));
  // A proof built against a forged tree does not match a real checkpoint.
  auto forged_leaves = leaves_;
  forged_leaves[20] = leaf_hash("forged");
  EXPECT_FALSE(
      verify_inclusion_document(to_json(make_inclusion_proof(kOrigin, forged_leaves, 20)), cp_)
          ->valid);
}

TEST_F(ProofDocuments, MalformedInclusionDocuments) {
  const auto doc = nlohmann::json::parse(to_json(proof_of(3)));
  const auto refused = [&](const nlohmann::json& d, std::string_view why) {
    EXPECT_THAT(verify_inclusion_document(d.dump(), cp_),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr(std::string(why))))
        << d.dump();
  };
  EXPECT_THAT(verify_inclusion_document("{not json", cp_),
              StatusIs(StatusCode::kInvalidArgument, "the proof document is not valid JSON"));
  refused(nlohmann::json::array(), "must be a JSON object");
  auto d = doc;
  d["type"] = "consistency";
  refused(d, "field \"type\": expected \"inclusion\"");
  d = doc;
  d.erase("root");
  refused(d, "field \"root\" is missing");
  d = doc;
  d["index"] = -1;
  refused(d, "field \"index\": expected a non-negative integer");
  d = doc;
  d["index"] = "3";
  refused(d, "field \"index\"");
  d = doc;
  d["leaf_hash"] = "abcd";
  refused(d, "field \"leaf_hash\": expected 64 hex digits");
  d = doc;
  d["proof"][0] = 7;
  refused(d, "field \"proof[0]\"");
  d = doc;
  d["proof"] = "x";
  refused(d, "field \"proof\": expected an array");
  d = doc;
  d["entry"]["colour"] = "blue";
  refused(d, "field \"entry.colour\" is not an audit entry field");
  d = doc;
  d["entry"]["ts"] = 1.5;
  refused(d, "in \"entry\": field \"ts\": expected an integer");
  d = doc;
  d["entry"]["seq"] = 18446744073709551615u;
  refused(d, "fits in 64 bits");
  d = doc;
  d["entry"] = "x";
  refused(d, "field \"entry\": expected an object");
  // Unknown top-level fields are ignored, so later versions can add some.
  d = doc;
  d["note"] = "hello";
  auto check = verify_inclusion_document(d.dump(), cp_);
  ASSERT_OK(check);
  EXPECT_TRUE(check->valid);
}

TEST_F(ProofDocuments, ConsistencyProofsBetweenCheckpointsVerify) {
  for (std::uint64_t m = 1; m <= leaves_.size(); ++m) {
    const Checkpoint older = checkpoint_at(m);
    const std::string doc = to_json(make_consistency_proof(kOrigin, leaves_, m));
    auto check = verify_consistency_document(doc, older, cp_);
    ASSERT_OK(check);
    EXPECT_TRUE(check->valid) << m << ": " << check->problem;
  }
  const auto doc = nlohmann::json::parse(to_json(make_consistency_proof(kOrigin, leaves_, 11)));
  EXPECT_EQ(doc["type"], "consistency");
  EXPECT_EQ(doc["old_size"], 11);
  EXPECT_EQ(doc["new_size"], 37);
  EXPECT_EQ(doc["new_root"], crypto::to_hex(cp_.root));
  EXPECT_EQ(doc["old_root"], crypto::to_hex(checkpoint_at(11).root));
}

TEST_F(ProofDocuments, ConsistencyFailures) {
  const Checkpoint older = checkpoint_at(11);
  const std::string doc = to_json(make_consistency_proof(kOrigin, leaves_, 11));
  EXPECT_FALSE(verify_consistency_document(doc, cp_, older)->valid);  // swapped
  EXPECT_THAT(verify_consistency_document(doc, checkpoint_at(12), cp_)->problem,
              HasSubstr("older checkpoint is size 12"));
  EXPECT_THAT(verify_consistency_document(doc, older, checkpoint_at(36))->problem,
              HasSubstr("newer checkpoint is size 36"));
  Checkpoint elsewhere = older;
  elsewhere.origin = "consentric/ffff";
  EXPECT_THAT(verify_consistency_document(doc, elsewhere, cp_)->problem, HasSubstr("two logs"));

  // The operator rewrites entry 5 and re-signs: the new checkpoint verifies on its own, but
  // cannot be proved consistent with the one published before.
  auto rewritten = log_;
  rewritten[4].detail = "{\"n\":\"rewritten\"}";
  std::string prev = rewritten[3].hash;
  for (std::size_t i = 4; i < rewritten.size(); ++i) {
    rewritten[i].prev_hash = prev;
    rewritten[i].hash = entry_hash(rewritten[i]);
    prev = rewritten[i].hash;
  }
  const auto new_leaves = leaves_of(rewritten);
  const Checkpoint forged{
      .origin = std::string(kOrigin), .size = 37, .root = root_of(new_leaves), .ts = 1767400000};
  ASSERT_OK(open_checkpoint(sign_checkpoint(forged, key_, kOrigin), verifier_key(key_, kOrigin)));
  ConsistencyProof p = make_consistency_proof(kOrigin, new_leaves, 11);
  auto check = verify_consistency_document(to_json(p), older, forged);
  ASSERT_OK(check);
  EXPECT_FALSE(check->valid);
  EXPECT_THAT(check->problem, HasSubstr("the older checkpoint is size 11 root"));
  // Claiming the published old root does not help: the hashes do not lead to both roots.
  p.old_root = older.root;
  check = verify_consistency_document(to_json(p), older, forged);
  ASSERT_OK(check);
  EXPECT_FALSE(check->valid);
  EXPECT_THAT(check->problem, HasSubstr("does not extend the log at size 11"));

  EXPECT_THAT(verify_consistency_document(R"({"type":"consistency","origin":"x"})", older, cp_),
              StatusIs(StatusCode::kInvalidArgument, "field \"old_size\" is missing"));
}

}  // namespace
}  // namespace consentric::audit
