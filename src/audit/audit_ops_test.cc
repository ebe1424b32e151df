#include "audit/audit_ops.h"

#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "audit/merkle.h"
#include "sqlite/db.h"
#include "store/store_dir.h"
#include "testing/status_matchers.h"

namespace consentric::audit {
namespace {

using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using ::testing::HasSubstr;

constexpr std::string_view kConfig = R"(version: 1
controller: {name: Test Ltd, contact: dpo@test.example, country: DE}
identifiers:
  - {field: email, kind: email}
fields:
  - {name: email, type: string, category: contact, pii: true, required: true}
  - {name: age, type: int, category: demographic}
purposes:
  - id: segmentation
    description: marketing segments
    legal_basis: consent
    notice_version: "1"
    fields: [age]
)";

constexpr UnixSeconds kT0 = 1'767'225'600;  // 2026-01-01T00:00:00Z

// A real store folder with 20 entries (entry k written at kT0 + 60 k), tampered with through its
// SQLite file as someone with access to the disk could, then checked the way `consentric audit
// verify` checks it.
class AuditOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sd = init_store_dir(dir_ / "s", kConfig, "c.yaml", kT0);
    ASSERT_OK(sd);
    sd_ = std::make_unique<StoreDir>(std::move(sd).value());
    append_entries(20);
    auto signer = log_signer(store(), sd_->master);
    ASSERT_OK(signer);
    signer_ = std::make_unique<LogSigner>(std::move(signer).value());
  }

  Store& store() { return *sd_->store; }

  // Entries alternate between store-wide imports and consent changes about two subjects.
  void append_entries(int n) {
    ASSERT_OK(store().begin());
    for (int i = 0; i < n; ++i) {
      const UnixSeconds ts = now_;
      now_ += 60;
      Entry e;
      e.actor = "operator";
      if (i % 2 == 0) {
        e.action = "import.events";
        e.detail = "{\"n\":" + std::to_string(i) + "}";
      } else {
        e.action = i % 3 == 0 ? "consent.withdraw" : "consent.grant";
        e.purpose = "segmentation";
        e.subject = i % 4 == 1 ? "psn_alice" : "psn_bob";
        e.detail = "{\"entry\":" + std::to_string(i) + "}";
      }
      ASSERT_OK(append(store(), e, ts));
    }
    ASSERT_OK(store().commit());
  }

  MadeCheckpoint checkpoint() {
    auto made = make_checkpoint(store(), *signer_, "operator", now_);
    now_ += 60;
    EXPECT_OK(made);
    return made.ok() ? std::move(made).value() : MadeCheckpoint{};
  }

  std::unique_ptr<sqlite::Db> db() {
    return std::move(sqlite::Db::open(dir_ / "s" / kDataFileName, {})).value();
  }
  void tamper(const std::string& sql) { ASSERT_OK(db()->exec(sql)); }

  AuditRecord entry(std::int64_t seq) {
    AuditRecord out;
    EXPECT_OK(store().scan_audit([&](const AuditRecord& r) -> Status {
      if (r.seq == seq) out = r;
      return Status();
    }));
    return out;
  }

  // Writes `r` over the row with seq r.seq, hashes included, as a forger would.
  void overwrite(const AuditRecord& r) {
    auto conn = db();
    auto s = conn->prepare(
        "UPDATE audit_log SET ts = ?, actor = ?, action = ?, purpose = ?, subject = ?, "
        "detail = ?, prev_hash = ?, hash = ? WHERE seq = ?");
    ASSERT_OK(s);
    s->bind(1, r.ts)
        .bind_text(2, r.actor)
        .bind_text(3, r.action)
        .bind_text(4, r.purpose)
        .bind_text(5, r.subject)
        .bind_text(6, r.detail)
        .bind_blob(7, r.prev_hash)
        .bind_blob(8, r.hash)
        .bind(9, r.seq);
    ASSERT_OK(s->run());
  }

  LogReport verify_now(std::span<const TrustedCheckpoint> outside = {}) {
    auto report = verify_log(store(), *signer_, outside);
    EXPECT_OK(report);
    return report.ok() ? std::move(report).value() : LogReport{};
  }

  TempDir dir_;
  std::unique_ptr<StoreDir> sd_;
  std::unique_ptr<LogSigner> signer_;
  UnixSeconds now_ = kT0 + 60;
};

TEST_F(AuditOpsTest, SignerIsTheStoresOriginAndMasterKey) {
  auto id = store().meta("store_id");
  ASSERT_OK(id);
  EXPECT_EQ(signer_->origin, "consentric/" + **id);
  EXPECT_EQ(signer_->vkey.rfind(signer_->origin + "+", 0), 0u);
  // The same master key gives the same key: nothing new to keep.
  auto again = log_signer(store(), sd_->master);
  ASSERT_OK(again);
  EXPECT_EQ(again->vkey, signer_->vkey);
}

TEST_F(AuditOpsTest, IntactLogWithoutCheckpointVerifies) {
  const LogReport r = verify_now();
  EXPECT_TRUE(r.intact());
  EXPECT_EQ(r.entries, 20);
  EXPECT_EQ(r.first_bad_seq, 0);
  EXPECT_EQ(r.checkpoints_checked, 0);
  EXPECT_FALSE(r.latest.has_value());
}

TEST_F(AuditOpsTest, CheckpointIsSignedStoredAndRecorded) {
  const MadeCheckpoint made = checkpoint();
  EXPECT_EQ(made.checkpoint.size, 20u);
  EXPECT_EQ(made.checkpoint.origin, signer_->origin);
  EXPECT_EQ(made.entry_seq, 21);
  // The checkpoint covers the entries before its own audit entry.
  std::vector<std::string> leaves;
  for (std::int64_t seq = 1; seq <= 20; ++seq) leaves.push_back(entry_leaf_hash(entry(seq)));
  EXPECT_EQ(made.checkpoint.root, root_of(leaves));
  auto opened = open_checkpoint(made.note, signer_->vkey);
  ASSERT_OK(opened);
  EXPECT_EQ(*opened, made.checkpoint);

  auto rows = store().audit_checkpoints();
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].size, 20);
  EXPECT_EQ((*rows)[0].note, made.note);

  const AuditRecord recorded = entry(21);
  EXPECT_EQ(recorded.action, "audit.checkpoint");
  const auto detail = nlohmann::json::parse(recorded.detail);
  EXPECT_EQ(detail["size"], 20);
  EXPECT_EQ(detail["root"], crypto::to_hex(made.checkpoint.root));

  const LogReport r = verify_now();
  EXPECT_TRUE(r.intact()) << r.problems.front().text;
  EXPECT_EQ(r.entries, 21);
  EXPECT_EQ(r.checkpoints_checked, 1);
  ASSERT_TRUE(r.latest.has_value());
  EXPECT_EQ(r.latest->size, 20u);
}

// ---- Tampering: each case names the exact first bad entry. ----

TEST_F(AuditOpsTest, EditedEntryIsNamed) {
  tamper("UPDATE audit_log SET detail = '{\"n\":999}' WHERE seq = 7");
  const LogReport r = verify_now();
  EXPECT_FALSE(r.intact());
  EXPECT_EQ(r.first_bad_seq, 7);
  EXPECT_THAT(r.problems.front().text, HasSubstr("entry 7: its content does not match"));
}

TEST_F(AuditOpsTest, EditedEntryIsNamedEvenUnderACheckpoint) {
  checkpoint();
  tamper("UPDATE audit_log SET detail = '{\"n\":999}' WHERE seq = 7");
  const LogReport r = verify_now();
  EXPECT_EQ(r.first_bad_seq, 7);
  // The checkpoint sees it too, though only as a range.
  ASSERT_EQ(r.problems.size(), 2u);
  EXPECT_THAT(r.problems[1].text, HasSubstr("entries 1 to 20 do not match checkpoint 1"));
}

TEST_F(AuditOpsTest, DeletedMiddleEntryNamesTheEntryAfterTheGap) {
  tamper("DELETE FROM audit_log WHERE seq = 10");
  const LogReport r = verify_now();
  EXPECT_EQ(r.first_bad_seq, 11);
  EXPECT_THAT(r.problems.front().text, HasSubstr("removed or reordered"));
}

TEST_F(AuditOpsTest, ReorderedEntriesNameTheFirstOutOfPlace) {
  tamper(
      "UPDATE audit_log SET seq = -5 WHERE seq = 5;"
      "UPDATE audit_log SET seq = 5 WHERE seq = 8;"
      "UPDATE audit_log SET seq = 8 WHERE seq = -5;");
  const LogReport r = verify_now();
  EXPECT_EQ(r.first_bad_seq, 5);
}

TEST_F(AuditOpsTest, InsertedEntryIsNamedEvenWithACorrectHash) {
  // A careful forger: renumbers the rest, links the new entry to entry 9 and hashes it right.
  AuditRecord forged = entry(9);
  forged.seq = 10;
  forged.ts += 1;
  forged.action = "consent.grant";
  forged.purpose = "segmentation";
  forged.subject = "psn_mallory";
  forged.detail = "{}";
  forged.prev_hash = entry(9).hash;
  forged.hash = entry_hash(forged);
  tamper(
      "UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 10;"
      "UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1000;");
  {
    auto conn = db();
    auto s = conn->prepare(
        "INSERT INTO audit_log(seq, ts, actor, action, purpose, subject, detail, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    ASSERT_OK(s);
    s->bind(1, forged.seq)
        .bind(2, forged.ts)
        .bind_text(3, forged.actor)
        .bind_text(4, forged.action)
        .bind_text(5, forged.purpose)
        .bind_text(6, forged.subject)
        .bind_text(7, forged.detail)
        .bind_blob(8, forged.prev_hash)
        .bind_blob(9, forged.hash);
    ASSERT_OK(s->run());
  }
  const LogReport r = verify_now();
  EXPECT_EQ(r.entries, 21);
  EXPECT_EQ(r.first_bad_seq, 10);
  EXPECT_THAT(r.problems.front().text, HasSubstr("entry 10: it was inserted"));
}

TEST_F(AuditOpsTest, InsertedEntryWithABadHashIsNamed) {
  tamper(
      "UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 10;"
      "UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1000;"
      "INSERT INTO audit_log(seq, ts, actor, action, purpose, subject, detail, prev_hash, hash) "
      "SELECT 10, ts, actor, 'consent.grant', purpose, 'psn_mallory', '{}', prev_hash, hash "
      "FROM audit_log WHERE seq = 11;");
  EXPECT_EQ(verify_now().first_bad_seq, 10);
}

TEST_F(AuditOpsTest, EditedAndRehashedEntryBreaksTheNextLink) {
  AuditRecord r7 = entry(7);
  r7.detail = "{\"n\":999}";
  r7.hash = entry_hash(r7);
  overwrite(r7);
  const LogReport r = verify_now();
  EXPECT_EQ(r.first_bad_seq, 8);
  EXPECT_THAT(r.problems.front().text, HasSubstr("entry 8: its link"));
}

TEST_F(AuditOpsTest, TruncatedTailIsFoundByTheCheckpoint) {
  const MadeCheckpoint made = checkpoint();  // 20 entries, recorded as entry 21
  tamper("DELETE FROM audit_log WHERE seq > 15");
  const LogReport r = verify_now();
  EXPECT_FALSE(r.intact());
  EXPECT_EQ(r.entries, 15);
  EXPECT_EQ(r.first_bad_seq, 16);
  ASSERT_EQ(r.problems.size(), 1u);  // the shorter chain itself is intact
  EXPECT_EQ(r.problems[0].text, "the log was cut back: checkpoint 1 of 20 entries signed at " +
                                    format_timestamp(made.checkpoint.ts) +
                                    ", but only 15 remain (entries 16 to 20 are missing)");
}

TEST_F(AuditOpsTest, TruncationHiddenFromTheStoreIsFoundByAnOutsidersCheckpoint) {
  const MadeCheckpoint made = checkpoint();
  tamper("DELETE FROM audit_log WHERE seq > 15; DELETE FROM audit_checkpoints;");
  EXPECT_TRUE(verify_now().intact());  // nothing left inside the store to notice
  auto kept = open_checkpoint(made.note, signer_->vkey);
  ASSERT_OK(kept);
  const TrustedCheckpoint outside[] = {{*kept, "the checkpoint in cp.note"}};
  const LogReport r = verify_now(outside);
  EXPECT_EQ(r.first_bad_seq, 16);
  EXPECT_THAT(r.problems[0].text,
              HasSubstr("the log was cut back: the checkpoint in cp.note of 20 entries"));
}

TEST_F(AuditOpsTest, RewrittenChainIsFoundOnlyByTheCheckpoint) {
  checkpoint();       // 20 entries; entry 21 records it
  append_entries(4);  // 22..25
  checkpoint();       // 25 entries; entry 26
  // Rewrite from entry 23 on with every hash and link recomputed: the chain is intact again.
  std::string prev = entry(22).hash;
  for (std::int64_t seq = 23; seq <= 26; ++seq) {
    AuditRecord r = entry(seq);
    if (seq == 23) r.detail = "{\"rewritten\":true}";
    r.prev_hash = prev;
    r.hash = entry_hash(r);
    overwrite(r);
    prev = r.hash;
  }
  const LogReport r = verify_now();
  EXPECT_FALSE(r.intact());
  ASSERT_EQ(r.problems.size(), 1u);
  // Checkpoint 1 still matches, so the change is after its 20 entries.
  EXPECT_EQ(r.first_bad_seq, 21);
  EXPECT_THAT(r.problems[0].text, HasSubstr("entries 1 to 25 do not match checkpoint 2"));
  EXPECT_THAT(r.problems[0].text, HasSubstr("entries 21 to 25 was changed"));
}

TEST_F(AuditOpsTest, DeletedCheckpointRowIsFoundByItsEntry) {
  checkpoint();  // recorded as entry 21
  tamper("DELETE FROM audit_checkpoints");
  const LogReport r = verify_now();
  EXPECT_FALSE(r.intact());
  EXPECT_EQ(r.first_bad_seq, 0);
  EXPECT_THAT(r.problems[0].text,
              HasSubstr("entry 21 records a checkpoint of 20 entries that is no longer stored"));
}

TEST_F(AuditOpsTest, EditedCheckpointRowIsFound) {
  checkpoint();
  tamper("UPDATE audit_checkpoints SET root = zeroblob(32)");
  const LogReport r = verify_now();
  EXPECT_FALSE(r.intact());
  EXPECT_EQ(r.first_bad_seq, 0);
  EXPECT_THAT(r.problems[0].text, HasSubstr("the row does not match its signed note"));
}

TEST_F(AuditOpsTest, CheckpointFromAnotherKeyIsFound) {
  checkpoint();
  const Checkpoint forged{
      .origin = signer_->origin, .size = 20, .root = std::string(32, 'x'), .ts = kT0};
  const crypto::SigningKey other = crypto::signing_key_from_seed(
      std::move(crypto::SecretKey::from_bytes(std::string(crypto::kKeyBytes, 'o'))).value());
  const std::string note = sign_checkpoint(forged, other, signer_->origin);
  auto conn = db();
  auto s = conn->prepare("UPDATE audit_checkpoints SET note = ?, root = ?");
  ASSERT_OK(s);
  s->bind_text(1, note).bind_blob(2, forged.root);
  ASSERT_OK(s->run());
  const LogReport r = verify_now();
  EXPECT_THAT(r.problems[0].text,
              HasSubstr("stored checkpoint 1 of 20 entries does not verify with this "
                        "installation's key"));
}

TEST_F(AuditOpsTest, CheckpointOfAnotherLogIsRefused) {
  const Checkpoint foreign{
      .origin = "consentric/elsewhere", .size = 3, .root = empty_root(), .ts = kT0};
  const TrustedCheckpoint outside[] = {{foreign, "the checkpoint in x.note"}};
  const LogReport r = verify_now(outside);
  EXPECT_THAT(r.problems[0].text, HasSubstr("the checkpoint in x.note is of another log"));
}

TEST_F(AuditOpsTest, CheckpointRefusesADamagedLog) {
  tamper("UPDATE audit_log SET detail = '{}' WHERE seq = 3");
  EXPECT_THAT(make_checkpoint(store(), *signer_, "operator", now_),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("entry 3")));
  auto rows = store().audit_checkpoints();
  ASSERT_OK(rows);
  EXPECT_TRUE(rows->empty());
  EXPECT_EQ(verify_now().entries, 20);  // no audit.checkpoint entry either
}

// ---- Proofs ----

TEST_F(AuditOpsTest, InclusionProofRoundTrip) {
  EXPECT_THAT(prove_inclusion(store(), 3),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("no checkpoint yet")));
  const MadeCheckpoint made = checkpoint();
  for (std::int64_t seq : {1, 2, 7, 20}) {
    auto proof = prove_inclusion(store(), seq);
    ASSERT_OK(proof);
    ASSERT_TRUE(proof->entry.has_value());
    EXPECT_EQ(proof->entry->seq, seq);
    auto verdict = check_proof(to_json(*proof), made.note, std::nullopt, signer_->vkey);
    ASSERT_OK(verdict);
    EXPECT_TRUE(verdict->valid) << verdict->problem;
    EXPECT_EQ(verdict->type, "inclusion");
    EXPECT_THAT(verdict->summary, HasSubstr("entry " + std::to_string(seq) + " ("));
  }
  EXPECT_THAT(prove_inclusion(store(), 21),
              StatusIs(StatusCode::kFailedPrecondition,
                       HasSubstr("run consentric audit checkpoint first")));
  EXPECT_THAT(prove_inclusion(store(), 0), StatusIs(StatusCode::kInvalidArgument, HasSubstr("1")));
}

TEST_F(AuditOpsTest, TamperedInclusionProofIsInvalid) {
  const MadeCheckpoint made = checkpoint();
  auto proof = prove_inclusion(store(), 4);
  ASSERT_OK(proof);
  auto doc = nlohmann::json::parse(to_json(*proof));
  doc["entry"]["subject"] = "psn_someone_else";
  auto verdict = check_proof(doc.dump(), made.note, std::nullopt, signer_->vkey);
  ASSERT_OK(verdict);
  EXPECT_FALSE(verdict->valid);
  EXPECT_THAT(verdict->problem, HasSubstr("altered"));

  // A checkpoint the key did not sign is an invalid verdict, not an error.
  const crypto::SigningKey other = crypto::signing_key_from_seed(
      std::move(crypto::SecretKey::from_bytes(std::string(crypto::kKeyBytes, 'o'))).value());
  const std::string other_vkey = verifier_key(other, signer_->origin);
  verdict = check_proof(to_json(*proof), made.note, std::nullopt, other_vkey);
  ASSERT_OK(verdict);
  EXPECT_FALSE(verdict->valid);
  EXPECT_THAT(verdict->problem, HasSubstr("the checkpoint does not verify"));

  // An altered note fails its signature.
  std::string note = made.note;
  note[note.find('\n') + 1] = '9';
  verdict = check_proof(to_json(*proof), note, std::nullopt, signer_->vkey);
  ASSERT_OK(verdict);
  EXPECT_FALSE(verdict->valid);

  EXPECT_THAT(check_proof("{\"type\":\"receipt\"}", made.note, std::nullopt, signer_->vkey),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("\"type\"")));
  EXPECT_THAT(check_proof("not json", made.note, std::nullopt, signer_->vkey),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("JSON")));
  EXPECT_THAT(check_proof(to_json(*proof), made.note, std::string_view(made.note), signer_->vkey),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("--older")));
}

TEST_F(AuditOpsTest, ConsistencyProofRoundTrip) {
  const MadeCheckpoint first = checkpoint();  // 20
  append_entries(5);
  const MadeCheckpoint second = checkpoint();  // 26
  auto proof = prove_consistency(store(), 20);
  ASSERT_OK(proof);
  EXPECT_EQ(proof->old_size, 20u);
  EXPECT_EQ(proof->new_size, 26u);
  auto verdict =
      check_proof(to_json(*proof), second.note, std::string_view(first.note), signer_->vkey);
  ASSERT_OK(verdict);
  EXPECT_TRUE(verdict->valid) << verdict->problem;
  EXPECT_THAT(verdict->summary, HasSubstr("of 26 entries"));

  // The notes the wrong way round do not verify.
  verdict = check_proof(to_json(*proof), first.note, std::string_view(second.note), signer_->vkey);
  ASSERT_OK(verdict);
  EXPECT_FALSE(verdict->valid);

  EXPECT_THAT(check_proof(to_json(*proof), second.note, std::nullopt, signer_->vkey),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("--older")));
  EXPECT_THAT(prove_consistency(store(), 7),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("have 20, 26 entries")));
  auto same = prove_consistency(store(), 26);
  ASSERT_OK(same);
  EXPECT_TRUE(same->proof.empty());
}

TEST_F(AuditOpsTest, ProofsRefuseALogThatNoLongerMatches) {
  checkpoint();
  tamper("DELETE FROM audit_log WHERE seq > 15");
  EXPECT_THAT(prove_inclusion(store(), 3),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("cut back")));
  tamper("UPDATE audit_log SET detail = '{}' WHERE seq = 3");
  EXPECT_THAT(prove_consistency(store(), 20),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("cut back")));
}

// ---- Listing ----

TEST_F(AuditOpsTest, QueryLogFilters) {
  auto all = query_log(store(), {});
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 20u);

  auto consent = query_log(store(), {.action_prefix = "consent."});
  ASSERT_OK(consent);
  EXPECT_EQ(consent->size(), 10u);
  for (const AuditRecord& r : *consent) EXPECT_EQ(r.action.rfind("consent.", 0), 0u);

  auto alice = query_log(store(), {.subject = "psn_alice", .purpose = "segmentation"});
  ASSERT_OK(alice);
  EXPECT_EQ(alice->size(), 5u);

  auto window = query_log(store(), {.since = kT0 + 60 * 5, .until = kT0 + 60 * 10});
  ASSERT_OK(window);
  ASSERT_EQ(window->size(), 5u);
  EXPECT_EQ(window->front().seq, 5);
  EXPECT_EQ(window->back().seq, 9);

  auto last = query_log(store(), {.action_prefix = "import.", .limit = 3});
  ASSERT_OK(last);
  ASSERT_EQ(last->size(), 3u);
  EXPECT_EQ(last->back().seq, 19);
  EXPECT_LT(last->front().seq, last->back().seq);
}

TEST_F(AuditOpsTest, EntryJsonKeepsEveryFieldExactly) {
  const AuditRecord r = entry(4);
  const auto j = nlohmann::json::parse(entry_json(r));
  EXPECT_EQ(j["seq"], 4);
  EXPECT_EQ(entry_json(r).rfind("{\"seq\":4,", 0), 0u);  // seq first, for people reading it
  EXPECT_EQ(j["ts"], r.ts);
  EXPECT_EQ(j["time"], format_timestamp(r.ts));
  EXPECT_EQ(j["action"], r.action);
  EXPECT_EQ(j["subject"], r.subject);
  EXPECT_EQ(j["detail"], r.detail);
  EXPECT_EQ(j["prev_hash"], crypto::to_hex(r.prev_hash));
  EXPECT_EQ(j["hash"], crypto::to_hex(r.hash));
  EXPECT_EQ(entry_json(r).find('\n'), std::string::npos);
}

}  // namespace
}  // namespace consentric::audit
