// describe(): a TcString as (label, value) rows for people reading a terminal.

#include <fmt/format.h>

#include "tcf/tc_format.h"
#include "tcf/tc_string.h"

namespace consentric::tcf {
namespace {

std::string yes_no(bool b) { return b ? "yes" : "no"; }

std::string vendors(const std::set<int>& ids) {
  return join_runs(std::vector<int>(ids.begin(), ids.end()));
}

}  // namespace

std::vector<std::pair<std::string, std::string>> describe(const TcString& tc) {
  std::vector<std::pair<std::string, std::string>> rows;
  auto add = [&rows](std::string label, std::string value) {
    rows.emplace_back(std::move(label), std::move(value));
  };
  add("Version", std::to_string(tc.version));
  add("Created", format_tc_time(tc.created, tc.created_tenths));
  add("Last updated", format_tc_time(tc.last_updated, tc.last_updated_tenths));
  add("CMP id", std::to_string(tc.cmp_id));
  add("CMP version", std::to_string(tc.cmp_version));
  add("Consent screen", std::to_string(tc.consent_screen));
  add("Consent language", tc.consent_language);
  add("Vendor list version", std::to_string(tc.vendor_list_version));
  add("TCF policy version", std::to_string(tc.policy_version));
  add("Service specific", yes_no(tc.is_service_specific));
  add("Non-standard texts", yes_no(tc.use_non_standard_texts));
  add("Purpose one treatment", yes_no(tc.purpose_one_treatment));
  add("Publisher country", tc.publisher_cc);
  add("Special features (opt-in)", join_ids(ids_of(tc.special_feature_opt_ins)));
  add("Purposes (consent)", join_ids(ids_of(tc.purposes_consent)));
  add("Purposes (legitimate interest)", join_ids(ids_of(tc.purposes_li_transparency)));
  add("Vendors (consent)", vendors(tc.vendor_consents));
  add("Vendors (legitimate interest)", vendors(tc.vendor_li));
  if (tc.publisher_restrictions.empty()) add("Publisher restrictions", "none");
  for (const PublisherRestriction& pr : tc.publisher_restrictions) {
    add(fmt::format("Restriction: purpose {}, {}", pr.purpose_id,
                    restriction_type_name(pr.restriction_type)),
        join_runs(pr.vendors));
  }
  add("Disclosed vendors", tc.disclosed_vendors ? vendors(*tc.disclosed_vendors) : "(no segment)");
  add("Allowed vendors", tc.allowed_vendors ? vendors(*tc.allowed_vendors) : "(no segment)");
  if (tc.publisher_tc) {
    const PublisherTc& p = *tc.publisher_tc;
    add("Publisher purposes (consent)", join_ids(ids_of(p.purposes_consent)));
    add("Publisher purposes (legitimate interest)", join_ids(ids_of(p.purposes_li)));
    add("Publisher custom purposes", std::to_string(p.num_custom_purposes));
    add("Publisher custom purposes (consent)", join_ids(ids_of(p.custom_consent)));
    add("Publisher custom purposes (legitimate interest)", join_ids(ids_of(p.custom_li)));
  } else {
    add("Publisher TC", "(no segment)");
  }
  return rows;
}

}  // namespace consentric::tcf
