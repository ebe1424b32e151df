#include "ingest/identifier_indexer.h"

#include <fmt/format.h>

namespace consentric::ingest {
namespace {

// Bounds the cache so memory does not grow with the file.
constexpr std::size_t kMaxCached = 200'000;

}  // namespace

std::optional<RowError> IdentifierIndexer::index_all(const NamedValues& values,
                                                     std::vector<IdentIndex>* out) {
  out->clear();
  for (const IdentifierSpec& id : config_.identifiers) {
    const InputValue* v = find_value(values, id.field);
    if (v == nullptr || v->missing()) continue;
    if (v->kind != InputValue::Kind::kText)
      return RowError{id.field, "expected a string identifier"};
    key_.assign(id.field);
    key_.push_back('\0');
    key_.append(v->text);
    auto it = cache_.find(key_);
    if (it == cache_.end()) {
      auto normalized = crypto::normalize_identifier(id.kind, v->text);
      if (!normalized.ok()) return RowError{id.field, normalized.status().message()};
      if (cache_.size() >= kMaxCached) cache_.clear();
      it = cache_.emplace(key_, indexer_.index(id.field, *normalized)).first;
    }
    out->push_back({&id, it->second});
  }
  if (out->empty()) {
    std::string names;
    for (const auto& id : config_.identifiers) names += (names.empty() ? "" : ", ") + id.field;
    return RowError{"", fmt::format("missing identifier: expected one of {}", names)};
  }
  return std::nullopt;
}

}  // namespace consentric::ingest
