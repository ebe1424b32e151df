#include "consent/signals.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace consentric::consent {
namespace {

bool restricted_for(const tcf::TcString& tc, int tcf_purpose, int vendor) {
  return std::any_of(tc.publisher_restrictions.begin(), tc.publisher_restrictions.end(),
                     [&](const tcf::PublisherRestriction& r) {
                       return r.purpose_id == tcf_purpose &&
                              r.restriction_type == tcf::kRestrictionNotAllowed &&
                              std::binary_search(r.vendors.begin(), r.vendors.end(), vendor);
                     });
}

std::string tcf_proof(const tcf::TcString& tc, std::string_view tc_string, int vendor) {
  return nlohmann::json{{"tc_string", tc_string},
                        {"cmp_id", tc.cmp_id},
                        {"cmp_version", tc.cmp_version},
                        {"vendor_list_version", tc.vendor_list_version},
                        {"policy_version", tc.policy_version},
                        {"vendor_id", vendor}}
      .dump();
}

}  // namespace

Result<TcfResult> record_tc_string(Store& store, const Config& config, PurposeFeatureKeeper& keeper,
                                   SubjectId subject, std::string_view tc_string,
                                   std::optional<UnixSeconds> at, std::string_view actor,
                                   UnixSeconds now) {
  if (!config.tcf_vendor_id) {
    return failed_precondition(
        "the configuration names no TCF vendor id (tcf: {vendor_id: N}); without it a TC string "
        "says nothing about us");
  }
  const int vendor = *config.tcf_vendor_id;
  CONSENTRIC_ASSIGN_OR_RETURN(tcf::TcString tc, tcf::decode(tc_string));
  const std::vector<tcf::PolicyWarning> warnings = tcf::check_policy(tc, now);
  if (!warnings.empty()) {
    std::string list;
    for (const auto& w : warnings) list += fmt::format("\n  {}: {}", w.field, w.message);
    return invalid_argument(
        fmt::format("TC string refused: it breaks TCF policy, so it proves nothing:{}", list));
  }
  TcfResult result;
  result.tc = tc;
  Decision d;
  d.ts = at.value_or(tc.last_updated);
  d.source = "tcf";
  d.method = "cmp_banner";
  d.proof = tcf_proof(tc, tc_string, vendor);
  for (const PurposeSpec& p : config.purposes) {
    if (p.tcf_purposes.empty()) continue;
    d.purpose = p.id;
    d.notice_version = p.current_notice_version();
    d.notice_hash = p.notice_hash;
    if (p.legal_basis == LegalBasis::kConsent) {
      const bool all = std::all_of(p.tcf_purposes.begin(), p.tcf_purposes.end(), [&](int t) {
        return tc.purpose_consent(t) && !restricted_for(tc, t, vendor);
      });
      d.action =
          tc.vendor_consent(vendor) && all ? ConsentAction::kGrant : ConsentAction::kWithdraw;
    } else if (p.legal_basis == LegalBasis::kLegitimateInterest) {
      const bool all = std::all_of(p.tcf_purposes.begin(), p.tcf_purposes.end(), [&](int t) {
        return t >= 1 && t <= 24 &&
               tc.purposes_li_transparency.test(static_cast<std::size_t>(t - 1));
      });
      if (tc.vendor_li.contains(vendor) && all) continue;
      d.action = ConsentAction::kWithdraw;
    } else {
      continue;
    }
    if (auto err = check_decision(config, d, now)) {
      return invalid_argument(
          fmt::format("TC string for purpose {}: {}: {}", p.id, err->field, err->message));
    }
    CONSENTRIC_ASSIGN_OR_RETURN(Appended a,
                                append_decision(store, config, keeper, subject, d, actor, now));
    result.entries.push_back({p.id, a});
  }
  return result;
}

Result<std::vector<SignalEntry>> record_gpc(Store& store, const Config& config,
                                            PurposeFeatureKeeper& keeper, SubjectId subject,
                                            UnixSeconds at, std::string_view proof,
                                            std::string_view actor, UnixSeconds now) {
  std::vector<SignalEntry> out;
  for (const PurposeSpec& p : config.purposes) {
    if (!p.sale_or_share) continue;
    Decision d;
    d.purpose = p.id;
    d.action = ConsentAction::kWithdraw;
    d.ts = at;
    d.source = "gpc";
    d.method = "browser_signal";
    d.notice_version = p.current_notice_version();
    d.notice_hash = p.notice_hash;
    auto j = nlohmann::json::parse(proof, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return invalid_argument("GPC proof: expected a JSON object");
    j["signal"] = "Sec-GPC: 1";
    d.proof = j.dump();
    if (auto err = check_decision(config, d, now))
      return invalid_argument(fmt::format("GPC signal: {}: {}", err->field, err->message));
    CONSENTRIC_ASSIGN_OR_RETURN(Appended a,
                                append_decision(store, config, keeper, subject, d, actor, now));
    out.push_back({p.id, a});
  }
  return out;
}

}  // namespace consentric::consent
