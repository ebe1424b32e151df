#include "disclose/k_anonymity.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

namespace consentric::disclose {
namespace {

constexpr std::int64_t kMaxRecords = std::numeric_limits<std::int32_t>::max();
// Mixed-radix keys stay below this; past it the partial keys are renumbered densely.
constexpr std::uint64_t kMaxKey = std::uint64_t{1} << 62;
constexpr std::uint64_t kNoKey = ~std::uint64_t{0};

// Dense ids, in first-seen order, for 64-bit keys: an open-addressing table with linear
// probing, kept at most half full. Ids never depend on the hash, so results are deterministic.
class DenseIds {
 public:
  // Forgets every key; room for `expected` keys without growing.
  void reset(std::size_t expected) {
    std::size_t capacity = 16;
    while (capacity < 2 * expected) capacity *= 2;
    keys_.assign(capacity, kNoKey);
    ids_.resize(capacity);
    mask_ = capacity - 1;
    size_ = 0;
  }

  // The id of `key`, the next free one when it is new (then *inserted is true).
  // REQUIRES: key != kNoKey, and fewer than `expected` distinct keys in all.
  std::int32_t id(std::uint64_t key, bool* inserted = nullptr) {
    std::size_t slot = mix(key) & mask_;
    while (keys_[slot] != kNoKey) {
      if (keys_[slot] == key) {
        if (inserted != nullptr) *inserted = false;
        return ids_[slot];
      }
      slot = (slot + 1) & mask_;
    }
    keys_[slot] = key;
    ids_[slot] = size_;
    if (inserted != nullptr) *inserted = true;
    return size_++;
  }

  std::int32_t size() const { return size_; }

 private:
  // splitmix64's finalizer.
  static std::uint64_t mix(std::uint64_t x) {
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }

  std::vector<std::uint64_t> keys_;
  std::vector<std::int32_t> ids_;
  std::size_t mask_ = 0;
  std::int32_t size_ = 0;
};

// Numbers the distinct tuples of `count` rows densely in first-seen order: begin(), one
// add_column() per column, then finish(). Keys are mixed radix over the columns' cardinalities
// while they fit, and are renumbered densely when the next column would overflow them.
class TupleIds {
 public:
  void begin(std::size_t count) {
    keys_.assign(count, 0);
    radix_ = 1;
  }

  // REQUIRES: code_of(i) < cardinality for every row i.
  template <typename CodeOf>
  void add_column(std::uint64_t cardinality, CodeOf code_of) {
    if (cardinality <= 1) return;  // one value: splits nothing
    if (radix_ > kMaxKey / cardinality) densify();
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      keys_[i] = keys_[i] * cardinality + static_cast<std::uint64_t>(code_of(i));
    }
    radix_ *= cardinality;
  }

  // Writes each row's tuple id to ids and returns the number of distinct tuples.
  std::int32_t finish(std::vector<std::int32_t>& ids) {
    ids.resize(keys_.size());
    table_.reset(keys_.size());
    for (std::size_t i = 0; i < keys_.size(); ++i) ids[i] = table_.id(keys_[i]);
    return table_.size();
  }

 private:
  void densify() {
    table_.reset(keys_.size());
    for (auto& key : keys_) key = static_cast<std::uint64_t>(table_.id(key));
    radix_ = static_cast<std::uint64_t>(std::max(table_.size(), std::int32_t{1}));
  }

  std::vector<std::uint64_t> keys_;
  std::uint64_t radix_ = 1;
  DenseIds table_;
};

// The values of one column numbered densely in first-seen order.
struct Dictionary {
  std::vector<std::int32_t> codes;         // per record
  std::vector<std::string_view> values;    // per code
  std::vector<std::int64_t> first_record;  // per code
};

// REQUIRES: values.size() >= count; the result points into values.
Dictionary encode_values(const std::vector<std::string>& values, std::size_t count) {
  Dictionary d;
  std::unordered_map<std::string_view, std::int32_t> index;
  d.codes.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto [it, inserted] =
        index.try_emplace(values[i], static_cast<std::int32_t>(d.values.size()));
    if (inserted) {
      d.values.push_back(values[i]);
      d.first_record.push_back(static_cast<std::int64_t>(i));
    }
    d.codes[i] = it->second;
  }
  return d;
}

// The risk summary of released classes of these sizes (classes of size 0 are ignored).
RiskSummary summarize(const std::vector<std::int64_t>& class_sizes, int k) {
  RiskSummary r;
  for (const std::int64_t size : class_sizes) {
    if (size == 0) continue;
    r.records += size;
    ++r.classes;
    if (r.smallest_class == 0 || size < r.smallest_class) r.smallest_class = size;
    if (size < k) r.records_at_risk += size;
  }
  if (r.records > 0) {
    r.highest_risk = 1.0 / static_cast<double>(r.smallest_class);
    r.average_risk = static_cast<double>(r.classes) / static_cast<double>(r.records);
  }
  return r;
}

// One quasi-identifier, encoded once for every level.
struct EncodedColumn {
  int height = 0;
  Dictionary raw;                                      // level 0, per record
  std::vector<std::vector<std::int32_t>> level_code;   // [level][raw code] -> code at level
  std::vector<std::vector<std::string>> level_values;  // [level][code] -> generalized value
};

Result<EncodedColumn> encode_column(const QuasiIdentifier& column, std::size_t count) {
  EncodedColumn e;
  e.height = column.hierarchy.height();
  e.raw = encode_values(column.values, count);
  const std::size_t distinct = e.raw.values.size();
  e.level_code.resize(static_cast<std::size_t>(e.height));
  e.level_values.resize(static_cast<std::size_t>(e.height));
  for (int h = 0; h < e.height; ++h) {
    auto& codes = e.level_code[static_cast<std::size_t>(h)];
    auto& values = e.level_values[static_cast<std::size_t>(h)];
    std::unordered_map<std::string, std::int32_t> index;
    codes.resize(distinct);
    for (std::size_t r = 0; r < distinct; ++r) {
      auto generalized = column.hierarchy.generalize(e.raw.values[r], h);
      if (!generalized.ok()) {
        return invalid_argument(fmt::format("column {}: record index {}: {}", quoted(column.name),
                                            e.raw.first_record[r], generalized.status().message()));
      }
      const auto [it, inserted] =
          index.try_emplace(*generalized, static_cast<std::int32_t>(values.size()));
      if (inserted) values.push_back(std::move(*generalized));
      codes[r] = it->second;
    }
  }
  // Monotonicity (and so the pruning) needs nested levels: level h + 1 a function of level h.
  // The factories' hierarchies are; this catches floating-point band edges.
  for (int h = 0; h + 1 < e.height; ++h) {
    const auto& lower = e.level_code[static_cast<std::size_t>(h)];
    const auto& upper = e.level_code[static_cast<std::size_t>(h) + 1];
    std::vector<std::int32_t> parent_of(e.level_values[static_cast<std::size_t>(h)].size(), -1);
    std::vector<std::int32_t> witness(parent_of.size(), -1);
    for (std::size_t r = 0; r < distinct; ++r) {
      auto& parent = parent_of[static_cast<std::size_t>(lower[r])];
      if (parent == -1) {
        parent = upper[r];
        witness[static_cast<std::size_t>(lower[r])] = static_cast<std::int32_t>(r);
      } else if (parent != upper[r]) {
        const auto w = static_cast<std::size_t>(witness[static_cast<std::size_t>(lower[r])]);
        return invalid_argument(fmt::format(
            "column {}: the hierarchy does not nest: {} and {} share {} at level {} but not "
            "their level {} value",
            quoted(column.name), quoted(e.raw.values[w]), quoted(e.raw.values[r]),
            quoted(e.level_values[static_cast<std::size_t>(h)][static_cast<std::size_t>(lower[r])]),
            h, h + 1));
      }
    }
  }
  return e;
}

// The equivalence classes of the atoms at one node of the lattice.
struct Classes {
  std::vector<std::int32_t> of_atom;
  std::vector<std::int64_t> size;      // records per class
  std::vector<std::int32_t> distinct;  // distinct sensitive values per class, when asked
};

// The table reduced to its distinct (quasi-identifier values, sensitive value) rows, "atoms",
// with their multiplicities: every node is evaluated on atoms, not records.
class Lattice {
 public:
  Lattice(std::vector<EncodedColumn> columns, const Dictionary* sensitive, std::size_t records)
      : columns_(std::move(columns)) {
    TupleIds tuples;
    tuples.begin(records);
    for (const auto& c : columns_) {
      tuples.add_column(c.raw.values.size(), [&](std::size_t i) { return c.raw.codes[i]; });
    }
    if (sensitive != nullptr) {
      sensitive_cardinality_ = sensitive->values.size();
      tuples.add_column(sensitive_cardinality_, [&](std::size_t i) { return sensitive->codes[i]; });
    }
    const std::int32_t atoms = tuples.finish(atom_of_record_);
    weight_.assign(static_cast<std::size_t>(atoms), 0);
    atom_raw_.assign(columns_.size(), std::vector<std::int32_t>(static_cast<std::size_t>(atoms)));
    atom_sensitive_.assign(static_cast<std::size_t>(atoms), 0);
    for (std::size_t i = 0; i < records; ++i) {
      const auto a = static_cast<std::size_t>(atom_of_record_[i]);
      if (weight_[a]++ > 0) continue;
      for (std::size_t j = 0; j < columns_.size(); ++j) atom_raw_[j][a] = columns_[j].raw.codes[i];
      if (sensitive != nullptr) atom_sensitive_[a] = sensitive->codes[i];
    }
  }

  const std::vector<EncodedColumn>& columns() const { return columns_; }
  std::int32_t atom_of_record(std::size_t i) const { return atom_of_record_[i]; }

  // The classes at `levels` (one per column). REQUIRES: with_distinct only with a sensitive
  // column.
  void classify(const std::vector<int>& levels, bool with_distinct, Classes& out) {
    const std::size_t atoms = weight_.size();
    tuples_.begin(atoms);
    for (std::size_t j = 0; j < columns_.size(); ++j) {
      const auto h = static_cast<std::size_t>(levels[j]);
      const std::int32_t* table = columns_[j].level_code[h].data();
      const std::int32_t* raw = atom_raw_[j].data();
      tuples_.add_column(columns_[j].level_values[h].size(),
                         [&](std::size_t a) { return table[raw[a]]; });
    }
    const std::int32_t classes = tuples_.finish(out.of_atom);
    out.size.assign(static_cast<std::size_t>(classes), 0);
    for (std::size_t a = 0; a < atoms; ++a) {
      out.size[static_cast<std::size_t>(out.of_atom[a])] += weight_[a];
    }
    out.distinct.clear();
    if (!with_distinct) return;
    out.distinct.assign(static_cast<std::size_t>(classes), 0);
    pairs_.reset(atoms);
    for (std::size_t a = 0; a < atoms; ++a) {
      const auto c = static_cast<std::uint64_t>(out.of_atom[a]);
      bool inserted = false;
      pairs_.id(c * sensitive_cardinality_ + static_cast<std::uint64_t>(atom_sensitive_[a]),
                &inserted);
      if (inserted) ++out.distinct[c];
    }
  }

 private:
  std::vector<EncodedColumn> columns_;
  std::uint64_t sensitive_cardinality_ = 1;
  std::vector<std::int32_t> atom_of_record_;
  std::vector<std::int64_t> weight_;                 // records per atom
  std::vector<std::vector<std::int32_t>> atom_raw_;  // [column][atom] -> raw code
  std::vector<std::int32_t> atom_sensitive_;         // [atom] -> sensitive code
  TupleIds tuples_;
  DenseIds pairs_;
};

// Whether a class may be released: at least k records and, when l > 0, l distinct values.
bool class_passes(const Classes& classes, std::size_t c, int k, int l) {
  return classes.size[c] >= k && (l == 0 || classes.distinct[c] >= l);
}

// The exact loss of a node, scaled to an integer: loss * records * columns * lcm of the
// (height - 1). A released cell at level h of a column of height H costs h / (H - 1), a
// suppressed record 1 per column.
struct Scale {
  std::int64_t lcm = 1;
  std::vector<std::int64_t> weight;  // lcm / (H - 1) per column
  std::int64_t per_record = 0;       // columns * lcm: a suppressed record
};

Status check_request(const AnonymizationRequest& request, std::size_t& records) {
  if (request.k < 1) {
    return invalid_argument(fmt::format("k must be at least 1, got {}", request.k));
  }
  if (request.l < 0) {
    return invalid_argument(
        fmt::format("l must be 0 (no l-diversity) or at least 1, got {}", request.l));
  }
  if (request.l > 0 && !request.sensitive) {
    return invalid_argument(
        fmt::format("l = {} needs a sensitive column to be diverse in", request.l));
  }
  if (!(request.max_suppression >= 0 && request.max_suppression <= 1)) {
    return invalid_argument(
        fmt::format("max_suppression must be in [0, 1], got {}", request.max_suppression));
  }
  records = !request.columns.empty() ? request.columns.front().values.size()
            : request.sensitive      ? request.sensitive->values.size()
                                     : 0;
  for (const auto& c : request.columns) {
    if (c.values.size() != records) {
      return invalid_argument(fmt::format("column {} has {} values, column {} has {}",
                                          quoted(c.name), c.values.size(),
                                          quoted(request.columns.front().name), records));
    }
  }
  if (request.sensitive && request.sensitive->values.size() != records) {
    return invalid_argument(
        fmt::format("sensitive column {} has {} values, the quasi-identifiers {}",
                    quoted(request.sensitive->name), request.sensitive->values.size(), records));
  }
  if (static_cast<std::int64_t>(records) > kMaxRecords) {
    return invalid_argument(
        fmt::format("{} records: at most {} can be anonymized at once", records, kMaxRecords));
  }
  std::int64_t nodes = 1;
  for (const auto& c : request.columns) {
    nodes *= c.hierarchy.height();
    if (nodes > kMaxLatticeNodes) {
      std::string heights;
      for (const auto& d : request.columns) {
        heights += fmt::format("{}{} {}", heights.empty() ? "" : ", ", quoted(d.name),
                               d.hierarchy.height());
      }
      return invalid_argument(fmt::format(
          "the lattice of generalizations has more than {} nodes (heights: {}): use fewer "
          "quasi-identifiers or shorter hierarchies",
          kMaxLatticeNodes, heights));
    }
  }
  return Status();
}

// The lattice search: state per node, the best satisfying node so far, and pruning.
class Search {
 public:
  Search(Lattice& lattice, const std::vector<int>& heights, std::int64_t records, int k, int l,
         std::int64_t budget)
      : lattice_(lattice), heights_(heights), records_(records), k_(k), l_(l), budget_(budget) {
    const std::size_t m = heights_.size();
    stride_.assign(m, 1);
    nodes_ = 1;
    for (std::size_t j = m; j-- > 0;) {
      stride_[j] = nodes_;
      nodes_ *= heights_[j];
    }
    for (const int h : heights_) scale_.lcm = std::lcm(scale_.lcm, std::int64_t{h - 1});
    for (const int h : heights_) scale_.weight.push_back(scale_.lcm / (h - 1));
    scale_.per_record = static_cast<std::int64_t>(m) * scale_.lcm;
    state_.assign(static_cast<std::size_t>(nodes_), kUnknown);
  }

  std::int64_t top() const { return nodes_ - 1; }
  std::int64_t evaluations() const { return evaluations_; }

  // Evaluates the top node (every column "*"): the table is satisfiable iff it passes.
  bool top_passes() { return evaluate(top()); }

  // REQUIRES: top_passes(). Returns the best node.
  std::int64_t run() {
    std::vector<std::pair<std::int64_t, std::int64_t>> order;  // (generalization cost, node)
    order.reserve(static_cast<std::size_t>(nodes_));
    for (std::int64_t node = 0; node < nodes_; ++node) order.emplace_back(cost(node), node);
    std::sort(order.begin(), order.end());
    for (const auto& [generalization, node] : order) {
      // With no suppression a node's loss is records * generalization; suppression only adds.
      if (records_ * generalization > best_loss_) break;
      if (state_[static_cast<std::size_t>(node)] == kUnknown) probe(node);
    }
    return best_;
  }

  std::vector<int> levels(std::int64_t node) const {
    std::vector<int> out(heights_.size());
    for (std::size_t j = 0; j < heights_.size(); ++j) {
      out[j] = static_cast<int>((node / stride_[j]) % heights_[j]);
    }
    return out;
  }

  const Scale& scale() const { return scale_; }
  Classes& classes() { return classes_; }

 private:
  enum State : std::uint8_t { kUnknown, kFails, kPasses };

  // Sum over columns of level * lcm / (height - 1).
  std::int64_t cost(std::int64_t node) const {
    std::int64_t c = 0;
    for (std::size_t j = 0; j < heights_.size(); ++j) {
      c += ((node / stride_[j]) % heights_[j]) * scale_.weight[j];
    }
    return c;
  }

  // Classifies the node, records whether it passes and, when it does, offers it as a candidate.
  bool evaluate(std::int64_t node) {
    ++evaluations_;
    lattice_.classify(levels(node), l_ > 0, classes_);
    std::int64_t suppressed = 0;
    for (std::size_t c = 0; c < classes_.size.size(); ++c) {
      if (!class_passes(classes_, c, k_, l_)) suppressed += classes_.size[c];
    }
    const bool passes = suppressed <= budget_ && suppressed < records_;
    if (!passes) {
      // A failing top means the search never runs: no need to mark the whole lattice.
      if (node == top()) {
        state_[static_cast<std::size_t>(node)] = kFails;
      } else {
        mark_failing_down(node);
      }
      return false;
    }
    state_[static_cast<std::size_t>(node)] = kPasses;
    const std::int64_t loss = (records_ - suppressed) * cost(node) + suppressed * scale_.per_record;
    if (best_ < 0 || loss < best_loss_ ||
        (loss == best_loss_ &&
         (suppressed < best_suppressed_ || (suppressed == best_suppressed_ && node < best_)))) {
      best_ = node;
      best_loss_ = loss;
      best_suppressed_ = suppressed;
    }
    return true;
  }

  // A node that fails has only failing generalizations below it (monotonicity): mark them all.
  // The failing nodes stay a down-set, so a marked node's own down-set is already marked.
  void mark_failing_down(std::int64_t node) {
    std::vector<std::int64_t> stack{node};
    state_[static_cast<std::size_t>(node)] = kFails;
    while (!stack.empty()) {
      const std::int64_t n = stack.back();
      stack.pop_back();
      for (std::size_t j = 0; j < heights_.size(); ++j) {
        if ((n / stride_[j]) % heights_[j] == 0) continue;
        const std::int64_t below = n - stride_[j];
        if (state_[static_cast<std::size_t>(below)] != kUnknown) continue;
        state_[static_cast<std::size_t>(below)] = kFails;
        stack.push_back(below);
      }
    }
  }

  bool passes(std::int64_t node) {
    switch (state_[static_cast<std::size_t>(node)]) {
      case kFails:
        return false;
      case kPasses:
        return true;
      case kUnknown:
        break;
    }
    return evaluate(node);
  }

  // Settles `node` by a binary search for the lowest passing node on a chain from it up to the
  // top, raising the least generalized column first (a diagonal through the lattice). Each
  // failing node evaluated on the way marks its whole down-set, which holds `node`.
  void probe(std::int64_t node) {
    std::vector<std::int64_t> chain{node};
    std::vector<int> at = levels(node);
    for (;;) {
      std::size_t raise = heights_.size();
      for (std::size_t j = 0; j < heights_.size(); ++j) {
        if (at[j] + 1 >= heights_[j]) continue;
        if (raise == heights_.size() ||
            at[j] * scale_.weight[j] < at[raise] * scale_.weight[raise]) {
          raise = j;
        }
      }
      if (raise == heights_.size()) break;
      ++at[raise];
      chain.push_back(chain.back() + stride_[raise]);
    }
    std::size_t lo = 0;
    std::size_t hi = chain.size() - 1;  // the top, which passes
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (passes(chain[mid])) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
  }

  Lattice& lattice_;
  const std::vector<int>& heights_;
  std::int64_t records_;
  int k_;
  int l_;
  std::int64_t budget_;
  std::vector<std::int64_t> stride_;
  std::int64_t nodes_ = 1;
  Scale scale_;
  std::vector<State> state_;
  Classes classes_;
  std::int64_t best_ = -1;
  std::int64_t best_loss_ = std::numeric_limits<std::int64_t>::max();
  std::int64_t best_suppressed_ = 0;
  std::int64_t evaluations_ = 0;
};

}  // namespace

RiskSummary measure_risk(std::span<const QuasiIdentifier> columns, int k) {
  if (columns.empty()) return RiskSummary{};
  std::size_t records = columns.front().values.size();
  for (const auto& c : columns) records = std::min(records, c.values.size());
  TupleIds tuples;
  tuples.begin(records);
  std::vector<Dictionary> dictionaries;
  dictionaries.reserve(columns.size());
  for (const auto& c : columns) {
    const Dictionary& d = dictionaries.emplace_back(encode_values(c.values, records));
    tuples.add_column(d.values.size(), [&](std::size_t i) { return d.codes[i]; });
  }
  std::vector<std::int32_t> class_of;
  std::vector<std::int64_t> sizes(static_cast<std::size_t>(tuples.finish(class_of)), 0);
  for (const std::int32_t c : class_of) ++sizes[static_cast<std::size_t>(c)];
  return summarize(sizes, k);
}

Result<AnonymizationResult> anonymize(const AnonymizationRequest& request) {
  std::size_t record_count = 0;
  CONSENTRIC_RETURN_IF_ERROR(check_request(request, record_count));
  const auto records = static_cast<std::int64_t>(record_count);
  const std::size_t m = request.columns.size();

  std::vector<EncodedColumn> encoded;
  std::vector<int> heights;
  for (const auto& c : request.columns) {
    CONSENTRIC_ASSIGN_OR_RETURN(auto e, encode_column(c, record_count));
    heights.push_back(e.height);
    encoded.push_back(std::move(e));
  }
  std::optional<Dictionary> sensitive;
  if (request.sensitive) sensitive = encode_values(request.sensitive->values, record_count);
  Lattice lattice(std::move(encoded), sensitive ? &*sensitive : nullptr, record_count);

  // floor(max_suppression * records), with a relative tolerance so that 0.29 * 100 is 29.
  const auto budget =
      std::min(records, static_cast<std::int64_t>(std::floor(
                            request.max_suppression * static_cast<double>(records) * (1 + 1e-12))));
  Search search(lattice, heights, records, request.k, request.l, budget);

  AnonymizationResult result;
  result.satisfied = search.top_passes();
  const std::int64_t chosen = result.satisfied ? search.run() : search.top();
  result.levels = search.levels(chosen);
  result.lattice_nodes = search.top() + 1;
  result.nodes_evaluated = search.evaluations();

  // The chosen node's classes, with the distinct sensitive values for smallest_l.
  Classes& classes = search.classes();
  lattice.classify(std::vector<int>(m, 0), false, classes);
  result.before = summarize(classes.size, request.k);
  lattice.classify(result.levels, sensitive.has_value(), classes);
  std::vector<bool> class_released(classes.size.size());
  std::vector<std::int64_t> released_sizes(classes.size.size(), 0);
  for (std::size_t c = 0; c < classes.size.size(); ++c) {
    class_released[c] = result.satisfied && class_passes(classes, c, request.k, request.l);
    if (!class_released[c]) continue;
    released_sizes[c] = classes.size[c];
    if (sensitive && (result.smallest_l == 0 || classes.distinct[c] < result.smallest_l)) {
      result.smallest_l = classes.distinct[c];
    }
  }
  result.after = summarize(released_sizes, request.k);

  result.suppressed.assign(record_count, false);
  result.values.assign(m, std::vector<std::string>(record_count));
  const std::string suppressed_value(kSuppressedValue);
  for (std::size_t i = 0; i < record_count; ++i) {
    const auto atom = static_cast<std::size_t>(lattice.atom_of_record(i));
    const bool released = class_released[static_cast<std::size_t>(classes.of_atom[atom])];
    result.suppressed[i] = !released;
    if (!released) ++result.suppressed_count;
    for (std::size_t j = 0; j < m; ++j) {
      if (!released) {
        result.values[j][i] = suppressed_value;
        continue;
      }
      const EncodedColumn& c = lattice.columns()[j];
      const auto h = static_cast<std::size_t>(result.levels[j]);
      const auto code =
          static_cast<std::size_t>(c.level_code[h][static_cast<std::size_t>(c.raw.codes[i])]);
      result.values[j][i] = c.level_values[h][code];
    }
  }
  for (std::size_t j = 0; j < m; ++j) {
    result.level_descriptions.push_back(request.columns[j].hierarchy.describe(result.levels[j]));
  }

  // The mean over records of the mean cell loss (a suppressed record loses 1); with no columns,
  // the fraction of records suppressed.
  if (!result.satisfied || records == 0) {
    result.information_loss = 1;
  } else if (m == 0) {
    result.information_loss =
        static_cast<double>(result.suppressed_count) / static_cast<double>(records);
  } else {
    const Scale& scale = search.scale();
    std::int64_t generalization = 0;
    for (std::size_t j = 0; j < m; ++j) generalization += result.levels[j] * scale.weight[j];
    const std::int64_t loss = (records - result.suppressed_count) * generalization +
                              result.suppressed_count * scale.per_record;
    result.information_loss = static_cast<double>(loss) / (static_cast<double>(records) *
                                                           static_cast<double>(scale.per_record));
  }

  if (!result.satisfied) {
    if (records < request.k) {
      result.shortfall =
          records == 0
              ? fmt::format("the table has no records: there is no class of k = {} to release",
                            request.k)
              : fmt::format(
                    "the table has {} records, fewer than k = {}: even with every "
                    "quasi-identifier suppressed they form one class smaller than k",
                    records, request.k);
    } else {
      const std::int32_t distinct =
          classes.distinct.empty()
              ? 0
              : *std::max_element(classes.distinct.begin(), classes.distinct.end());
      result.shortfall = fmt::format(
          "even with every quasi-identifier suppressed, the {} records hold only {} distinct "
          "values of {}, fewer than l = {}: no generalization or suppression can make them "
          "l-diverse",
          records, distinct, quoted(request.sensitive->name), request.l);
    }
  }
  return result;
}

}  // namespace consentric::disclose
