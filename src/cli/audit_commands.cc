// consentric audit verify | checkpoint | key | prove | check-proof | log
// The logic lives in audit/audit_ops.h; this file parses arguments and prints.

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "audit/audit_ops.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/text.h"

namespace consentric::cli {
namespace {

constexpr std::size_t kDetailWidth = 48;
// Pseudonyms are shorter; the bound keeps the table readable whatever a column holds.
constexpr std::size_t kSubjectWidth = 24;

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(fmt::format("{}: cannot read the file", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status write_text(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return invalid_argument(fmt::format("{}: cannot write the file", path));
  return Status();
}

// --key takes the verifier key itself or a file holding it (what `audit key > FILE` wrote). An
// existing file wins; anything else is taken as the key, which open_checkpoint() then checks.
Result<std::string> resolve_vkey(const std::string& arg) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(arg, ec)) {
    CONSENTRIC_ASSIGN_OR_RETURN(std::string text, read_text(arg));
    return std::string(trim(text));
  }
  return std::string(trim(arg));
}

// Cuts text to `width` code points with an ellipsis, never inside a UTF-8 sequence.
std::string truncate_display(std::string_view s, std::size_t width) {
  std::size_t points = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (points == width - 1) {
      std::size_t rest = 0;
      for (std::size_t j = i; j < s.size(); ++j)
        rest += (static_cast<unsigned char>(s[j]) & 0xC0) != 0x80;
      if (rest <= 1) return std::string(s);
      return std::string(s.substr(0, i)) + "…";
    }
    ++points;
  }
  return std::string(s);
}

nlohmann::json checkpoint_json(const audit::Checkpoint& c) {
  return {{"origin", c.origin},
          {"size", c.size},
          {"root", crypto::to_hex(c.root)},
          {"ts", c.ts},
          {"time", format_timestamp(c.ts)}};
}

// --since/--until: a date means the whole day, so "--until 2026-03-01" includes that day.
Result<UnixSeconds> parse_bound(const std::string& text, bool until) {
  if (Result<UnixSeconds> day = parse_date(text); day.ok()) {
    return until ? *day + kSecondsPerDay : *day;
  }
  Result<UnixSeconds> t = parse_timestamp(text);
  if (!t.ok()) return t.status().with_context(until ? "--until" : "--since");
  return until ? *t + 1 : *t;
}

void add_verify(CLI::App* audit_cmd, Globals& g) {
  struct Args {
    std::string checkpoint, key;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = audit_cmd->add_subcommand(
      "verify",
      "Recompute the chain and the Merkle tree; check them against every signed checkpoint; "
      "exit 1 naming the first bad entry");
  cmd->add_option("--checkpoint", a->checkpoint,
                  "Also check against this signed checkpoint note (one an outsider kept)");
  cmd->add_option("--key", a->key,
                  "The verifier key (or a file holding it) to open --checkpoint with (default: "
                  "this installation's)");
  cmd->callback([&g, a] {
    g.run = [&g, a] {
      auto sd = g.open_store();
      if (!sd.ok()) return report_error(sd.status());
      auto signer = audit::log_signer(*sd->store, sd->master);
      if (!signer.ok()) return report_error(signer.status());
      std::vector<audit::TrustedCheckpoint> outside;
      if (!a->checkpoint.empty()) {
        auto note = read_text(a->checkpoint);
        if (!note.ok()) return report_error(note.status());
        std::string vkey = signer->vkey;
        if (!a->key.empty()) {
          auto given = resolve_vkey(a->key);
          if (!given.ok()) return report_error(given.status());
          vkey = *given;
        }
        auto cp = audit::open_checkpoint(*note, vkey);
        // A forged or altered note is a failed check (exit 1), not an internal error.
        if (!cp.ok()) {
          report_error(cp.status().with_context(a->checkpoint));
          return 1;
        }
        outside.push_back({*cp, fmt::format("the checkpoint in {}", a->checkpoint)});
      }
      auto report = audit::verify_log(*sd->store, *signer, outside);
      if (!report.ok()) return report_error(report.status());
      if (g.json) {
        nlohmann::json problems = nlohmann::json::array();
        for (const auto& p : report->problems)
          problems.push_back({{"seq", p.seq}, {"problem", p.text}});
        nlohmann::json out = {{"entries", report->entries},
                              {"intact", report->intact()},
                              {"first_bad_seq", report->first_bad_seq},
                              {"problem", report->intact() ? "" : report->problems.front().text},
                              {"problems", problems},
                              {"head_hash", report->head_hash_hex},
                              {"root", crypto::to_hex(report->root)},
                              {"checkpoints_checked", report->checkpoints_checked}};
        if (report->latest) out["latest_checkpoint"] = checkpoint_json(*report->latest);
        fmt::print("{}\n", out.dump());
      } else if (report->intact()) {
        fmt::print("audit chain intact: {} entries, head {}\n", with_thousands(report->entries),
                   report->head_hash_hex.substr(0, 16));
        if (report->latest) {
          fmt::print("merkle tree matches {} signed checkpoint{}{}; latest: {} entries at {}\n",
                     report->checkpoints_checked, report->checkpoints_checked == 1 ? "" : "s",
                     outside.empty() ? "" : fmt::format(" (with the one in {})", a->checkpoint),
                     with_thousands(static_cast<std::int64_t>(report->latest->size)),
                     format_timestamp(report->latest->ts));
        } else {
          fmt::print(
              "no signed checkpoint yet: entries cut off the end would go unnoticed (run "
              "consentric audit checkpoint)\n");
        }
      } else {
        if (report->first_bad_seq > 0) {
          fmt::print("audit log BROKEN at entry {}\n", report->first_bad_seq);
        } else {
          fmt::print("audit log BROKEN\n");
        }
        for (const auto& p : report->problems) fmt::print("  {}\n", p.text);
      }
      return report->intact() ? 0 : 1;
    };
  });
}

void add_checkpoint(CLI::App* audit_cmd, Globals& g) {
  auto out = std::make_shared<std::string>();
  auto* cmd = audit_cmd->add_subcommand(
      "checkpoint",
      "Sign the Merkle root of every entry so far, store it, and print the signed note to hand "
      "to an outsider");
  cmd->add_option("--out", *out, "Write the signed note to this file instead of stdout");
  cmd->callback([&g, out] {
    g.run = [&g, out] {
      auto sd = g.open_store();
      if (!sd.ok()) return report_error(sd.status());
      auto signer = audit::log_signer(*sd->store, sd->master);
      if (!signer.ok()) return report_error(signer.status());
      auto made =
          audit::make_checkpoint(*sd->store, *signer, "local-operator", make_system_clock()->now());
      if (!made.ok()) return report_error(made.status());
      if (!out->empty()) {
        if (Status s = write_text(*out, made->note); !s.ok()) return report_error(s);
      }
      if (g.json) {
        nlohmann::json j = checkpoint_json(made->checkpoint);
        j["note"] = made->note;
        j["verifier_key"] = signer->vkey;
        j["entry"] = made->entry_seq;
        if (!out->empty()) j["out"] = *out;
        fmt::print("{}\n", j.dump());
        return 0;
      }
      const std::string summary = fmt::format(
          "signed checkpoint of {} entries (root {}…) at {}; recorded as audit entry {}\n",
          with_thousands(static_cast<std::int64_t>(made->checkpoint.size)),
          crypto::to_hex(made->checkpoint.root).substr(0, 16),
          format_timestamp(made->checkpoint.ts), made->entry_seq);
      const std::string key_line = fmt::format("verifier key: {}\n", signer->vkey);
      if (!out->empty()) {
        fmt::print("{}wrote the signed note to {}\n{}", summary, *out, key_line);
      } else {
        // stdout carries the note alone, so `audit checkpoint > cp.note` keeps a valid note.
        fmt::print("{}", made->note);
        fmt::print(stderr, "{}{}", summary, key_line);
      }
      return 0;
    };
  });
}

void add_key(CLI::App* audit_cmd, Globals& g) {
  auto* cmd = audit_cmd->add_subcommand(
      "key", "Print the verifier key that checks this installation's checkpoints");
  cmd->callback([&g] {
    g.run = [&g] {
      auto sd = g.open_store();
      if (!sd.ok()) return report_error(sd.status());
      auto signer = audit::log_signer(*sd->store, sd->master);
      if (!signer.ok()) return report_error(signer.status());
      if (g.json) {
        fmt::print(
            "{}\n",
            nlohmann::json{{"origin", signer->origin}, {"verifier_key", signer->vkey}}.dump());
      } else {
        fmt::print("{}\n", signer->vkey);
      }
      return 0;
    };
  });
}

void add_prove(CLI::App* audit_cmd, Globals& g) {
  struct Args {
    std::int64_t entry = 0;
    std::int64_t from = 0;
    std::string out;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = audit_cmd->add_subcommand(
      "prove",
      "Write a proof (JSON) against the latest checkpoint: that an entry is in the log "
      "(--entry), or that the log extends an older checkpoint unchanged (--from)");
  auto* entry = cmd->add_option("--entry", a->entry, "The entry (seq) to prove is in the log");
  auto* from = cmd->add_option("--from", a->from,
                               "The size of the older checkpoint to prove consistency from");
  entry->excludes(from);
  cmd->add_option("--out", a->out, "Write the proof to this file instead of stdout");
  cmd->callback([&g, a, entry, from] {
    g.run = [&g, a, entry, from] {
      if (entry->count() == 0 && from->count() == 0) {
        return report_error(invalid_argument("give --entry N or --from SIZE"));
      }
      auto sd = g.open_store();
      if (!sd.ok()) return report_error(sd.status());
      std::string doc;
      std::string what;
      if (entry->count() > 0) {
        auto proof = audit::prove_inclusion(*sd->store, a->entry);
        if (!proof.ok()) return report_error(proof.status());
        doc = audit::to_json(*proof);
        what = fmt::format("the inclusion proof of entry {} against the checkpoint of {} entries",
                           a->entry, proof->tree_size);
      } else {
        auto proof = audit::prove_consistency(*sd->store, a->from);
        if (!proof.ok()) return report_error(proof.status());
        doc = audit::to_json(*proof);
        what = fmt::format("the consistency proof from {} to {} entries", proof->old_size,
                           proof->new_size);
      }
      if (a->out.empty()) {
        fmt::print("{}", doc);
        return 0;
      }
      if (Status s = write_text(a->out, doc); !s.ok()) return report_error(s);
      if (g.json) {
        fmt::print("{}\n", nlohmann::json{{"out", a->out}}.dump());
      } else {
        fmt::print("wrote {} to {}\n", what, a->out);
      }
      return 0;
    };
  });
}

void add_check_proof(CLI::App* audit_cmd, Globals& g) {
  struct Args {
    std::string proof, checkpoint, older, key;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = audit_cmd->add_subcommand(
      "check-proof",
      "Check a proof against signed checkpoints with the verifier key alone; needs no store");
  cmd->add_option("PROOF", a->proof, "The proof document (from consentric audit prove)")
      ->required();
  cmd->add_option("--checkpoint", a->checkpoint, "The signed checkpoint note the proof is against")
      ->required();
  cmd->add_option("--older", a->older,
                  "For a consistency proof: the older signed checkpoint note it starts from");
  cmd->add_option("--key", a->key, "The verifier key, or a file holding it")->required();
  cmd->callback([&g, a] {
    g.run = [&g, a] {
      auto proof = read_text(a->proof);
      if (!proof.ok()) return report_error(proof.status());
      auto note = read_text(a->checkpoint);
      if (!note.ok()) return report_error(note.status());
      std::optional<std::string> older;
      if (!a->older.empty()) {
        auto text = read_text(a->older);
        if (!text.ok()) return report_error(text.status());
        older = std::move(text).value();
      }
      auto vkey = resolve_vkey(a->key);
      if (!vkey.ok()) return report_error(vkey.status());
      auto verdict = audit::check_proof(
          *proof, *note, older ? std::optional<std::string_view>(*older) : std::nullopt, *vkey);
      if (!verdict.ok()) {
        // Whatever cannot be checked fails the check: exit 1, never "internal error".
        report_error(verdict.status().with_context(a->proof));
        return 1;
      }
      if (g.json) {
        fmt::print("{}\n", nlohmann::json{{"valid", verdict->valid},
                                          {"type", verdict->type},
                                          {"summary", verdict->valid ? verdict->summary : ""},
                                          {"problem", verdict->problem}}
                               .dump());
      } else if (verdict->valid) {
        fmt::print("VALID {} proof: {}\n", verdict->type, verdict->summary);
      } else {
        fmt::print("INVALID {} proof: {}\n", verdict->type, verdict->problem);
      }
      return verdict->valid ? 0 : 1;
    };
  });
}

void add_log(CLI::App* audit_cmd, Globals& g) {
  struct Args {
    audit::LogFilter filter;
    std::string since, until;
    bool ndjson = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = audit_cmd->add_subcommand("log", "List audit entries, or export them as NDJSON");
  cmd->add_option("--subject", a->filter.subject, "Only entries about this pseudonym");
  cmd->add_option("--action", a->filter.action_prefix,
                  "Only actions starting with this (consent. matches consent.grant, ...)");
  cmd->add_option("--purpose", a->filter.purpose, "Only entries under this purpose");
  cmd->add_option("--since", a->since, "From this time or date on (ISO 8601)");
  cmd->add_option("--until", a->until, "Up to this time, or through this date (ISO 8601)");
  cmd->add_option("--limit", a->filter.limit, "Only the most recent N matching entries")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--ndjson", a->ndjson,
                "One JSON object per line with every field and the hashes (for export)");
  cmd->callback([&g, a] {
    g.run = [&g, a] {
      audit::LogFilter filter = a->filter;
      if (!a->since.empty()) {
        auto t = parse_bound(a->since, false);
        if (!t.ok()) return report_error(t.status());
        filter.since = *t;
      }
      if (!a->until.empty()) {
        auto t = parse_bound(a->until, true);
        if (!t.ok()) return report_error(t.status());
        filter.until = *t;
      }
      auto sd = g.open_store();
      if (!sd.ok()) return report_error(sd.status());
      auto entries = audit::query_log(*sd->store, filter);
      if (!entries.ok()) return report_error(entries.status());
      if (a->ndjson) {
        for (const AuditRecord& r : *entries) fmt::print("{}\n", audit::entry_json(r));
        return 0;
      }
      if (g.json) {
        std::string out = "[";
        for (std::size_t i = 0; i < entries->size(); ++i) {
          out += (i == 0 ? "" : ",") + audit::entry_json((*entries)[i]);
        }
        fmt::print("{}]\n", out);
        return 0;
      }
      Table table({"seq", "time", "actor", "action", "purpose", "subject", "detail"});
      for (const AuditRecord& r : *entries) {
        table.add_row({std::to_string(r.seq), format_timestamp(r.ts), r.actor, r.action,
                       r.purpose.empty() ? "-" : r.purpose,
                       r.subject.empty() ? "-" : truncate_display(r.subject, kSubjectWidth),
                       truncate_display(r.detail, kDetailWidth)});
      }
      fmt::print("{}", table.render());
      fmt::print("{} entr{}\n", with_thousands(static_cast<std::int64_t>(entries->size())),
                 entries->size() == 1 ? "y" : "ies");
      return 0;
    };
  });
}

}  // namespace

void add_audit_commands(CLI::App& app, Globals& g) {
  auto* audit_cmd = app.add_subcommand(
      "audit", "The audit log: verify it, sign checkpoints, prove entries to outsiders, list it");
  audit_cmd->require_subcommand(1);
  add_verify(audit_cmd, g);
  add_checkpoint(audit_cmd, g);
  add_key(audit_cmd, g);
  add_prove(audit_cmd, g);
  add_check_proof(audit_cmd, g);
  add_log(audit_cmd, g);
}

}  // namespace consentric::cli
