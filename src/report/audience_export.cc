#include "report/audience_export.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "core/text.h"
#include "crypto/keys.h"
#include "crypto/recipient_tokens.h"
#include "gate/gate.h"
#include "runs/segment_runs.h"
#include "store/transaction.h"

namespace consentric::report {
namespace {

using json = nlohmann::json;

Result<disclose::Hierarchy> hierarchy_for(const FieldSpec& f) {
  if (!f.generalization) return disclose::Hierarchy::suppress_only();
  const GeneralizationSpec& g = *f.generalization;
  switch (g.kind) {
    case GeneralizationSpec::Kind::kBands:
      return disclose::Hierarchy::bands(g.band_widths);
    case GeneralizationSpec::Kind::kPrefix:
      return disclose::Hierarchy::prefix(g.prefix_lengths);
    case GeneralizationSpec::Kind::kDates: {
      std::vector<disclose::DateLevel> levels;
      for (const std::string& l : g.date_levels) {
        levels.push_back(l == "month"  ? disclose::DateLevel::kMonth
                         : l == "year" ? disclose::DateLevel::kYear
                                       : disclose::DateLevel::kDecade);
      }
      return disclose::Hierarchy::dates(levels);
    }
    case GeneralizationSpec::Kind::kCategories: {
      std::vector<std::map<std::string, std::string>> parents;
      for (const auto& level : g.category_parents) parents.emplace_back(level.begin(), level.end());
      return disclose::Hierarchy::categories(parents);
    }
  }
  return disclose::Hierarchy::suppress_only();
}

// A view cell as text: dates as YYYY-MM-DD, numbers without trailing zeros, "" when missing.
std::string cell(const FieldSpec* f, const gate::Column& c, std::size_t row) {
  if (c.missing(row)) return {};
  if (c.kind == gate::ColumnKind::kCategory) {
    return c.dictionary[static_cast<std::size_t>(c.codes[row])];
  }
  const double v = c.numbers[row];
  if (f != nullptr && (f->type == FieldType::kDate || f->type == FieldType::kTimestamp)) {
    return format_date(static_cast<UnixSeconds>(v) * kSecondsPerDay);
  }
  if (f != nullptr && f->type == FieldType::kBool) return v != 0 ? "true" : "false";
  return fmt::format("{:g}", v);
}

Status check_request(const Config& config, const PurposeSpec& purpose, const AudienceRequest& r,
                     int k) {
  const RecipientSpec* to = config.recipient(r.recipient);
  if (to == nullptr) {
    std::string names;
    for (const RecipientSpec& d : config.recipients) names += (names.empty() ? "" : ", ") + d.name;
    return invalid_argument(fmt::format(
        "recipient {} is not declared (GDPR Art. 30(1)(d): declare it under recipients{})",
        quote_for_message(r.recipient), names.empty() ? "" : "; declared: " + names));
  }
  if (std::find(to->purposes.begin(), to->purposes.end(), purpose.id) == to->purposes.end()) {
    return invalid_argument(
        fmt::format("recipient {} is not declared for purpose {}", to->name, purpose.id));
  }
  if (k < config.k_anonymity) {
    return invalid_argument(
        fmt::format("--k {} is below the declared k_anonymity {}", k, config.k_anonymity));
  }
  const std::vector<std::string> allowed = gate::available_columns(config, purpose);
  for (std::size_t i = 0; i < r.fields.size(); ++i) {
    if (std::find(r.fields.begin(), r.fields.begin() + static_cast<std::ptrdiff_t>(i),
                  r.fields[i]) != r.fields.begin() + static_cast<std::ptrdiff_t>(i)) {
      return invalid_argument(fmt::format("--fields names {} twice", r.fields[i]));
    }
  }
  for (const std::string& name : r.fields) {
    const FieldSpec* f = config.field(name);
    if (f == nullptr ||
        std::find(purpose.fields.begin(), purpose.fields.end(), name) == purpose.fields.end()) {
      return invalid_argument(
          fmt::format("field {} is not declared by purpose {}; an audience "
                      "carries only the purpose's fields",
                      quote_for_message(name), purpose.id));
    }
    if (f->pii) {
      return invalid_argument(fmt::format(
          "field {} is pii; audiences carry a recipient token instead of identifiers", name));
    }
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return invalid_argument(
          fmt::format("field {} is not one the purpose gate releases", quote_for_message(name)));
    }
  }
  return Status();
}

}  // namespace

Result<AudienceResult> export_audience(StoreDir& sd, const AudienceRequest& r,
                                       const ReportContext& ctx) {
  CONSENTRIC_ASSIGN_OR_RETURN(runs::SegmentState state, runs::segment_state(sd, r.segment));
  if (!state.latest) {
    return failed_precondition(fmt::format("segment {} has not been run", r.segment));
  }
  const PurposeSpec* purpose = sd.config.purpose(state.segment.purpose);
  if (purpose == nullptr) {
    return failed_precondition(fmt::format("segment {}: purpose {} is no longer declared",
                                           r.segment, state.segment.purpose));
  }
  const int k = r.k.value_or(sd.config.k_anonymity);
  const int l = r.l.value_or(sd.config.l_diversity);
  CONSENTRIC_RETURN_IF_ERROR(check_request(sd.config, *purpose, r, k));
  if (!r.dry_run && r.out.empty()) return invalid_argument("say where to write: --out FILE");

  // Members first, then their fields through the gate: only those still lawful today remain.
  std::unordered_map<std::string, std::pair<std::string, SubjectId>> members;
  bool group_released = r.group.empty();
  CONSENTRIC_RETURN_IF_ERROR(runs::for_each_member(sd, state, [&](const runs::Member& m) {
    if (!r.group.empty() && m.group != r.group) return;
    group_released = true;
    members.emplace(m.pseudonym, std::pair{m.group, m.subject});
  }));
  if (!group_released) {
    return not_found(
        fmt::format("segment {} has no released group {}", r.segment, quote_for_message(r.group)));
  }
  std::vector<std::string> columns = r.fields;
  if (columns.empty()) {
    const auto allowed = gate::available_columns(sd.config, *purpose);
    if (allowed.empty()) return failed_precondition("the purpose releases no column");
    columns.push_back(allowed.front());  // the view needs a column; only its rows are used
  }
  CONSENTRIC_ASSIGN_OR_RETURN(
      gate::PurposeView view,
      gate::build_view(
          sd, {.purpose = purpose->id, .as_of = ctx.now, .actor = ctx.actor, .columns = columns},
          ctx.now));
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < view.rows(); ++i) {
    if (members.contains(view.row_ids()[i])) rows.push_back(i);
  }
  if (static_cast<std::int64_t>(rows.size()) < k) {
    // The size of a group under k is itself a small aggregate: it is not shown.
    return failed_precondition(fmt::format(
        "audience refused: segment {}{} has fewer than k = {} members the purpose gate lets "
        "through today, so no export of it can be {}-anonymous",
        r.segment, r.group.empty() ? "" : " group " + r.group, k, k));
  }

  // The anonymization problem: quasi-identifiers generalize, the sensitive field is watched,
  // other fields pass as they are.
  disclose::AnonymizationRequest problem{
      .k = k, .l = l, .max_suppression = sd.config.max_suppression};
  std::vector<int> qi_index(r.fields.size(), -1);
  for (std::size_t c = 0; c < r.fields.size(); ++c) {
    const FieldSpec* f = sd.config.field(r.fields[c]);
    const gate::Column* col = view.column(r.fields[c]);
    std::vector<std::string> values;
    for (std::size_t row : rows) values.push_back(cell(f, *col, row));
    if (f->quasi_identifier) {
      CONSENTRIC_ASSIGN_OR_RETURN(disclose::Hierarchy h, hierarchy_for(*f));
      qi_index[c] = static_cast<int>(problem.columns.size());
      problem.columns.push_back({f->name, std::move(h), std::move(values)});
    } else if (f->sensitive) {
      problem.sensitive = disclose::SensitiveColumn{f->name, std::move(values)};
    }
  }
  if (l > 0 && !problem.sensitive) {
    std::string sensitive;
    for (const FieldSpec& f : sd.config.fields) {
      if (f.sensitive) sensitive += (sensitive.empty() ? "" : ", ") + f.name;
    }
    return invalid_argument(
        fmt::format("l-diversity {} needs the sensitive field in the export (--fields ...,{})", l,
                    sensitive.empty() ? "a field declared sensitive: true" : sensitive));
  }
  if (problem.columns.empty()) {
    // No quasi-identifier: the whole audience is one class of at least k (checked above).
    problem.columns.push_back(
        {"(none)", disclose::Hierarchy::suppress_only(), std::vector<std::string>(rows.size())});
  }
  CONSENTRIC_ASSIGN_OR_RETURN(disclose::AnonymizationResult anon, disclose::anonymize(problem));
  if (!anon.satisfied) {
    return failed_precondition(fmt::format("audience refused: {}", anon.shortfall));
  }

  AudienceResult out{.purpose = purpose->id,
                     .recipient = r.recipient,
                     .suppressed = anon.suppressed_count,
                     .k = k,
                     .l = l,
                     .before = anon.before,
                     .after = anon.after,
                     .information_loss = anon.information_loss};
  std::vector<std::string> header = {"token", "segment"};
  for (std::size_t c = 0; c < r.fields.size(); ++c) {
    const int q = qi_index[c];
    const FieldSpec* f = sd.config.field(r.fields[c]);
    out.columns.push_back({r.fields[c], q >= 0,
                           q >= 0 ? anon.level_descriptions[static_cast<std::size_t>(q)]
                                  : (f->sensitive ? "as is (sensitive)" : "as is")});
    header.push_back(r.fields[c]);
  }
  for (bool s : anon.suppressed) out.rows += s ? 0 : 1;
  if (r.dry_run) return out;

  const crypto::RecipientTokens tokens(sd.master, r.recipient);
  std::vector<SubjectId> exported;
  {
    std::ofstream f(r.out, std::ios::binary | std::ios::trunc);
    if (!f) return failed_precondition(fmt::format("cannot write {}", r.out));
    std::string line;
    for (const std::string& h : header) line += (line.empty() ? "" : ",") + csv_field(h);
    f << line << '\n';
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (anon.suppressed[i]) continue;
      const std::string& pseudonym = view.row_ids()[rows[i]];
      const auto& [group, subject] = members.at(pseudonym);
      line = tokens.token(pseudonym) + "," + csv_field(group);
      for (std::size_t c = 0; c < r.fields.size(); ++c) {
        const int q = qi_index[c];
        const std::string v =
            q >= 0 ? anon.values[static_cast<std::size_t>(q)][i]
                   : cell(sd.config.field(r.fields[c]), *view.column(r.fields[c]), rows[i]);
        line += "," + csv_field(v);
      }
      f << line << '\n';
      exported.push_back(subject);
    }
    if (!f.flush()) return failed_precondition(fmt::format("cannot write {}", r.out));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(std::string hash, crypto::hash256_file(r.out));
  out.hash = crypto::to_hex(hash);
  json levels = json::object();
  for (const AudienceColumn& c : out.columns) levels[c.name] = c.treatment;
  const json detail = {{"segment", r.segment},
                       {"group", r.group},
                       {"recipient", r.recipient},
                       {"file", std::filesystem::path(r.out).filename().string()},
                       {"hash", out.hash},
                       {"rows", out.rows},
                       {"columns", header},
                       {"k", k},
                       {"l", l},
                       {"generalization", levels},
                       {"suppressed", out.suppressed},
                       {"smallest_class", out.after.smallest_class},
                       {"highest_risk", out.after.highest_risk}};
  auto recorded = in_transaction(*sd.store, [&]() -> Result<std::int64_t> {
    CONSENTRIC_ASSIGN_OR_RETURN(AuditRecord rec, audit::append(*sd.store,
                                                               {.actor = ctx.actor,
                                                                .action = "export.audience",
                                                                .purpose = purpose->id,
                                                                .detail = detail.dump()},
                                                               ctx.now));
    CONSENTRIC_RETURN_IF_ERROR(
        sd.store->add_disclosures(rec.seq, purpose->id, r.recipient, exported));
    return rec.seq;
  });
  if (!recorded.ok()) {
    std::error_code ignored;
    std::filesystem::remove(r.out, ignored);  // not recorded, so not released
    return recorded.status();
  }
  out.audit_seq = *recorded;
  return out;
}

}  // namespace consentric::report
