#include "store/feature_row.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace consentric {
namespace {

void put_i64(std::string* out, std::int64_t v) {
  auto u = static_cast<std::uint64_t>(v);
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((u >> (8 * i)) & 0xff));
}

std::int64_t get_i64(const char* p) {
  std::uint64_t u = 0;
  for (int i = 7; i >= 0; --i) u = (u << 8) | static_cast<unsigned char>(p[i]);
  return static_cast<std::int64_t>(u);
}

}  // namespace

void add_event(FeatureDelta* d, UnixSeconds ts, std::int64_t type_id, bool is_purchase,
               double value) {
  if (d->events == 0) {
    d->first_seen = d->last_seen = ts;
  } else {
    d->first_seen = std::min(d->first_seen, ts);
    d->last_seen = std::max(d->last_seen, ts);
  }
  ++d->events;
  if (is_purchase) {
    ++d->purchases;
    d->monetary += value;
    d->last_purchase = std::max(d->last_purchase.value_or(ts), ts);
  }
  for (auto& t : d->per_type) {
    if (t.type_id == type_id) {
      ++t.count;
      t.last_ts = std::max(t.last_ts, ts);
      return;
    }
  }
  d->per_type.push_back({type_id, 1, ts});
}

void merge_features(FeatureRow* row, const FeatureDelta& d) {
  if (d.events == 0 && d.per_type.empty()) return;
  if (row->events == 0) {
    row->first_seen = d.first_seen;
    row->last_seen = d.last_seen;
  } else {
    row->first_seen = std::min(row->first_seen, d.first_seen);
    row->last_seen = std::max(row->last_seen, d.last_seen);
  }
  row->events += d.events;
  if (d.last_purchase)
    row->last_purchase =
        row->last_purchase ? std::max(*row->last_purchase, *d.last_purchase) : *d.last_purchase;
  row->purchases += d.purchases;
  row->monetary += d.monetary;
  for (const auto& t : d.per_type) {
    auto it = std::lower_bound(row->per_type.begin(), row->per_type.end(), t.type_id,
                               [](const auto& a, std::int64_t id) { return a.type_id < id; });
    if (it != row->per_type.end() && it->type_id == t.type_id) {
      it->count += t.count;
      it->last_ts = std::max(it->last_ts, t.last_ts);
    } else {
      row->per_type.insert(it, t);
    }
  }
}

std::string encode_type_counts(const std::vector<FeatureDelta::TypeCount>& counts) {
  std::vector<FeatureDelta::TypeCount> sorted = counts;
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.type_id < b.type_id; });
  std::string out;
  out.reserve(sorted.size() * 24);
  for (const auto& t : sorted) {
    put_i64(&out, t.type_id);
    put_i64(&out, t.count);
    put_i64(&out, t.last_ts);
  }
  return out;
}

std::vector<FeatureDelta::TypeCount> decode_type_counts(std::string_view blob) {
  std::vector<FeatureDelta::TypeCount> out;
  out.reserve(blob.size() / 24);
  for (std::size_t i = 0; i + 24 <= blob.size(); i += 24) {
    const char* p = blob.data() + i;
    out.push_back({get_i64(p), get_i64(p + 8), get_i64(p + 16)});
  }
  return out;
}

}  // namespace consentric
