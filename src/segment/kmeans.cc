#include "segment/kmeans.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include "segment/kmeans_kernels.h"

namespace consentric::segment {
namespace {

using detail::PackedCentroids;
using detail::WorkerPool;

constexpr float kInfF = std::numeric_limits<float>::infinity();

// Rows per block in k-means++: sampling sums are kept per block, and thread ranges are
// aligned to blocks, so seeding does not depend on the thread count.
constexpr std::size_t kSeedBlock = 4096;

using detail::uniform01;
using detail::uniform_index;

int clamp_threads(int threads) { return std::max(1, threads); }

Status validate_shape(MatrixRef x, int k) {
  if (k < 1) return invalid_argument(fmt::format("k must be at least 1, got {}", k));
  if (x.cols == 0) return invalid_argument("k-means needs at least one column");
  if (x.rows < static_cast<std::size_t>(k)) {
    return invalid_argument(
        fmt::format("k-means with k = {} needs at least {} rows, got {}", k, k, x.rows));
  }
  if (x.data == nullptr) return invalid_argument("k-means: the matrix has no data");
  return Status();
}

// The first NaN or infinite value, split across the pool; reports the lowest index.
Status validate_finite(MatrixRef x, WorkerPool& pool) {
  const std::size_t n = x.rows * x.cols;
  std::vector<std::size_t> first(static_cast<std::size_t>(pool.size()), n);
  pool.run([&](int t) {
    const auto [b, e] = WorkerPool::range(n, t, pool.size());
    const std::size_t i = detail::find_nonfinite(x.data + b, e - b);
    if (i < e - b) first[static_cast<std::size_t>(t)] = b + i;
  });
  const std::size_t bad = *std::min_element(first.begin(), first.end());
  if (bad == n) return Status();
  const float v = x.data[bad];
  return invalid_argument(
      fmt::format("row {}, column {}: value is {}; impute or drop missing values before k-means",
                  bad / x.cols, bad % x.cols, std::isnan(v) ? "NaN" : "infinite"));
}

Status validate(MatrixRef x, int k, WorkerPool& pool) {
  CONSENTRIC_RETURN_IF_ERROR(validate_shape(x, k));
  return validate_finite(x, pool);
}

// Mean over columns of the population variance (shifted by row 0 for accuracy).
double mean_column_variance(MatrixRef x, WorkerPool& pool) {
  const std::size_t cols = x.cols;
  const int parts = pool.size();
  std::vector<double> sum(static_cast<std::size_t>(parts) * cols, 0.0);
  std::vector<double> sq(static_cast<std::size_t>(parts) * cols, 0.0);
  const float* shift = x.row(0);
  pool.run([&](int t) {
    const auto [b, e] = WorkerPool::range(x.rows, t, parts);
    double* s = sum.data() + static_cast<std::size_t>(t) * cols;
    double* q = sq.data() + static_cast<std::size_t>(t) * cols;
    for (std::size_t r = b; r < e; ++r) {
      const float* row = x.row(r);
      for (std::size_t d = 0; d < cols; ++d) {
        const double v = static_cast<double>(row[d]) - static_cast<double>(shift[d]);
        s[d] += v;
        q[d] += v * v;
      }
    }
  });
  double total = 0;
  const double n = static_cast<double>(x.rows);
  for (std::size_t d = 0; d < cols; ++d) {
    double s = 0;
    double q = 0;
    for (int t = 0; t < parts; ++t) {
      s += sum[static_cast<std::size_t>(t) * cols + d];
      q += sq[static_cast<std::size_t>(t) * cols + d];
    }
    const double mean = s / n;
    total += std::max(0.0, q / n - mean * mean);
  }
  return total / static_cast<double>(cols);
}

// Greedy k-means++ over validated input. Memory: one float per row plus per-block sums.
std::vector<float> seed_plus_plus(MatrixRef x, int k, std::uint64_t seed, WorkerPool& pool) {
  const std::size_t rows = x.rows;
  const std::size_t cols = x.cols;
  const std::size_t blocks = (rows + kSeedBlock - 1) / kSeedBlock;
  // scikit-learn's 2 + floor(ln k) candidates per step; at most 15, so that the candidates
  // and the pending centre fit in 16 lanes.
  const int trials =
      std::min(15, 2 + static_cast<int>(std::floor(std::log(static_cast<double>(k)))));
  std::mt19937_64 rng(seed);
  std::vector<float> centres(static_cast<std::size_t>(k) * cols);
  std::vector<float> closest(rows);
  auto set_centre = [&](int j, std::size_t row) {
    std::copy_n(x.row(row), cols, centres.begin() + static_cast<std::ptrdiff_t>(j * cols));
  };

  // Lane 0 of a pass is the pending centre (the last one chosen, not yet folded into
  // `closest`); lanes 1.. are the candidates. block_sums[t][b] = Σ over block b of
  // min(closest, d(candidate t)).
  std::vector<float> lanes_data;
  PackedCentroids packed;
  auto pack_rows = [&](const std::vector<std::size_t>& ids) {
    lanes_data.resize(ids.size() * cols);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      std::copy_n(x.row(ids[i]), cols, lanes_data.begin() + static_cast<std::ptrdiff_t>(i * cols));
    }
    detail::pack_centroids(lanes_data.data(), static_cast<int>(ids.size()), cols, &packed);
  };

  // First centre: uniform. Then closest = d² to it.
  std::size_t pending = uniform_index(rng, rows);
  set_centre(0, pending);
  std::vector<std::vector<double>> block_sums;
  std::vector<double> current(blocks, 0.0);
  pack_rows({pending});
  pool.run([&](int t) {
    const auto [b, e] = WorkerPool::range(rows, t, pool.size(), kSeedBlock);
    std::vector<float> d(kSeedBlock * static_cast<std::size_t>(packed.kpad));
    const std::size_t kpad = static_cast<std::size_t>(packed.kpad);
    for (std::size_t start = b; start < e; start += kSeedBlock) {
      const std::size_t stop = std::min(e, start + kSeedBlock);
      detail::exact_distances(x, packed, start, stop, d.data());
      double s = 0;
      for (std::size_t r = start; r < stop; ++r) {
        closest[r] = d[(r - start) * kpad];
        s += static_cast<double>(closest[r]);
      }
      current[start / kSeedBlock] = s;
    }
  });
  bool pending_folded = true;

  std::vector<float> walk(kSeedBlock * 8);
  std::vector<double> prefix(blocks + 1);
  for (int c = 1; c < k; ++c) {
    // Sample `trials` candidates ∝ the current closest d² (with the pending centre folded in
    // on the fly inside the chosen block).
    prefix[0] = 0;
    for (std::size_t b = 0; b < blocks; ++b) prefix[b + 1] = prefix[b] + current[b];
    const double pot = prefix[blocks];
    std::vector<std::size_t> candidates;
    PackedCentroids pending_packed;
    if (!pending_folded) {
      detail::pack_centroids(x.row(pending), 1, cols, &pending_packed);
    }
    for (int t = 0; t < trials; ++t) {
      const double r = uniform01(rng) * pot;
      if (!(pot > 0)) {
        candidates.push_back(uniform_index(rng, rows));
        continue;
      }
      // First block whose cumulative sum exceeds r, else the last block with weight.
      std::size_t blk = static_cast<std::size_t>(
          std::upper_bound(prefix.begin() + 1, prefix.end(), r) - (prefix.begin() + 1));
      if (blk >= blocks) {
        blk = blocks - 1;
        while (blk > 0 && !(current[blk] > 0)) --blk;
      }
      const std::size_t start = blk * kSeedBlock;
      const std::size_t stop = std::min(rows, start + kSeedBlock);
      if (!pending_folded) detail::exact_distances(x, pending_packed, start, stop, walk.data());
      const double target = r - prefix[blk];
      double acc = 0;
      std::size_t chosen = rows;
      std::size_t last_positive = start;
      for (std::size_t i = start; i < stop; ++i) {
        float w = closest[i];
        if (!pending_folded) w = std::min(w, walk[(i - start) * 8]);
        if (w > 0) last_positive = i;
        acc += static_cast<double>(w);
        if (acc > target && w > 0) {
          chosen = i;
          break;
        }
      }
      candidates.push_back(chosen == rows ? last_positive : chosen);
    }

    // One pass: fold the pending centre into `closest` and score every candidate.
    // Lanes: the candidates, then the pending centre (if any).
    std::vector<std::size_t> ids = candidates;
    const bool fold = !pending_folded;
    if (fold) ids.push_back(pending);
    pack_rows(ids);
    const std::size_t pending_lane = candidates.size();
    block_sums.assign(static_cast<std::size_t>(trials), std::vector<double>(blocks, 0.0));
    pool.run([&](int t) {
      const auto [b, e] = WorkerPool::range(rows, t, pool.size(), kSeedBlock);
      const std::size_t kpad = static_cast<std::size_t>(packed.kpad);
      std::vector<float> d(kSeedBlock * kpad);
      std::vector<double> s(kpad);
      for (std::size_t start = b; start < e; start += kSeedBlock) {
        const std::size_t stop = std::min(e, start + kSeedBlock);
        detail::exact_distances(x, packed, start, stop, d.data());
        // Every lane is summed (padding and the pending lane too, then ignored): fixed-width
        // loops the compiler vectorizes, and no sum waits on another.
        auto sum_block = [&](auto lanes) {
          constexpr std::size_t kLanes = decltype(lanes)::value;
          double acc[kLanes] = {};
          for (std::size_t r = start; r < stop; ++r) {
            const float* dr = d.data() + (r - start) * kLanes;
            float cl = closest[r];
            if (fold) {
              cl = std::min(cl, dr[pending_lane]);
              closest[r] = cl;
            }
            for (std::size_t j = 0; j < kLanes; ++j) {
              acc[j] += static_cast<double>(std::min(cl, dr[j]));
            }
          }
          std::copy_n(acc, kLanes, s.begin());
        };
        if (kpad == 8) {
          sum_block(std::integral_constant<std::size_t, 8>());
        } else {
          sum_block(std::integral_constant<std::size_t, 16>());
        }
        for (int j = 0; j < trials; ++j) {
          block_sums[static_cast<std::size_t>(j)][start / kSeedBlock] =
              s[static_cast<std::size_t>(j)];
        }
      }
    });
    int best = 0;
    double best_pot = std::numeric_limits<double>::infinity();
    for (int j = 0; j < trials; ++j) {
      double p = 0;
      for (double v : block_sums[static_cast<std::size_t>(j)]) p += v;
      if (p < best_pot) {
        best_pot = p;
        best = j;
      }
    }
    pending = candidates[static_cast<std::size_t>(best)];
    pending_folded = false;
    current = block_sums[static_cast<std::size_t>(best)];
    set_centre(c, pending);
  }
  return centres;
}

// Lloyd's iterations, plain or with Hamerly's bounds, over validated input.
class Lloyd {
 public:
  Lloyd(MatrixRef x, const KMeansOptions& options, std::vector<float> centroids, WorkerPool& pool)
      : x_(x),
        options_(options),
        k_(options.k),
        kz_(static_cast<std::size_t>(options.k)),
        cols_(x.cols),
        pool_(pool),
        parts_(static_cast<std::size_t>(pool.size())),
        centroids_(std::move(centroids)) {}

  KMeansResult run() {
    KMeansResult result;
    result.k = k_;
    result.cols = cols_;
    const double tol =
        options_.tolerance > 0 ? options_.tolerance * mean_column_variance(x_, pool_) : -1.0;
    const bool hamerly = options_.bounds == Bounds::kHamerly;
    labels_.assign(x_.rows, -1);
    if (hamerly) {
      // Not initialised: the first pass writes every row's bounds, and touches the pages in
      // parallel with its work instead of before it.
      upper_ = std::make_unique_for_overwrite<float[]>(x_.rows);
      lower_ = std::make_unique_for_overwrite<float[]>(x_.rows);
      drift_.assign(kz_, 0.0f);
      drift_other_.assign(kz_, 0.0f);
    }
    sums_.assign(kz_ * cols_, 0.0);
    counts_.assign(kz_, 0);
    thread_sums_.assign(parts_ * sums_stride(), 0.0);
    thread_counts_.assign(parts_ * counts_stride(), 0);
    thread_changed_.assign(parts_ * kPad, 0);
    thread_failed_.assign(parts_ * kPad, 0);

    for (int it = 1; it <= options_.max_iterations; ++it) {
      detail::pack_centroids(centroids_.data(), k_, cols_, &packed_);
      std::size_t changed = 0;
      if (!hamerly) {
        changed = lloyd_pass();
      } else {
        changed = hamerly_pass(/*first=*/it == 1);
      }
      changed += repair_empty(hamerly, &result.empty_cluster_repairs);
      const double shift = update_centroids(hamerly);
      result.iterations = it;
      if (options_.on_iteration) options_.on_iteration(it, changed);
      if (changed == 0 || shift <= tol) {
        result.converged = true;
        break;
      }
    }

    // Final assignment against the final centroids: every row, as plain Lloyd does (with
    // Hamerly every row would need its exact distance anyway). The bounds are freed first, so
    // that labels and distances are all this pass holds per row.
    upper_.reset();
    lower_.reset();
    result.distances.resize(x_.rows);
    result.inertia =
        assign_nearest(x_, centroids_, k_, labels_, result.distances, pool_.size());
    result.labels = std::move(labels_);
    result.centroids = std::move(centroids_);
    return result;
  }

 private:
  // Per-thread buffers are padded apart by 128 bytes: sharing a cache line across threads
  // (false sharing) would halve the speed of the pass.
  static constexpr std::size_t kPad = 16;
  // The share of rows failing the bound test above which the next Hamerly pass is dense.
  static constexpr double kDenseFraction = 0.35;
  std::size_t sums_stride() const { return kz_ * cols_ + kPad; }
  std::size_t counts_stride() const { return kz_ + kPad; }
  double* thread_sums(std::size_t t) { return thread_sums_.data() + t * sums_stride(); }
  std::int64_t* thread_counts(std::size_t t) { return thread_counts_.data() + t * counts_stride(); }

  // Adds the per-thread sums and counts to sums_/counts_ in thread order.
  void merge_threads() {
    for (std::size_t t = 0; t < parts_; ++t) {
      const double* s = thread_sums(t);
      const std::int64_t* n = thread_counts(t);
      for (std::size_t i = 0; i < kz_ * cols_; ++i) sums_[i] += s[i];
      for (std::size_t j = 0; j < kz_; ++j) counts_[j] += n[j];
    }
  }

  std::size_t total_changed() const {
    return std::accumulate(thread_changed_.begin(), thread_changed_.end(), std::size_t{0});
  }

  std::size_t lloyd_pass() {
    pool_.run([&](int ti) {
      const std::size_t t = static_cast<std::size_t>(ti);
      const auto [b, e] = WorkerPool::range(x_.rows, ti, pool_.size(), detail::kSumBlockRows);
      std::fill_n(thread_sums(t), kz_ * cols_, 0.0);
      std::fill_n(thread_counts(t), kz_, 0);
      thread_changed_[t * kPad] = detail::assign_accumulate(x_, packed_, b, e, labels_.data(),
                                                            thread_sums(t), thread_counts(t));
    });
    std::fill(sums_.begin(), sums_.end(), 0.0);
    std::fill(counts_.begin(), counts_.end(), 0);
    merge_threads();
    return total_changed();
  }

  // One pass with Hamerly's bounds; `first`: no bounds yet, every row is assigned.
  //
  // A pass is dense or sparse. A dense pass runs every row, in order, through the kernel of
  // the Lloyd pass (which also writes fresh bounds) and recomputes the sums. A sparse pass
  // moves the bounds by the centroids' drifts, and only the rows that fail the bound test go
  // through the kernel; rows that change cluster move their sums from the old centroid to the
  // new one. On overlapping clusters many rows fail in the early passes, and a sparse pass over
  // them (scattered rows, sums by differences) would cost more than the dense one: a pass is
  // dense when more than kDenseFraction of the rows failed the test in the previous pass.
  std::size_t hamerly_pass(bool first) {
    // Half the distance from each centroid to its nearest other centroid.
    std::vector<float> half(kz_, kInfF);
    for (std::size_t a = 0; a < kz_; ++a) {
      double best = std::numeric_limits<double>::infinity();
      for (std::size_t b = 0; b < kz_; ++b) {
        if (a == b) continue;
        double s = 0;
        for (std::size_t d = 0; d < cols_; ++d) {
          const double v = static_cast<double>(centroids_[a * cols_ + d]) -
                           static_cast<double>(centroids_[b * cols_ + d]);
          s += v * v;
        }
        best = std::min(best, s);
      }
      half[a] = static_cast<float>(0.5 * std::sqrt(best) * (1.0 - 1e-6));
    }
    const detail::BoundShift shift{drift_.data(), drift_other_.data(), half.data()};
    const bool dense =
        first || static_cast<double>(failed_) > kDenseFraction * static_cast<double>(x_.rows);

    pool_.run([&](int ti) {
      const std::size_t t = static_cast<std::size_t>(ti);
      const auto [b, e] = WorkerPool::range(x_.rows, ti, pool_.size(), detail::kSumBlockRows);
      double* sums = thread_sums(t);
      std::int64_t* counts = thread_counts(t);
      std::fill_n(sums, kz_ * cols_, 0.0);
      std::fill_n(counts, kz_, 0);
      std::int32_t* labels = labels_.data();
      float* upper = upper_.get();
      float* lower = lower_.get();
      std::size_t changed = 0;
      std::size_t failed = e - b;
      if (dense) {
        changed = detail::assign_bounds(x_, packed_, first ? nullptr : &shift, b, e, labels, upper,
                                        lower, sums, counts, &failed);
        if (first) failed = e - b;
      } else {
        // Chunk by chunk: the rows that fail the test join `failing` and are prefetched; the
        // kernel takes them in groups of 8 once kLag more have joined after them, by which
        // time they are on their way from memory.
        constexpr std::size_t kChunk = 64;
        constexpr std::size_t kKernelGroup = 8;
        constexpr std::size_t kLag = 32;
        std::size_t failing[kChunk + kLag + kKernelGroup];
        std::size_t n = 0;
        failed = 0;
        for (std::size_t start = b; start < e; start += kChunk) {
          const std::size_t stop = std::min(e, start + kChunk);
          const std::size_t m =
              detail::bound_filter(packed_, shift, start, stop, labels, upper, lower, failing + n);
          for (std::size_t i = n; i < n + m; ++i) {
            const float* row = x_.row(failing[i]);
            // Into L2 (locality 2): more misses can be in flight there than in L1, and a
            // scattered row's wait for memory, not the kernel, bounds a sparse pass.
            __builtin_prefetch(row, 0, 2);
            __builtin_prefetch(row + cols_ - 1, 0, 2);
          }
          failed += m;
          n += m;
          if (n < kLag + kKernelGroup) continue;
          const std::size_t ready = (n - kLag) / kKernelGroup * kKernelGroup;
          changed += detail::reassign_rows(x_, packed_, failing, ready, labels, upper, lower, sums,
                                           counts);
          std::copy(failing + ready, failing + n, failing);
          n -= ready;
        }
        changed += detail::reassign_rows(x_, packed_, failing, n, labels, upper, lower, sums,
                                         counts);
      }
      thread_changed_[t * kPad] = changed;
      thread_failed_[t * kPad] = failed;
    });
    if (dense) {
      std::fill(sums_.begin(), sums_.end(), 0.0);
      std::fill(counts_.begin(), counts_.end(), 0);
    }
    merge_threads();
    failed_ = std::accumulate(thread_failed_.begin(), thread_failed_.end(), std::size_t{0});
    return total_changed();
  }

  // Moves each empty cluster to the row farthest from its centroid (scikit-learn's rule;
  // ties: lowest row). Returns the rows moved.
  std::size_t repair_empty(bool hamerly, int* repairs) {
    std::vector<std::size_t> empty;
    for (std::size_t j = 0; j < kz_; ++j) {
      if (counts_[j] == 0) empty.push_back(j);
    }
    if (empty.empty()) return 0;
    const std::size_t want = empty.size();
    using Far = std::pair<float, std::size_t>;  // (d², row)
    auto farther = [](const Far& a, const Far& b) {
      return a.first > b.first || (a.first == b.first && a.second < b.second);
    };
    std::vector<std::vector<Far>> tops(parts_);
    pool_.run([&](int ti) {
      const auto [b, e] = WorkerPool::range(x_.rows, ti, pool_.size());
      std::vector<Far>& top = tops[static_cast<std::size_t>(ti)];
      for (std::size_t r = b; r < e; ++r) {
        const float d = detail::squared_distance(
            x_.row(r), centroids_.data() + static_cast<std::size_t>(labels_[r]) * cols_, cols_);
        if (top.size() == want && !farther({d, r}, top.back())) continue;
        top.insert(std::upper_bound(top.begin(), top.end(), Far{d, r}, farther), Far{d, r});
        if (top.size() > want) top.pop_back();
      }
    });
    std::vector<Far> all;
    for (const auto& top : tops) all.insert(all.end(), top.begin(), top.end());
    std::sort(all.begin(), all.end(), farther);
    std::size_t moved = 0;
    for (std::size_t i = 0; i < want && i < all.size(); ++i) {
      const std::size_t j = empty[i];
      const std::size_t r = all[i].second;
      const std::size_t old = static_cast<std::size_t>(labels_[r]);
      const float* row = x_.row(r);
      for (std::size_t d = 0; d < cols_; ++d) {
        sums_[old * cols_ + d] -= static_cast<double>(row[d]);
        sums_[j * cols_ + d] = static_cast<double>(row[d]);
      }
      --counts_[old];
      counts_[j] = 1;
      labels_[r] = static_cast<std::int32_t>(j);
      if (hamerly) {
        upper_[r] = 0;
        lower_[r] = 0;
      }
      ++moved;
      ++*repairs;
    }
    return moved;
  }

  // Centroids = sums / counts. Returns Σ squared shift; with Hamerly, records the drifts.
  double update_centroids(bool hamerly) {
    double total = 0;
    std::vector<double> shift(kz_, 0.0);
    for (std::size_t j = 0; j < kz_; ++j) {
      if (counts_[j] <= 0) continue;  // keep a centroid that lost every row
      const double n = static_cast<double>(counts_[j]);
      double s = 0;
      for (std::size_t d = 0; d < cols_; ++d) {
        const float v = static_cast<float>(sums_[j * cols_ + d] / n);
        const double diff = static_cast<double>(v) - static_cast<double>(centroids_[j * cols_ + d]);
        s += diff * diff;
        centroids_[j * cols_ + d] = v;
      }
      shift[j] = s;
      total += s;
    }
    if (hamerly) {
      std::size_t arg_max = 0;
      double max1 = 0;
      double max2 = 0;
      for (std::size_t j = 0; j < kz_; ++j) {
        const double p = std::sqrt(shift[j]) * (1.0 + 1e-6);
        drift_[j] = static_cast<float>(p);
        if (p > max1) {
          max2 = max1;
          max1 = p;
          arg_max = j;
        } else if (p > max2) {
          max2 = p;
        }
      }
      for (std::size_t j = 0; j < kz_; ++j) {
        drift_other_[j] = static_cast<float>(j == arg_max ? max2 : max1);
      }
    }
    return total;
  }

  MatrixRef x_;
  const KMeansOptions& options_;
  int k_;
  std::size_t kz_;
  std::size_t cols_;
  WorkerPool& pool_;
  std::size_t parts_;
  std::vector<float> centroids_;
  PackedCentroids packed_;
  std::vector<std::int32_t> labels_;
  std::unique_ptr<float[]> upper_;
  std::unique_ptr<float[]> lower_;
  std::vector<float> drift_;        // per centroid: how far it moved in the last update
  std::vector<float> drift_other_;  // per centroid: the largest drift of any other centroid
  std::vector<double> sums_;
  std::vector<std::int64_t> counts_;
  std::vector<double> thread_sums_;
  std::vector<std::int64_t> thread_counts_;
  std::vector<std::size_t> thread_changed_;
  std::vector<std::size_t> thread_failed_;
  std::size_t failed_ = 0;  // rows that failed the bound test in the last Hamerly pass
};

}  // namespace

// ---- Scaler ----

void Scaler::apply(float* data, std::size_t rows, std::size_t cols) const {
  if (kind == Scaling::kNone || center.size() != cols || scale.size() != cols) return;
  for (std::size_t r = 0; r < rows; ++r) {
    float* row = data + r * cols;
    for (std::size_t d = 0; d < cols; ++d) {
      row[d] = static_cast<float>((static_cast<double>(row[d]) - center[d]) / scale[d]);
    }
  }
}

void Scaler::unapply(float* data, std::size_t rows, std::size_t cols) const {
  if (kind == Scaling::kNone || center.size() != cols || scale.size() != cols) return;
  for (std::size_t r = 0; r < rows; ++r) {
    float* row = data + r * cols;
    for (std::size_t d = 0; d < cols; ++d) {
      row[d] = static_cast<float>(static_cast<double>(row[d]) * scale[d] + center[d]);
    }
  }
}

Scaler fit_scaler(MatrixRef x, Scaling kind) {
  Scaler s;
  s.kind = kind;
  s.center.assign(x.cols, 0.0);
  s.scale.assign(x.cols, 1.0);
  if (kind == Scaling::kNone || x.rows == 0) return s;
  const double n = static_cast<double>(x.rows);
  std::vector<double> std_dev(x.cols, 0.0);
  for (std::size_t d = 0; d < x.cols; ++d) {
    double sum = 0;
    for (std::size_t r = 0; r < x.rows; ++r) sum += static_cast<double>(x.row(r)[d]);
    const double mean = sum / n;
    double sq = 0;
    for (std::size_t r = 0; r < x.rows; ++r) {
      const double v = static_cast<double>(x.row(r)[d]) - mean;
      sq += v * v;
    }
    std_dev[d] = std::sqrt(sq / n);
    s.center[d] = mean;
  }
  if (kind == Scaling::kZScore) {
    for (std::size_t d = 0; d < x.cols; ++d) s.scale[d] = std_dev[d] > 0 ? std_dev[d] : 1.0;
    return s;
  }
  // Robust: median and interquartile range, quantiles interpolated linearly between order
  // statistics (numpy's default).
  std::vector<float> col(x.rows);
  auto quantile = [&](double q) {
    const double pos = q * (n - 1);
    const std::size_t lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, x.rows - 1);
    std::nth_element(col.begin(), col.begin() + static_cast<std::ptrdiff_t>(lo), col.end());
    const double a = col[lo];
    double b = a;
    if (hi != lo) {
      b = *std::min_element(col.begin() + static_cast<std::ptrdiff_t>(hi), col.end());
    }
    return a + (b - a) * (pos - static_cast<double>(lo));
  };
  for (std::size_t d = 0; d < x.cols; ++d) {
    for (std::size_t r = 0; r < x.rows; ++r) col[r] = x.row(r)[d];
    const double median = quantile(0.5);
    const double iqr = quantile(0.75) - quantile(0.25);
    s.center[d] = median;
    s.scale[d] = iqr > 0 ? iqr : (std_dev[d] > 0 ? std_dev[d] : 1.0);
  }
  return s;
}

// ---- k-means ----

Result<std::vector<float>> kmeans_plus_plus(MatrixRef x, int k, std::uint64_t seed, int threads) {
  WorkerPool pool(clamp_threads(threads));
  CONSENTRIC_RETURN_IF_ERROR(validate(x, k, pool));
  return seed_plus_plus(x, k, seed, pool);
}

Result<KMeansResult> kmeans(MatrixRef x, const KMeansOptions& options,
                            std::span<const float> initial) {
  CONSENTRIC_RETURN_IF_ERROR(validate_shape(x, options.k));
  if (options.max_iterations < 0) {
    return invalid_argument(
        fmt::format("max_iterations must not be negative, got {}", options.max_iterations));
  }
  if (!(options.tolerance >= 0) || !std::isfinite(options.tolerance)) {
    return invalid_argument(
        fmt::format("tolerance must be a finite number >= 0, got {}", options.tolerance));
  }
  const std::size_t want = static_cast<std::size_t>(options.k) * x.cols;
  if (!initial.empty() && initial.size() != want) {
    return invalid_argument(
        fmt::format("initial centroids: expected k × cols = {} × {} = {} values, got {}", options.k,
                    x.cols, want, initial.size()));
  }
  if (!initial.empty()) {
    const std::size_t bad = detail::find_nonfinite(initial.data(), initial.size());
    if (bad < initial.size()) {
      return invalid_argument(fmt::format("initial centroid {}, column {}: value is not finite",
                                          bad / x.cols, bad % x.cols));
    }
  }
  WorkerPool pool(clamp_threads(options.threads));
  CONSENTRIC_RETURN_IF_ERROR(validate_finite(x, pool));
  std::vector<float> centroids = initial.empty()
                                     ? seed_plus_plus(x, options.k, options.seed, pool)
                                     : std::vector<float>(initial.begin(), initial.end());
  Lloyd lloyd(x, options, std::move(centroids), pool);
  return lloyd.run();
}

double assign_nearest(MatrixRef x, std::span<const float> centroids, int k,
                      std::span<std::int32_t> labels, std::span<float> distances, int threads) {
  if (k < 1 || centroids.size() < static_cast<std::size_t>(k) * x.cols || labels.size() < x.rows) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  PackedCentroids packed;
  detail::pack_centroids(centroids.data(), k, x.cols, &packed);
  WorkerPool pool(clamp_threads(threads));
  std::vector<double> partial(static_cast<std::size_t>(pool.size()), 0.0);
  float* dist = distances.size() >= x.rows ? distances.data() : nullptr;
  pool.run([&](int t) {
    const auto [b, e] = WorkerPool::range(x.rows, t, pool.size());
    partial[static_cast<std::size_t>(t)] =
        detail::assign_exact(x, packed, centroids.data(), b, e, labels.data(), dist);
  });
  return std::accumulate(partial.begin(), partial.end(), 0.0);
}

Result<KMeansResult> minibatch_kmeans(MatrixRef x, const MiniBatchOptions& options) {
  CONSENTRIC_RETURN_IF_ERROR(validate_shape(x, options.k));
  if (options.batch_size < 1) return invalid_argument("batch_size must be at least 1");
  if (options.max_batches < 1) {
    return invalid_argument(
        fmt::format("max_batches must be at least 1, got {}", options.max_batches));
  }
  WorkerPool pool(clamp_threads(options.threads));
  CONSENTRIC_RETURN_IF_ERROR(validate_finite(x, pool));
  const int k = options.k;
  const std::size_t kz = static_cast<std::size_t>(k);
  const std::size_t cols = x.cols;
  std::mt19937_64 rng(options.seed);

  // Start from k-means on a sample: a few k-means++ seedings, each refined by Lloyd on the
  // sample, the lowest sample inertia wins. (One seeding alone can leave two centres in one
  // blob, and Sculley's updates rarely get out of that.)
  const std::size_t init_size = std::min(
      x.rows,
      std::max<std::size_t>(10 * kz, std::min<std::size_t>(20 * options.batch_size, 100000)));
  const std::vector<std::size_t> init_rows = detail::sample_rows(x.rows, init_size, rng);
  std::vector<float> init_data(init_rows.size() * cols);
  for (std::size_t i = 0; i < init_rows.size(); ++i) {
    std::copy_n(x.row(init_rows[i]), cols,
                init_data.begin() + static_cast<std::ptrdiff_t>(i * cols));
  }
  const MatrixRef sample{init_data.data(), init_rows.size(), cols};
  constexpr int kInitTrials = 3;
  std::vector<float> centroids;
  double best_inertia = std::numeric_limits<double>::infinity();
  for (int trial = 0; trial < kInitTrials; ++trial) {
    KMeansOptions init_options{.k = k, .max_iterations = 100, .bounds = Bounds::kNone};
    init_options.seed = rng();
    Lloyd lloyd(sample, init_options, seed_plus_plus(sample, k, init_options.seed, pool), pool);
    KMeansResult r = lloyd.run();
    if (r.inertia < best_inertia) {
      best_inertia = r.inertia;
      centroids = std::move(r.centroids);
    }
  }
  std::vector<float>().swap(init_data);

  std::vector<double> centres(centroids.begin(), centroids.end());
  std::vector<double> weight(kz, 0.0);
  const std::size_t batch = options.batch_size;
  std::vector<std::size_t> rows(batch);
  std::vector<std::int32_t> label(batch);
  std::vector<float> best(batch);
  PackedCentroids packed;
  std::vector<double> batch_sums(kz * cols);
  std::vector<double> batch_counts(kz);
  double ewa = 0;
  double ewa_min = std::numeric_limits<double>::infinity();
  int no_improvement = 0;
  bool converged = false;
  int done = 0;
  const double alpha =
      std::min(1.0, 2.0 * static_cast<double>(batch) / (static_cast<double>(x.rows) + 1.0));
  for (int b = 1; b <= options.max_batches; ++b) {
    for (std::size_t i = 0; i < batch; ++i) rows[i] = uniform_index(rng, x.rows);
    std::sort(rows.begin(), rows.end());  // friendlier to the memory system
    detail::pack_centroids(centroids.data(), k, cols, &packed);
    pool.run([&](int t) {
      const auto [lo, hi] = WorkerPool::range(batch, t, pool.size());
      detail::nearest_rows(x, packed, rows.data() + lo, hi - lo, label.data() + lo,
                           best.data() + lo);
    });
    double inertia = 0;
    std::fill(batch_sums.begin(), batch_sums.end(), 0.0);
    std::fill(batch_counts.begin(), batch_counts.end(), 0.0);
    for (std::size_t i = 0; i < batch; ++i) {
      inertia += static_cast<double>(best[i]);
      const std::size_t j = static_cast<std::size_t>(label[i]);
      const float* row = x.row(rows[i]);
      for (std::size_t d = 0; d < cols; ++d) batch_sums[j * cols + d] += row[d];
      batch_counts[j] += 1;
    }
    // Sculley's update with per-centre learning rate 1 / count: the batch's rows of centre j
    // move it to the running mean of every row it has been given.
    for (std::size_t j = 0; j < kz; ++j) {
      if (batch_counts[j] == 0) continue;
      const double w = weight[j] + batch_counts[j];
      for (std::size_t d = 0; d < cols; ++d) {
        double& c = centres[j * cols + d];
        c = (c * weight[j] + batch_sums[j * cols + d]) / w;
        centroids[j * cols + d] = static_cast<float>(c);
      }
      weight[j] = w;
    }
    done = b;
    if (options.on_batch) options.on_batch(b);
    const double per_row = inertia / static_cast<double>(batch);
    ewa = b == 1 ? per_row : ewa * (1 - alpha) + per_row * alpha;
    if (ewa < ewa_min) {
      ewa_min = ewa;
      no_improvement = 0;
    } else if (++no_improvement >= options.patience && options.patience > 0) {
      converged = true;
      break;
    }
  }

  KMeansResult result;
  result.k = k;
  result.cols = cols;
  result.iterations = done;
  result.converged = converged;
  result.labels.resize(x.rows);
  result.distances.resize(x.rows);
  result.inertia = assign_nearest(x, centroids, k, result.labels, result.distances, pool.size());
  result.centroids = std::move(centroids);
  return result;
}

}  // namespace consentric::segment
