#include "tcf/tc_json.h"

#include "tcf/tc_format.h"

namespace consentric::tcf {
namespace {

// nlohmann's dump() throws on invalid UTF-8; letters come from callers as well as decode().
std::string printable(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return out;
}

nlohmann::json vendor_array(const std::set<int>& ids) {
  return nlohmann::json(std::vector<int>(ids.begin(), ids.end()));
}

}  // namespace

nlohmann::json to_json(const TcString& tc) {
  nlohmann::json j;
  j["version"] = tc.version;
  j["created"] = format_tc_time(tc.created, tc.created_tenths);
  j["last_updated"] = format_tc_time(tc.last_updated, tc.last_updated_tenths);
  j["cmp_id"] = tc.cmp_id;
  j["cmp_version"] = tc.cmp_version;
  j["consent_screen"] = tc.consent_screen;
  j["consent_language"] = printable(tc.consent_language);
  j["vendor_list_version"] = tc.vendor_list_version;
  j["policy_version"] = tc.policy_version;
  j["is_service_specific"] = tc.is_service_specific;
  j["use_non_standard_texts"] = tc.use_non_standard_texts;
  j["purpose_one_treatment"] = tc.purpose_one_treatment;
  j["special_feature_opt_ins"] = ids_of(tc.special_feature_opt_ins);
  j["purposes_consent"] = ids_of(tc.purposes_consent);
  j["purposes_li_transparency"] = ids_of(tc.purposes_li_transparency);
  j["publisher_cc"] = printable(tc.publisher_cc);
  j["vendor_consents"] = vendor_array(tc.vendor_consents);
  j["vendor_li"] = vendor_array(tc.vendor_li);
  nlohmann::json restrictions = nlohmann::json::array();
  for (const PublisherRestriction& pr : tc.publisher_restrictions) {
    restrictions.push_back({{"purpose_id", pr.purpose_id},
                            {"restriction_type", pr.restriction_type},
                            {"restriction", restriction_type_name(pr.restriction_type)},
                            {"vendors", pr.vendors}});
  }
  j["publisher_restrictions"] = std::move(restrictions);
  j["disclosed_vendors"] =
      tc.disclosed_vendors ? vendor_array(*tc.disclosed_vendors) : nlohmann::json(nullptr);
  j["allowed_vendors"] =
      tc.allowed_vendors ? vendor_array(*tc.allowed_vendors) : nlohmann::json(nullptr);
  if (tc.publisher_tc) {
    const PublisherTc& p = *tc.publisher_tc;
    j["publisher_tc"] = {{"purposes_consent", ids_of(p.purposes_consent)},
                         {"purposes_li", ids_of(p.purposes_li)},
                         {"num_custom_purposes", p.num_custom_purposes},
                         {"custom_consent", ids_of(p.custom_consent)},
                         {"custom_li", ids_of(p.custom_li)}};
  } else {
    j["publisher_tc"] = nullptr;
  }
  return j;
}

}  // namespace consentric::tcf
