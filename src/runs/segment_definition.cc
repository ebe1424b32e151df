#include "runs/segment_definition.h"

#include <array>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/text.h"

namespace consentric::runs {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<std::string_view, SegmentKind>, 3> kKinds{
    {{"rule", SegmentKind::kRule}, {"rfm", SegmentKind::kRfm}, {"kmeans", SegmentKind::kKmeans}}};
constexpr std::array<std::pair<std::string_view, segment::Scaling>, 3> kScalings{
    {{"zscore", segment::Scaling::kZScore},
     {"robust", segment::Scaling::kRobust},
     {"none", segment::Scaling::kNone}}};

template <typename E, std::size_t N>
std::string_view name_of(const std::array<std::pair<std::string_view, E>, N>& names, E e) {
  for (const auto& [n, v] : names) {
    if (v == e) return n;
  }
  return "?";
}

template <typename E, std::size_t N>
std::optional<E> value_of(const std::array<std::pair<std::string_view, E>, N>& names,
                          std::string_view text) {
  for (const auto& [n, v] : names) {
    if (n == text) return v;
  }
  return std::nullopt;
}

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 64 || s[0] < 'a' || s[0] > 'z') return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

json cuts_json(const std::optional<segment::RfmCuts>& c) {
  return c ? json(std::vector<double>(c->begin(), c->end())) : json(nullptr);
}

std::optional<segment::RfmCuts> cuts_from(const json& j) {
  if (!j.is_array() || j.size() != 4) return std::nullopt;
  segment::RfmCuts c{};
  for (std::size_t i = 0; i < 4; ++i) c[i] = j[i].get<double>();
  return c;
}

}  // namespace

std::string_view to_string(SegmentKind kind) { return name_of(kKinds, kind); }
std::optional<SegmentKind> parse_segment_kind(std::string_view t) { return value_of(kKinds, t); }
std::string_view to_string(segment::Scaling s) { return name_of(kScalings, s); }
std::optional<segment::Scaling> parse_scaling(std::string_view t) { return value_of(kScalings, t); }

Status check_definition(const Config& config, const SegmentDefinition& d) {
  if (!valid_name(d.name)) {
    return invalid_argument(fmt::format(
        "segment name {}: expected lower-case letters, digits, '_' or '-', starting with a "
        "letter, at most 64 characters",
        quote_for_message(d.name)));
  }
  if (config.purpose(d.purpose) == nullptr) {
    std::vector<std::string> ids;
    for (const PurposeSpec& p : config.purposes) ids.push_back(p.id);
    return invalid_argument(fmt::format("{} is not a declared purpose (declared: {})",
                                        quote_for_message(d.purpose), fmt::join(ids, ", ")));
  }
  switch (d.kind) {
    case SegmentKind::kRule:
      if (d.rule.empty()) return invalid_argument("a rule segment needs a rule (--rule)");
      break;
    case SegmentKind::kRfm:
      CONSENTRIC_RETURN_IF_ERROR(segment::check_rfm_options(d.rfm));
      break;
    case SegmentKind::kKmeans: {
      const KMeansSpec& k = d.kmeans;
      if (k.k != 0 && (k.k < 2 || k.k > 64))
        return invalid_argument(fmt::format("k must be from 2 to 64, got {}", k.k));
      if (k.n_init < 1 || k.n_init > 100)
        return invalid_argument(fmt::format("n_init must be from 1 to 100, got {}", k.n_init));
      if (k.k == 0 && (k.k_min < 2 || k.k_max > 64 || k.k_min > k.k_max)) {
        return invalid_argument(
            fmt::format("the k range must be within 2..64 with its low end first, got {}..{}",
                        k.k_min, k.k_max));
      }
      break;
    }
  }
  return Status();
}

json definition_json(const SegmentDefinition& d) {
  json j;
  switch (d.kind) {
    case SegmentKind::kRule:
      j = {{"rule", d.rule}};
      break;
    case SegmentKind::kRfm:
      j = {{"recency_cuts", cuts_json(d.rfm.recency_cuts)},
           {"frequency_cuts", cuts_json(d.rfm.frequency_cuts)},
           {"monetary_cuts", cuts_json(d.rfm.monetary_cuts)}};
      break;
    case SegmentKind::kKmeans:
      j = {{"features", d.kmeans.features},
           {"k", d.kmeans.k},
           {"k_min", d.kmeans.k_min},
           {"k_max", d.kmeans.k_max},
           {"scaling", to_string(d.kmeans.scaling)},
           {"seed", d.kmeans.seed},
           {"n_init", d.kmeans.n_init},
           {"log", d.kmeans.log_transform}};
      break;
  }
  return j;
}

Result<SegmentDefinition> definition_from_json(std::string_view name, std::string_view purpose,
                                               std::string_view kind, std::string_view text) {
  SegmentDefinition d{.name = std::string(name), .purpose = std::string(purpose)};
  const auto k = parse_segment_kind(kind);
  const json j = json::parse(text, nullptr, false);
  if (!k || !j.is_object()) {
    return data_loss(fmt::format("segment {}: its stored definition is unreadable", name));
  }
  d.kind = *k;
  try {
    switch (d.kind) {
      case SegmentKind::kRule:
        d.rule = j.at("rule").get<std::string>();
        break;
      case SegmentKind::kRfm:
        d.rfm.recency_cuts = cuts_from(j.value("recency_cuts", json()));
        d.rfm.frequency_cuts = cuts_from(j.value("frequency_cuts", json()));
        d.rfm.monetary_cuts = cuts_from(j.value("monetary_cuts", json()));
        break;
      case SegmentKind::kKmeans:
        d.kmeans.features = j.at("features").get<std::vector<std::string>>();
        d.kmeans.k = j.at("k").get<int>();
        d.kmeans.k_min = j.at("k_min").get<int>();
        d.kmeans.k_max = j.at("k_max").get<int>();
        d.kmeans.scaling =
            parse_scaling(j.at("scaling").get<std::string>()).value_or(segment::Scaling::kZScore);
        d.kmeans.seed = j.at("seed").get<std::uint64_t>();
        d.kmeans.n_init = j.value("n_init", 1);
        d.kmeans.log_transform = j.value("log", false);
        break;
    }
  } catch (const json::exception& e) {
    return data_loss(
        fmt::format("segment {}: its stored definition is unreadable ({})", name, e.what()));
  }
  return d;
}

}  // namespace consentric::runs
