#include "runs/segment_runs.h"

#include <chrono>
#include <fstream>
#include <unordered_map>

#include <fmt/format.h>

#include "audit/audit_log.h"
#include "core/text.h"
#include "crypto/keys.h"
#include "gate/gate.h"
#include "runs/segment_compute.h"
#include "store/transaction.h"

namespace consentric::runs {
namespace {

using nlohmann::json;

Result<SegmentDefinition> stored_definition(const SegmentRow& row) {
  return definition_from_json(row.name, row.purpose, row.kind, row.definition);
}

std::vector<std::string> group_names(const json& model) {
  std::vector<std::string> out;
  if (model.contains("groups") && model["groups"].is_array()) {
    for (const json& g : model["groups"]) out.push_back(g.get<std::string>());
  }
  return out;
}

Result<disclose::Release> current_release(StoreDir& sd, const SegmentRunRow& run,
                                          const json& model) {
  CONSENTRIC_ASSIGN_OR_RETURN(auto counts, sd.store->membership_counts(run.run_id));
  const std::vector<std::string> names = group_names(model);
  std::vector<disclose::Group> groups;
  for (const auto& [label, size] : counts) {
    const auto i = static_cast<std::size_t>(label);
    groups.push_back(
        {label, i < names.size() ? names[i] : fmt::format("segment {}", label + 1), size});
  }
  return disclose::release_groups(groups, sd.config.k_anonymity, sd.config.small_groups);
}

// Computes the definition on today's view and keeps run and memberships; `existing` is the
// stored segment, or nullopt to store `d` as a new one in the same transaction.
Result<RunOutcome> run(StoreDir& sd, const SegmentDefinition& d, std::optional<SegmentRow> existing,
                       const RunContext& ctx) {
  const auto started = std::chrono::steady_clock::now();
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<std::string> columns, columns_for(sd.config, d));
  if (ctx.progress) ctx.progress("reading the view", 0, 0);
  CONSENTRIC_ASSIGN_OR_RETURN(
      gate::PurposeView view,
      gate::build_view(
          sd, {.purpose = d.purpose, .as_of = ctx.now, .actor = ctx.actor, .columns = columns},
          ctx.now));
  CONSENTRIC_ASSIGN_OR_RETURN(Computed computed, compute_segments(d, view, ctx.progress));

  // The view holds pseudonyms; memberships reference subjects.
  std::unordered_map<std::string, SubjectId> ids;
  ids.reserve(view.rows());
  CONSENTRIC_RETURN_IF_ERROR(
      sd.store->scan_subjects([&](const SubjectRow& s) { ids.emplace(s.pseudonym, s.id); }));
  std::vector<MembershipRow> members;
  std::vector<std::int64_t> sizes(computed.groups.size(), 0);
  for (std::size_t r = 0; r < view.rows(); ++r) {
    const std::int32_t label = computed.labels[r];
    if (label < 0) continue;
    const auto id = ids.find(view.row_ids()[r]);
    if (id == ids.end()) {
      return internal_error(
          fmt::format("the view's subject {} is not in the store", view.row_ids()[r]));
    }
    MembershipRow m{.subject = id->second, .label = label};
    if (!computed.distances.empty()) m.distance = computed.distances[r];
    if (!computed.rfm.empty() && computed.rfm[r] > 0) m.rfm = computed.rfm[r];
    members.push_back(m);
    ++sizes[static_cast<std::size_t>(label)];
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (ctx.progress) ctx.progress("saving memberships", 0, 0);

  RunOutcome out;
  Status s = sd.store->begin();
  if (!s.ok()) return s;
  auto body = [&]() -> Status {
    if (existing) {
      out.segment = *existing;
    } else {
      out.segment = {.name = d.name,
                     .purpose = d.purpose,
                     .kind = std::string(to_string(d.kind)),
                     .definition = definition_json(d).dump(),
                     .created_at = ctx.now,
                     .created_by = ctx.actor};
      CONSENTRIC_ASSIGN_OR_RETURN(out.segment.id, sd.store->create_segment(out.segment));
    }
    // The audit entry holds sizes before the small-group rule: the chain is internal.
    const std::string model_text = computed.model.dump();
    json detail = {{"segment", d.name},
                   {"kind", to_string(d.kind)},
                   {"definition", definition_json(d)},
                   {"view_rows", view.rows()},
                   {"members", members.size()},
                   {"sizes", sizes},
                   {"model_hash", crypto::to_hex(crypto::hash256(model_text))}};
    CONSENTRIC_ASSIGN_OR_RETURN(
        AuditRecord rec, audit::append(*sd.store,
                                       {.actor = ctx.actor,
                                        .action = existing ? "segment.refresh" : "segment.create",
                                        .purpose = d.purpose,
                                        .detail = detail.dump()},
                                       ctx.now));
    out.run = {.segment_id = out.segment.id,
               .as_of = view.as_of(),
               .started_at = ctx.now,
               .seconds = seconds,
               .view_rows = static_cast<std::int64_t>(view.rows()),
               .model = model_text,
               .audit_seq = rec.seq};
    CONSENTRIC_ASSIGN_OR_RETURN(out.run.run_id, sd.store->add_segment_run(out.run));
    return sd.store->put_memberships(out.segment.id, out.run.run_id, members);
  };
  s = body();
  if (s.ok()) s = sd.store->commit();
  if (!s.ok()) {
    sd.store->rollback();
    return s;
  }
  out.model = std::move(computed.model);
  CONSENTRIC_ASSIGN_OR_RETURN(out.release, current_release(sd, out.run, out.model));
  return out;
}

Result<SegmentState> state_of(StoreDir& sd, const SegmentRow& row) {
  SegmentState st{.segment = row};
  CONSENTRIC_ASSIGN_OR_RETURN(st.definition, stored_definition(row));
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<SegmentRunRow> runs, sd.store->segment_runs(row.id));
  st.runs = static_cast<std::int64_t>(runs.size());
  if (runs.empty()) return st;
  st.latest = runs.back();
  st.model = json::parse(st.latest->model, nullptr, false);
  if (!st.model.is_object()) {
    return data_loss(
        fmt::format("segment {}: the model of run {} is unreadable", row.name, st.latest->run_id));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(st.release, current_release(sd, *st.latest, st.model));
  return st;
}

}  // namespace

Result<RunOutcome> create_segment(StoreDir& sd, const SegmentDefinition& d, const RunContext& ctx) {
  CONSENTRIC_RETURN_IF_ERROR(check_definition(sd.config, d));
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<SegmentRow> existing, sd.store->segment(d.name));
  if (existing) {
    return already_exists(
        fmt::format("a segment named {} already exists (segment refresh {} runs it again)",
                    quote_for_message(d.name), d.name));
  }
  return run(sd, d, std::nullopt, ctx);
}

Result<RunOutcome> refresh_segment(StoreDir& sd, std::string_view name, const RunContext& ctx) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<SegmentRow> row, sd.store->segment(name));
  if (!row) return not_found(fmt::format("no segment named {}", quote_for_message(name)));
  CONSENTRIC_ASSIGN_OR_RETURN(SegmentDefinition d, stored_definition(*row));
  // The declaration may have changed since the segment was defined.
  CONSENTRIC_RETURN_IF_ERROR(check_definition(sd.config, d));
  return run(sd, d, *row, ctx);
}

Result<SegmentState> segment_state(StoreDir& sd, std::string_view name) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<SegmentRow> row, sd.store->segment(name));
  if (!row) return not_found(fmt::format("no segment named {}", quote_for_message(name)));
  return state_of(sd, *row);
}

Result<std::vector<SegmentState>> segment_states(StoreDir& sd) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<SegmentRow> rows, sd.store->segments());
  std::vector<SegmentState> out;
  for (const SegmentRow& row : rows) {
    CONSENTRIC_ASSIGN_OR_RETURN(SegmentState st, state_of(sd, row));
    out.push_back(std::move(st));
  }
  return out;
}

Status for_each_member(StoreDir& sd, const SegmentState& state,
                       const std::function<void(const Member&)>& fn) {
  if (!state.latest) return Status();
  return sd.store->scan_memberships(
      state.latest->run_id, [&](const MembershipRow& m, std::string_view pseudonym) {
        const disclose::ReleasedGroup* g = state.release.group_of(m.label);
        if (g == nullptr) return;
        fn({std::string(pseudonym), g->name, m.distance, m.rfm, m.subject});
      });
}

Result<ExportResult> export_segment(StoreDir& sd, const SegmentState& state,
                                    const std::string& path, bool contact, const RunContext& ctx) {
  if (!state.latest) {
    return failed_precondition(fmt::format("segment {} has not been run", state.segment.name));
  }
  ExportResult out;
  out.columns = {"subject", "segment"};
  const std::string kind = state.segment.kind;
  if (kind == "kmeans") out.columns.push_back("distance");
  if (kind == "rfm") out.columns.insert(out.columns.end(), {"r", "f", "m"});

  // Contact fields only when the purpose declares them and the caller may read pii.
  std::unordered_map<std::string, std::vector<std::string>> contacts;
  std::vector<std::string> contact_fields;
  if (contact) {
    const PurposeSpec* p = sd.config.purpose(state.segment.purpose);
    for (const std::string& f : p ? p->fields : std::vector<std::string>{}) {
      const FieldSpec* spec = sd.config.field(f);
      if (spec && spec->category == DataCategory::kContact) contact_fields.push_back(f);
    }
    if (contact_fields.empty()) {
      return failed_precondition(fmt::format(
          "purpose {} declares no contact fields; its exports carry pseudonymous ids only",
          state.segment.purpose));
    }
    const RoleSpec* role = sd.config.role(ctx.role);
    if (role == nullptr || !role->allows("pii.read")) {
      return permission_denied(
          fmt::format("role {} may not read personal data (pii.read); export without --contact",
                      quote_for_message(ctx.role)));
    }
    CONSENTRIC_ASSIGN_OR_RETURN(gate::PurposeView view,
                                gate::build_view(sd,
                                                 {.purpose = state.segment.purpose,
                                                  .as_of = ctx.now,
                                                  .actor = ctx.actor,
                                                  .columns = contact_fields},
                                                 ctx.now));
    for (std::size_t r = 0; r < view.rows(); ++r) {
      std::vector<std::string> values;
      for (const gate::Column& c : view.columns()) {
        values.push_back(c.missing(r) ? std::string()
                                      : c.dictionary[static_cast<std::size_t>(c.codes[r])]);
      }
      contacts.emplace(view.row_ids()[r], std::move(values));
    }
    out.columns.insert(out.columns.end(), contact_fields.begin(), contact_fields.end());
  }

  std::vector<SubjectId> exported;  // who the file carries: each gets a disclosure row
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) return failed_precondition(fmt::format("cannot write {}", path));
    std::string line;
    for (const std::string& c : out.columns) line += (line.empty() ? "" : ",") + csv_field(c);
    f << line << '\n';
    CONSENTRIC_RETURN_IF_ERROR(for_each_member(sd, state, [&](const Member& m) {
      if (contact) {
        auto it = contacts.find(m.pseudonym);
        if (it == contacts.end()) return;  // no longer lawful for the purpose: left out
      }
      line = m.pseudonym + "," + csv_field(m.group);
      if (kind == "kmeans") line += m.distance ? fmt::format(",{:.4f}", *m.distance) : ",";
      if (kind == "rfm") {
        line +=
            m.rfm ? fmt::format(",{},{},{}", *m.rfm / 100, *m.rfm / 10 % 10, *m.rfm % 10) : ",,,";
      }
      if (contact) {
        for (const std::string& v : contacts.at(m.pseudonym)) line += "," + csv_field(v);
      }
      f << line << '\n';
      exported.push_back(m.subject);
      ++out.rows;
    }));
    if (!f.flush()) return failed_precondition(fmt::format("cannot write {}", path));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(std::string hash, crypto::hash256_file(path));
  out.hash = crypto::to_hex(hash);
  json detail = {{"segment", state.segment.name},
                 {"run", state.latest->run_id},
                 {"file", std::filesystem::path(path).filename().string()},
                 {"hash", out.hash},
                 {"rows", out.rows},
                 {"columns", out.columns},
                 {"contact", contact}};
  // GDPR Art. 15(1)(c): a person may ask who received their data, so each member's share of
  // the disclosure is kept with the audit entry that records it, in one transaction.
  auto recorded = in_transaction(*sd.store, [&]() -> Result<std::int64_t> {
    CONSENTRIC_ASSIGN_OR_RETURN(AuditRecord rec, audit::append(*sd.store,
                                                               {.actor = ctx.actor,
                                                                .action = "segment.export",
                                                                .purpose = state.segment.purpose,
                                                                .detail = detail.dump()},
                                                               ctx.now));
    CONSENTRIC_RETURN_IF_ERROR(sd.store->add_disclosures(
        rec.seq, state.segment.purpose, std::filesystem::path(path).filename().string(), exported));
    return rec.seq;
  });
  CONSENTRIC_RETURN_IF_ERROR(recorded.status());
  return out;
}

}  // namespace consentric::runs
