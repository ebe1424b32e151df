#include "audit/audit_ops.h"

#include <algorithm>
#include <deque>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "audit/merkle.h"

namespace consentric::audit {
namespace {

constexpr std::size_t kHashBytes = 32;

std::string short_hex(std::string_view hash) { return crypto::to_hex(hash.substr(0, 8)); }

Result<AuditCheckpointRow> latest_checkpoint(Store& store) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<AuditCheckpointRow> rows, store.audit_checkpoints());
  if (rows.empty()) {
    return failed_precondition(
        "the audit log has no checkpoint yet: run consentric audit checkpoint first");
  }
  return rows.back();
}

// The leaves of the first `size` entries, in log order; fewer when the log is shorter.
// `want_seq` > 0 also returns the entry at that position.
Result<std::vector<std::string>> leaves_of(Store& store, std::int64_t size, std::int64_t want_seq,
                                           std::optional<AuditRecord>* wanted) {
  std::vector<std::string> leaves;
  leaves.reserve(static_cast<std::size_t>(size));
  CONSENTRIC_RETURN_IF_ERROR(store.scan_audit([&](const AuditRecord& r) -> Status {
    if (static_cast<std::int64_t>(leaves.size()) >= size) return Status();
    leaves.push_back(entry_leaf_hash(r));
    if (wanted != nullptr && static_cast<std::int64_t>(leaves.size()) == want_seq) *wanted = r;
    return Status();
  }));
  return leaves;
}

// The first `row.size` entries as the store holds them now must still be the tree the checkpoint
// signed; otherwise a proof built from them would not verify, and saying why is kinder.
Status check_against(const AuditCheckpointRow& row, std::span<const std::string> leaves) {
  if (static_cast<std::int64_t>(leaves.size()) < row.size) {
    return failed_precondition(fmt::format(
        "the log was cut back: the latest checkpoint of {} entries signed at {}, but only {} "
        "remain; run consentric audit verify",
        row.size, format_timestamp(row.ts), leaves.size()));
  }
  if (root_of(leaves) != row.root) {
    return failed_precondition(
        fmt::format("the log no longer matches the latest checkpoint of {} entries signed at {}; "
                    "run consentric audit verify",
                    row.size, format_timestamp(row.ts)));
  }
  return Status();
}

// Opens a note for check_proof(). A note the key did not sign, or whose signature fails, is an
// answer for the verifier (nullopt, and verdict->problem says why); a note or key that is not one
// at all is bad input.
Result<std::optional<Checkpoint>> open_for_verdict(std::string_view note, std::string_view vkey,
                                                   std::string_view which, ProofVerdict* verdict) {
  Result<Checkpoint> cp = open_checkpoint(note, vkey);
  if (cp.ok()) return std::optional<Checkpoint>(std::move(cp).value());
  if (cp.status().code() == StatusCode::kInvalidArgument) {
    return cp.status().with_context(which);
  }
  verdict->valid = false;
  verdict->problem =
      fmt::format("{} does not verify with the key: {}", which, cp.status().message());
  return std::optional<Checkpoint>();
}

std::string to_json_line(const nlohmann::ordered_json& j) {
  // Replace rather than throw on bytes that are not UTF-8: no exception leaves this module, and
  // the hashes in the same object still tell the exact bytes apart.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

Result<std::string> log_origin(Store& store) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<std::string> id, store.meta("store_id"));
  if (!id || id->empty()) {
    return failed_precondition("the store has no store id, so its log has no name for checkpoints");
  }
  return "consentric/" + *id;
}

Result<LogSigner> log_signer(Store& store, const crypto::SecretKey& master) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::string origin, log_origin(store));
  crypto::SigningKey key =
      crypto::signing_key_from_seed(crypto::derive_subkey(master, crypto::SubKey::kAuditSigning));
  std::string vkey = verifier_key(key, origin);
  return LogSigner{std::move(origin), std::move(key), std::move(vkey)};
}

Result<LogReport> verify_log(Store& store, const LogSigner& signer,
                             std::span<const TrustedCheckpoint> outside) {
  LogReport report;
  CONSENTRIC_ASSIGN_OR_RETURN(VerifyReport chain, verify(store));
  report.entries = chain.entries;
  report.head_hash_hex = chain.head_hash_hex;

  // The stored checkpoints count only when their signature holds: rows are as easy to edit as
  // entries, signatures are not without the master key.
  std::vector<LogProblem> checkpoint_problems;
  std::vector<TrustedCheckpoint> checkpoints;
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<AuditCheckpointRow> rows, store.audit_checkpoints());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const AuditCheckpointRow& row = rows[i];
    const std::string label = fmt::format("checkpoint {}", i + 1);
    Result<Checkpoint> opened = open_checkpoint(row.note, signer.vkey);
    if (!opened.ok()) {
      checkpoint_problems.push_back(
          {0,
           fmt::format("stored {} of {} entries does not verify with this installation's key: {}",
                       label, row.size, opened.status().message())});
      continue;
    }
    if (opened->origin != signer.origin || static_cast<std::int64_t>(opened->size) != row.size ||
        opened->root != row.root || opened->ts != row.ts) {
      checkpoint_problems.push_back(
          {0, fmt::format("stored {} of {} entries: the row does not match its signed note (the "
                          "row was edited)",
                          label, row.size)});
      continue;
    }
    checkpoints.push_back({std::move(opened).value(), label});
  }
  for (const TrustedCheckpoint& t : outside) {
    if (t.checkpoint.origin != signer.origin) {
      checkpoint_problems.push_back(
          {0, fmt::format("{} is of another log ({}), not of this one ({})", t.label,
                          t.checkpoint.origin, signer.origin)});
      continue;
    }
    checkpoints.push_back(t);
  }
  std::stable_sort(checkpoints.begin(), checkpoints.end(),
                   [](const TrustedCheckpoint& a, const TrustedCheckpoint& b) {
                     return a.checkpoint.size < b.checkpoint.size;
                   });
  report.checkpoints_checked = static_cast<std::int64_t>(checkpoints.size());
  if (!checkpoints.empty()) report.latest = checkpoints.back().checkpoint;

  // One pass over the log as it is now: the tree, compared at each checkpoint's size, and the
  // two hashes before each entry, to tell an inserted entry from a broken link.
  std::optional<std::string> chain_problem;
  std::int64_t chain_bad_seq = chain.intact ? 0 : chain.first_bad_seq;
  if (!chain.intact)
    chain_problem = fmt::format("entry {}: {}", chain.first_bad_seq, chain.problem);
  std::int64_t last_good_size = 0;
  std::size_t next = 0;
  MerkleTree tree;
  const auto compare_roots = [&] {
    while (next < checkpoints.size() && checkpoints[next].checkpoint.size == tree.size()) {
      const TrustedCheckpoint& t = checkpoints[next++];
      if (tree.root() == t.checkpoint.root) {
        last_good_size = static_cast<std::int64_t>(t.checkpoint.size);
        continue;
      }
      checkpoint_problems.push_back(
          {last_good_size + 1,
           fmt::format("entries 1 to {} do not match {} (signed at {}): at least one of entries "
                       "{} to {} was changed since",
                       t.checkpoint.size, t.label, format_timestamp(t.checkpoint.ts),
                       last_good_size + 1, t.checkpoint.size)});
    }
  };
  compare_roots();  // checkpoints of the empty log
  std::string hash_two_back(kHashBytes, '\0');
  std::string hash_one_back(kHashBytes, '\0');
  std::int64_t position = 0;
  CONSENTRIC_RETURN_IF_ERROR(store.scan_audit([&](const AuditRecord& r) -> Status {
    ++position;
    // The chain names the first entry whose link is broken. When that entry links to the entry
    // two places back instead, the one in between is the stranger: someone inserted it (and
    // renumbered the rest), so it is the entry to name.
    if (position == chain_bad_seq && r.seq == position && r.prev_hash == hash_two_back &&
        r.prev_hash != hash_one_back) {
      chain_bad_seq = position - 1;
      chain_problem =
          fmt::format("entry {}: it was inserted (entry {} links to entry {}, skipping it)",
                      position - 1, position, position - 2);
    }
    hash_two_back = std::move(hash_one_back);
    hash_one_back = r.hash;
    // The log records each checkpoint it signed, so deleting the stored checkpoints (to hide a
    // later cut) shows as long as those entries remain.
    if (r.action == "audit.checkpoint") {
      const auto detail = nlohmann::json::parse(r.detail, nullptr, /*allow_exceptions=*/false);
      const auto size = detail.is_object() ? detail.find("size") : detail.end();
      if (size != detail.end() && size->is_number_integer() &&
          std::none_of(rows.begin(), rows.end(), [&](const AuditCheckpointRow& row) {
            return row.size == size->get<std::int64_t>();
          })) {
        checkpoint_problems.push_back(
            {0, fmt::format("entry {} records a checkpoint of {} entries that is no longer "
                            "stored (its row was deleted)",
                            r.seq, size->get<std::int64_t>())});
      }
    }
    tree.append(entry_leaf_hash(r));
    compare_roots();
    return Status();
  }));
  report.root = tree.root();
  for (; next < checkpoints.size(); ++next) {
    const TrustedCheckpoint& t = checkpoints[next];
    const std::int64_t missing_from = report.entries + 1;
    const auto size = static_cast<std::int64_t>(t.checkpoint.size);
    checkpoint_problems.push_back(
        {missing_from,
         fmt::format("the log was cut back: {} of {} entries signed at {}, but only {} remain "
                     "(entries {} to {} are missing)",
                     t.label, size, format_timestamp(t.checkpoint.ts), report.entries, missing_from,
                     size)});
  }

  if (chain_problem) report.problems.push_back({chain_bad_seq, *chain_problem});
  report.problems.insert(report.problems.end(), checkpoint_problems.begin(),
                         checkpoint_problems.end());
  if (chain_problem) {
    report.first_bad_seq = chain_bad_seq;
  } else {
    for (const LogProblem& p : checkpoint_problems) {
      if (p.seq > 0 && (report.first_bad_seq == 0 || p.seq < report.first_bad_seq))
        report.first_bad_seq = p.seq;
    }
  }
  return report;
}

Result<MadeCheckpoint> make_checkpoint(Store& store, const LogSigner& signer,
                                       std::string_view actor, UnixSeconds now) {
  // One transaction from reading the log to recording the checkpoint, so no entry slips in
  // between the root we sign and the entry that records it.
  CONSENTRIC_RETURN_IF_ERROR(store.begin());
  Result<MadeCheckpoint> made = [&]() -> Result<MadeCheckpoint> {
    CONSENTRIC_ASSIGN_OR_RETURN(LogReport report, verify_log(store, signer));
    if (!report.intact()) {
      return failed_precondition(fmt::format(
          "refusing to sign a checkpoint: the audit log fails verification ({}); run consentric "
          "audit verify",
          report.problems.front().text));
    }
    MadeCheckpoint out{.checkpoint = {.origin = signer.origin,
                                      .size = static_cast<std::uint64_t>(report.entries),
                                      .root = report.root,
                                      .ts = now}};
    out.note = sign_checkpoint(out.checkpoint, signer.key, signer.origin);
    CONSENTRIC_RETURN_IF_ERROR(store.put_audit_checkpoint(
        {.size = report.entries, .root = report.root, .ts = now, .note = out.note}));
    const nlohmann::json detail = {{"size", report.entries}, {"root", crypto::to_hex(report.root)}};
    CONSENTRIC_ASSIGN_OR_RETURN(AuditRecord entry, append(store,
                                                          {.actor = std::string(actor),
                                                           .action = "audit.checkpoint",
                                                           .purpose = {},
                                                           .subject = {},
                                                           .detail = detail.dump()},
                                                          now));
    out.entry_seq = entry.seq;
    return out;
  }();
  if (!made.ok()) {
    store.rollback();
    return made.status();
  }
  CONSENTRIC_RETURN_IF_ERROR(store.commit());
  return made;
}

Result<InclusionProof> prove_inclusion(Store& store, std::int64_t seq) {
  if (seq < 1) return invalid_argument(fmt::format("entry {}: entries are numbered from 1", seq));
  CONSENTRIC_ASSIGN_OR_RETURN(std::string origin, log_origin(store));
  CONSENTRIC_ASSIGN_OR_RETURN(AuditCheckpointRow latest, latest_checkpoint(store));
  if (seq > latest.size) {
    return failed_precondition(
        fmt::format("entry {} is newer than the latest checkpoint ({} entries, signed at {}): run "
                    "consentric audit checkpoint first",
                    seq, latest.size, format_timestamp(latest.ts)));
  }
  std::optional<AuditRecord> entry;
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<std::string> leaves,
                              leaves_of(store, latest.size, seq, &entry));
  CONSENTRIC_RETURN_IF_ERROR(check_against(latest, leaves));
  InclusionProof proof = make_inclusion_proof(origin, leaves, static_cast<std::uint64_t>(seq - 1));
  proof.entry = std::move(entry);
  return proof;
}

Result<ConsistencyProof> prove_consistency(Store& store, std::int64_t old_size) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::string origin, log_origin(store));
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<AuditCheckpointRow> rows, store.audit_checkpoints());
  if (rows.empty()) {
    return failed_precondition(
        "the audit log has no checkpoint yet: run consentric audit checkpoint first");
  }
  const auto it = std::find_if(rows.begin(), rows.end(),
                               [&](const AuditCheckpointRow& r) { return r.size == old_size; });
  if (it == rows.end() || old_size < 1) {
    std::string sizes;
    for (const AuditCheckpointRow& r : rows) {
      sizes += (sizes.empty() ? "" : ", ") + std::to_string(r.size);
    }
    return invalid_argument(
        fmt::format("no checkpoint of {} entries to prove from; the checkpoints have {} entries",
                    old_size, sizes));
  }
  const AuditCheckpointRow& latest = rows.back();
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<std::string> leaves,
                              leaves_of(store, latest.size, 0, nullptr));
  CONSENTRIC_RETURN_IF_ERROR(check_against(latest, leaves));
  return make_consistency_proof(origin, leaves, static_cast<std::uint64_t>(old_size));
}

Result<ProofVerdict> check_proof(std::string_view proof_json, std::string_view checkpoint_note,
                                 std::optional<std::string_view> older_note,
                                 std::string_view vkey) {
  const nlohmann::json doc = nlohmann::json::parse(proof_json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return invalid_argument("the proof is not a JSON object");
  }
  const auto type = doc.find("type");
  if (type == doc.end() || !type->is_string()) {
    return invalid_argument("field \"type\": expected \"inclusion\" or \"consistency\"");
  }
  ProofVerdict verdict;
  verdict.type = type->get<std::string>();
  if (verdict.type == "inclusion") {
    if (older_note)
      return invalid_argument(
          "an inclusion proof is checked against one checkpoint; --older is for consistency "
          "proofs");
    CONSENTRIC_ASSIGN_OR_RETURN(InclusionProof proof, parse_inclusion_proof(proof_json));
    CONSENTRIC_ASSIGN_OR_RETURN(
        std::optional<Checkpoint> cp,
        open_for_verdict(checkpoint_note, vkey, "the checkpoint", &verdict));
    if (!cp) return verdict;
    const ProofCheck check = check_inclusion(proof, *cp);
    verdict.valid = check.valid;
    verdict.problem = check.problem;
    const std::int64_t seq = static_cast<std::int64_t>(proof.index) + 1;
    verdict.summary =
        proof.entry
            ? fmt::format("entry {} ({} at {}) is in log {} of {} entries signed at {}", seq,
                          proof.entry->action, format_timestamp(proof.entry->ts), cp->origin,
                          cp->size, format_timestamp(cp->ts))
            : fmt::format(
                  "an entry with leaf hash {}… is entry {} of log {} of {} entries signed "
                  "at {}",
                  short_hex(proof.leaf_hash), seq, cp->origin, cp->size, format_timestamp(cp->ts));
    return verdict;
  }
  if (verdict.type == "consistency") {
    if (!older_note) {
      return invalid_argument(
          "a consistency proof needs the older checkpoint too (--older NOTE, the checkpoint of "
          "the proof's old_size)");
    }
    CONSENTRIC_ASSIGN_OR_RETURN(ConsistencyProof proof, parse_consistency_proof(proof_json));
    CONSENTRIC_ASSIGN_OR_RETURN(
        std::optional<Checkpoint> older,
        open_for_verdict(*older_note, vkey, "the older checkpoint", &verdict));
    if (!older) return verdict;
    CONSENTRIC_ASSIGN_OR_RETURN(
        std::optional<Checkpoint> newer,
        open_for_verdict(checkpoint_note, vkey, "the checkpoint", &verdict));
    if (!newer) return verdict;
    const ProofCheck check = check_consistency(proof, *older, *newer);
    verdict.valid = check.valid;
    verdict.problem = check.problem;
    verdict.summary = fmt::format(
        "log {} of {} entries signed at {} extends, unchanged, the log of {} entries signed at {}",
        newer->origin, newer->size, format_timestamp(newer->ts), older->size,
        format_timestamp(older->ts));
    return verdict;
  }
  return invalid_argument(fmt::format(
      "field \"type\": expected \"inclusion\" or \"consistency\", got {}", type->dump()));
}

Result<std::vector<AuditRecord>> query_log(Store& store, const LogFilter& f) {
  std::deque<AuditRecord> kept;
  CONSENTRIC_RETURN_IF_ERROR(store.scan_audit([&](const AuditRecord& r) -> Status {
    if (!f.subject.empty() && r.subject != f.subject) return Status();
    if (!f.action_prefix.empty() && !r.action.starts_with(f.action_prefix)) return Status();
    if (!f.purpose.empty() && r.purpose != f.purpose) return Status();
    if (f.since && r.ts < *f.since) return Status();
    if (f.until && r.ts >= *f.until) return Status();
    kept.push_back(r);
    if (f.limit > 0 && static_cast<std::int64_t>(kept.size()) > f.limit) kept.pop_front();
    return Status();
  }));
  return std::vector<AuditRecord>(std::make_move_iterator(kept.begin()),
                                  std::make_move_iterator(kept.end()));
}

std::string entry_json(const AuditRecord& r) {
  return to_json_line({{"seq", r.seq},
                       {"ts", r.ts},
                       {"time", format_timestamp(r.ts)},
                       {"actor", r.actor},
                       {"action", r.action},
                       {"purpose", r.purpose},
                       {"subject", r.subject},
                       {"detail", r.detail},
                       {"prev_hash", crypto::to_hex(r.prev_hash)},
                       {"hash", crypto::to_hex(r.hash)}});
}

}  // namespace consentric::audit
