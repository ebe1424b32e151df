#include "doctor/doctor.h"

#include <sys/stat.h>

#include <algorithm>

#include <fmt/format.h>

#include "audit/audit_ops.h"
#include "core/text.h"
#include "gate/gate.h"
#include "governance/retention.h"
#include "report/dpia.h"
#include "report/privacy_notice.h"
#include "report/ropa.h"

namespace consentric::doctor {
namespace {

using report::joined;
using report::people_text;

Check pass(std::string name, std::string figure) {
  return {std::move(name), Verdict::kPass, std::move(figure), ""};
}
Check warn(std::string name, std::string figure, std::string advice) {
  return {std::move(name), Verdict::kWarn, std::move(figure), std::move(advice)};
}
Check fail(std::string name, std::string figure, std::string advice) {
  return {std::move(name), Verdict::kFail, std::move(figure), std::move(advice)};
}

Result<Check> audit_chain(StoreDir& sd) {
  CONSENTRIC_ASSIGN_OR_RETURN(audit::LogSigner signer, audit::log_signer(*sd.store, sd.master));
  CONSENTRIC_ASSIGN_OR_RETURN(audit::LogReport log, audit::verify_log(*sd.store, signer));
  if (!log.intact()) {
    return fail(
        "audit chain",
        fmt::format("{} entries; {}", with_thousands(log.entries), log.problems.front().text),
        log.first_bad_seq > 0
            ? fmt::format("entry {} was altered or removed: restore from a backup and "
                          "find out who wrote to the data file",
                          log.first_bad_seq)
            : "a checkpoint does not hold: find out who wrote to the data file");
  }
  const std::string figure =
      fmt::format("{} entries, chain intact, {} signed checkpoint{}", with_thousands(log.entries),
                  log.checkpoints_checked, log.checkpoints_checked == 1 ? " holds" : "s hold");
  if (log.checkpoints_checked == 0) {
    return warn("audit chain", figure,
                "no signed checkpoint: entries cut off the end would go unseen (audit checkpoint)");
  }
  return pass("audit chain", figure);
}

Check key_file(const StoreDir& sd) {
  if (sd.key_file.empty()) return pass("master key", "from the environment, no key file");
  struct stat st {};
  if (::stat(sd.key_file.c_str(), &st) != 0) {
    return fail("master key", fmt::format("{} cannot be examined", sd.key_file.string()),
                "check the key file");
  }
  const unsigned mode = st.st_mode & 0777;
  if ((mode & 077) != 0) {
    return fail("master key",
                fmt::format("{} has mode {:04o}: others may read it",
                            sd.key_file.filename().string(), mode),
                fmt::format("chmod 600 {}", sd.key_file.string()));
  }
  return pass("master key",
              fmt::format("{} mode {:04o}, owner only", sd.key_file.filename().string(), mode));
}

Result<std::vector<Check>> coverage(StoreDir& sd, const DoctorContext& ctx) {
  const int k = sd.config.k_anonymity;
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<gate::GateCount> counts,
                              gate::count_lawful(sd, ctx.now, ctx.actor, ctx.now));
  std::vector<Check> out;
  for (const gate::GateCount& c : counts) {
    const std::string name = "coverage: " + c.purpose;
    std::string figure =
        fmt::format("{} of {} people may be processed ({})", people_text(c.lawful, k),
                    people_text(c.subjects, k), to_string(c.basis));
    if (c.lawful >= k && c.subjects > 0) {
      figure += fmt::format(
          ", {:.1f}%", 100.0 * static_cast<double>(c.lawful) / static_cast<double>(c.subjects));
    }
    if (c.subjects > 0 && c.lawful == 0) {
      out.push_back(warn(name, figure,
                         "the purpose may process nobody: is consent being asked and recorded?"));
    } else {
      out.push_back(pass(name, figure));
    }
  }
  return out;
}

Result<std::vector<Check>> notices(StoreDir& sd) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<report::NoticeState> states, report::notice_states(sd));
  std::vector<Check> out;
  for (const report::NoticeState& s : states) {
    const PurposeSpec* p = sd.config.purpose(s.purpose);
    const std::string name = "basis and notice: " + s.purpose;
    const std::string basis = report::legal_basis_text(p->legal_basis);
    if (!s.latest) {
      out.push_back(warn(name, basis + "; no privacy notice published",
                         "notice publish: people must be told before their data is used"));
    } else if (!s.current) {
      out.push_back(fail(
          name,
          fmt::format("{}; notice {} no longer matches the declaration", basis, s.latest->label),
          "notice publish: the notice people see describes other processing"));
    } else {
      out.push_back(pass(name, fmt::format("{}; notice {} published {}", basis, s.latest->label,
                                           format_timestamp(s.latest->published_at))));
    }
  }
  return out;
}

Result<Check> requests(StoreDir& sd, const DoctorContext& ctx) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<DsarRow> open, sd.store->dsars({.status = "open"}));
  std::vector<std::string> overdue, soon;
  for (const DsarRow& r : open) {
    const std::string label = fmt::format("#{} {} due {}", r.request_id, r.type,
                                          format_timestamp(r.due_at).substr(0, 10));
    if (r.due_at < ctx.now) {
      overdue.push_back(label);
    } else if (r.due_at < ctx.now + ctx.due_soon_seconds) {
      soon.push_back(label);
    }
  }
  const std::string figure =
      fmt::format("{} open, {} overdue, {} due within {} days", open.size(), overdue.size(),
                  soon.size(), ctx.due_soon_seconds / kSecondsPerDay);
  if (!overdue.empty()) {
    return fail("data-subject requests", figure + ": " + joined(overdue),
                "answer them now (GDPR Art. 12(3)) or record why they were extended");
  }
  if (!soon.empty()) {
    return warn("data-subject requests", figure + ": " + joined(soon), "answer them this week");
  }
  return pass("data-subject requests", figure);
}

Result<Check> retention(StoreDir& sd, const DoctorContext& ctx) {
  CONSENTRIC_ASSIGN_OR_RETURN(governance::RetentionPlan plan,
                              governance::plan_retention(sd, sd.config, ctx.now));
  std::vector<std::string> due;
  for (const governance::RetentionRule& r : plan.rules) {
    if (r.items > 0) {
      due.push_back(fmt::format("{} {} ({})", with_thousands(r.items), r.name,
                                governance::to_string(r.kind)));
    }
  }
  if (due.empty()) {
    return pass("retention", fmt::format("nothing past retention ({} rules)", plan.rules.size()));
  }
  return fail("retention",
              fmt::format("{} items past retention: {}", with_thousands(plan.total()), joined(due)),
              "retention run --dry-run, then retention run (Art. 5(1)(e))");
}

Result<std::vector<Check>> models(StoreDir& sd, const DoctorContext& ctx) {
  std::vector<Check> out;
  for (const PurposeSpec& p : sd.config.purposes) {
    CONSENTRIC_ASSIGN_OR_RETURN(std::vector<ScoreModelRow> rows, sd.store->score_models(p.id));
    std::vector<std::string> stale, review;
    for (const ScoreModelRow& m : rows) {
      const std::string label =
          fmt::format("{} v{}{}", m.kind, m.version, m.active ? " (active)" : "");
      if (m.stale) stale.push_back(label);
      if (m.active && m.review_due < ctx.now) {
        review.push_back(
            fmt::format("{} due {}", label, format_timestamp(m.review_due).substr(0, 10)));
      }
    }
    if (rows.empty()) continue;
    const std::string name = "models: " + p.id;
    const std::string figure =
        fmt::format("{} model{}, {} stale, {} past review", rows.size(),
                    rows.size() == 1 ? "" : "s", stale.size(), review.size());
    if (!review.empty()) {
      out.push_back(warn(name, figure + ": " + joined(review),
                         "review the model (score show) and train or activate a new one"));
    } else if (!stale.empty()) {
      out.push_back(warn(name, figure + ": " + joined(stale),
                         "people they learned from left: score retrain --stale"));
    } else {
      out.push_back(pass(name, figure));
    }
  }
  return out;
}

Result<Check> dpia(StoreDir& sd) {
  CONSENTRIC_ASSIGN_OR_RETURN(report::DpiaStatus st, report::dpia_status(sd));
  if (!st.made_at) {
    return warn("DPIA", "none generated", "report dpia --out dpia.md --html dpia.html");
  }
  if (!st.current()) {
    return fail("DPIA",
                fmt::format("made {} for another declaration", format_timestamp(*st.made_at)),
                "the declaration changed since: report dpia makes it again (Art. 35(11))");
  }
  return pass("DPIA",
              fmt::format("made {} for the declaration in force", format_timestamp(*st.made_at)));
}

Check minimisation(const Config& c) {
  const std::vector<std::string> unused = report::fields_used_by_no_purpose(c);
  const std::string figure =
      fmt::format("{} of {} fields used by no purpose", unused.size(), c.fields.size());
  if (unused.empty()) return pass("data minimisation", figure);
  return warn("data minimisation", figure + ": " + joined(unused),
              "stop collecting them, or declare the purpose that needs them (Art. 5(1)(c))");
}

Check special_categories(const Config& c) {
  std::vector<std::string> special;
  for (const FieldSpec& f : c.fields) {
    if (f.category == DataCategory::kSpecialCategory) special.push_back(f.name);
  }
  if (special.empty()) return pass("special categories", "none held");
  return warn("special categories", "held: " + joined(special),
              "Art. 9 needs an exception for each; they are never features, but are they needed?");
}

}  // namespace

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::kPass:
      return "pass";
    case Verdict::kWarn:
      return "warn";
    case Verdict::kFail:
      return "fail";
  }
  return "?";
}

int DoctorReport::count(Verdict v) const {
  return static_cast<int>(
      std::count_if(checks.begin(), checks.end(), [v](const Check& c) { return c.verdict == v; }));
}

nlohmann::json DoctorReport::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const Check& c : checks) {
    list.push_back({{"name", c.name},
                    {"verdict", to_string(c.verdict)},
                    {"figure", c.figure},
                    {"advice", c.advice}});
  }
  return {{"checks", list},
          {"pass", count(Verdict::kPass)},
          {"warn", count(Verdict::kWarn)},
          {"fail", count(Verdict::kFail)}};
}

Result<DoctorReport> run_doctor(StoreDir& sd, const DoctorContext& ctx) {
  DoctorReport out;
  const auto add = [&out](std::vector<Check> more) {
    for (Check& c : more) out.checks.push_back(std::move(c));
  };
  CONSENTRIC_ASSIGN_OR_RETURN(Check chain, audit_chain(sd));
  out.checks.push_back(std::move(chain));
  out.checks.push_back(key_file(sd));
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<Check> covered, coverage(sd, ctx));
  add(std::move(covered));
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<Check> told, notices(sd));
  add(std::move(told));
  CONSENTRIC_ASSIGN_OR_RETURN(Check dsar, requests(sd, ctx));
  out.checks.push_back(std::move(dsar));
  CONSENTRIC_ASSIGN_OR_RETURN(Check kept, retention(sd, ctx));
  out.checks.push_back(std::move(kept));
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<Check> scored, models(sd, ctx));
  add(std::move(scored));
  CONSENTRIC_ASSIGN_OR_RETURN(Check assessed, dpia(sd));
  out.checks.push_back(std::move(assessed));
  out.checks.push_back(minimisation(sd.config));
  out.checks.push_back(special_categories(sd.config));
  return out;
}

}  // namespace consentric::doctor
