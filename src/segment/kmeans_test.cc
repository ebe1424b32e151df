#include "segment/kmeans.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "segment/kmeans_kernels.h"
#include "testing/status_matchers.h"

namespace consentric::segment {
namespace {

using ::consentric::testing::StatusIs;
using ::testing::HasSubstr;

struct Data {
  std::vector<float> values;
  std::size_t rows = 0;
  std::size_t cols = 0;
  MatrixRef ref() const { return {values.data(), rows, cols}; }
};

Data gaussian(std::size_t rows, std::size_t cols, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Data d{std::vector<float>(rows * cols), rows, cols};
  for (float& v : d.values) v = normal(rng);
  return d;
}

// `per_blob` rows around each centre (centres: blobs × cols), spread sigma; rows interleaved.
Data blobs(const std::vector<std::vector<float>>& centres, std::size_t per_blob, float sigma,
           std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, sigma);
  const std::size_t cols = centres[0].size();
  Data d{{}, per_blob * centres.size(), cols};
  d.values.reserve(d.rows * cols);
  for (std::size_t i = 0; i < per_blob; ++i) {
    for (const auto& c : centres) {
      for (std::size_t j = 0; j < cols; ++j) d.values.push_back(c[j] + normal(rng));
    }
  }
  return d;
}

std::vector<std::vector<float>> corners(float side) {
  return {{0, 0}, {side, 0}, {0, side}, {side, side}};
}

// k distinct rows of x, as initial centroids.
std::vector<float> pick_rows(const Data& x, int k, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::size_t> idx(x.rows);
  for (std::size_t i = 0; i < x.rows; ++i) idx[i] = i;
  std::shuffle(idx.begin(), idx.end(), rng);
  std::vector<float> c;
  for (int j = 0; j < k; ++j) {
    c.insert(c.end(), x.values.begin() + static_cast<std::ptrdiff_t>(idx[j] * x.cols),
             x.values.begin() + static_cast<std::ptrdiff_t>((idx[j] + 1) * x.cols));
  }
  return c;
}

// Squared Euclidean distance in double from row r of x to centroid j of c (k × cols).
double squared_to(const Data& x, std::size_t r, const std::vector<float>& c, int j) {
  const std::size_t cols = x.cols;
  double s = 0;
  for (std::size_t d = 0; d < cols; ++d) {
    const double v = static_cast<double>(x.values[r * cols + d]) -
                     static_cast<double>(c[static_cast<std::size_t>(j) * cols + d]);
    s += v * v;
  }
  return s;
}

struct Reference {
  std::vector<std::int32_t> labels;
  double inertia = 0;
  int iterations = 0;
};

// Deliberately simple Lloyd in double: exact distances, ties to the lowest index, centroids
// rounded to float like the engine's, stop when no label changes.
Reference reference_lloyd(const Data& x, int k, std::vector<float> c, int max_iterations) {
  const std::size_t cols = x.cols;
  Reference ref;
  ref.labels.assign(x.rows, -1);
  auto assign = [&](bool* changed) {
    double inertia = 0;
    for (std::size_t r = 0; r < x.rows; ++r) {
      double best = std::numeric_limits<double>::infinity();
      std::int32_t arg = 0;
      for (int j = 0; j < k; ++j) {
        const double s = squared_to(x, r, c, j);
        if (s < best) {
          best = s;
          arg = j;
        }
      }
      if (ref.labels[r] != arg) *changed = true;
      ref.labels[r] = arg;
      inertia += best;
    }
    return inertia;
  };
  for (int it = 1; it <= max_iterations; ++it) {
    bool changed = false;
    assign(&changed);
    std::vector<double> sums(static_cast<std::size_t>(k) * cols, 0.0);
    std::vector<double> counts(static_cast<std::size_t>(k), 0.0);
    for (std::size_t r = 0; r < x.rows; ++r) {
      const std::size_t j = static_cast<std::size_t>(ref.labels[r]);
      for (std::size_t d = 0; d < cols; ++d) sums[j * cols + d] += x.values[r * cols + d];
      counts[j] += 1;
    }
    for (std::size_t j = 0; j < static_cast<std::size_t>(k); ++j) {
      if (counts[j] == 0) continue;
      for (std::size_t d = 0; d < cols; ++d) {
        c[j * cols + d] = static_cast<float>(sums[j * cols + d] / counts[j]);
      }
    }
    ref.iterations = it;
    if (!changed) break;
  }
  bool ignored = false;
  ref.inertia = assign(&ignored);
  return ref;
}

KMeansResult run_ok(const Data& x, const KMeansOptions& options,
                    std::span<const float> initial = {}) {
  Result<KMeansResult> r = kmeans(x.ref(), options, initial);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? std::move(r).value() : KMeansResult{};
}

// Restores the AVX2 kernels when a test that forced the portable ones ends.
struct PortableGuard {
  PortableGuard() { detail::force_portable_kernels(true); }
  ~PortableGuard() { detail::force_portable_kernels(false); }
};

TEST(KMeansTest, OneDimensionalByHand) {
  const Data x{{0, 1, 10, 11}, 4, 1};
  const std::vector<float> init{0, 11};
  const KMeansResult m = run_ok(x, {.k = 2}, init);
  EXPECT_THAT(m.centroids, ::testing::ElementsAre(0.5f, 10.5f));
  EXPECT_THAT(m.labels, ::testing::ElementsAre(0, 0, 1, 1));
  EXPECT_THAT(m.distances, ::testing::ElementsAre(0.5f, 0.5f, 0.5f, 0.5f));
  EXPECT_DOUBLE_EQ(m.inertia, 1.0);
  EXPECT_TRUE(m.converged);

  // Seeded by k-means++ instead: the same partition, whichever order.
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    const KMeansResult s = run_ok(x, {.k = 2, .seed = seed});
    EXPECT_DOUBLE_EQ(s.inertia, 1.0) << "seed " << seed;
    EXPECT_EQ(std::min(s.centroids[0], s.centroids[1]), 0.5f);
  }
}

TEST(KMeansTest, TwoDimensionalByHand) {
  const Data x{{0, 0, 0, 2, 2, 0, 2, 2, 10, 10, 10, 12, 12, 10, 12, 12}, 8, 2};
  for (Bounds bounds : {Bounds::kNone, Bounds::kHamerly}) {
    const std::vector<float> init{0, 0, 2, 2};  // both start in the first square
    const KMeansResult m = run_ok(x, {.k = 2, .bounds = bounds, .threads = 1}, init);
    std::vector<float> c = m.centroids;
    if (c[0] > c[2]) std::swap_ranges(c.begin(), c.begin() + 2, c.begin() + 2);
    EXPECT_THAT(c, ::testing::ElementsAre(1, 1, 11, 11));
    EXPECT_DOUBLE_EQ(m.inertia, 16.0);
    EXPECT_EQ(m.labels[0], m.labels[3]);
    EXPECT_NE(m.labels[0], m.labels[4]);
    for (float d : m.distances) EXPECT_FLOAT_EQ(d, std::sqrt(2.0f));
  }
}

TEST(KMeansTest, MatchesReferenceLloyd) {
  struct Case {
    std::size_t rows, cols;
    int k;
    std::uint64_t seed;
  };
  for (const Case& c : {Case{600, 3, 5, 1}, Case{500, 16, 8, 2}, Case{700, 13, 11, 3},
                        Case{400, 20, 17, 4}, Case{300, 1, 3, 5}, Case{513, 9, 8, 6}}) {
    const Data x = gaussian(c.rows, c.cols, c.seed);
    const std::vector<float> init = pick_rows(x, c.k, c.seed + 100);
    const Reference ref = reference_lloyd(x, c.k, init, 200);
    for (Bounds bounds : {Bounds::kNone, Bounds::kHamerly}) {
      SCOPED_TRACE(::testing::Message() << "rows " << c.rows << " cols " << c.cols << " k " << c.k
                                        << " hamerly " << (bounds == Bounds::kHamerly));
      const KMeansResult m =
          run_ok(x, {.k = c.k, .max_iterations = 200, .tolerance = 0, .bounds = bounds}, init);
      EXPECT_EQ(m.labels, ref.labels);
      EXPECT_NEAR(m.inertia, ref.inertia, 1e-6 * ref.inertia);
      EXPECT_EQ(m.iterations, ref.iterations);
      EXPECT_TRUE(m.converged);
      double sum_sq = 0;
      for (float d : m.distances) sum_sq += static_cast<double>(d) * d;
      EXPECT_NEAR(sum_sq, m.inertia, 1e-5 * m.inertia);
    }
  }
}

TEST(KMeansTest, HamerlyEqualsLloydEveryIteration) {
  const Data x = gaussian(4000, 6, 11);
  for (int k : {3, 10}) {
    std::vector<std::size_t> plain_changes;
    std::vector<std::size_t> hamerly_changes;
    KMeansOptions options{.k = k, .max_iterations = 300, .tolerance = 0, .seed = 3};
    options.bounds = Bounds::kNone;
    options.on_iteration = [&](int, std::size_t changed) { plain_changes.push_back(changed); };
    const KMeansResult plain = run_ok(x, options);
    options.bounds = Bounds::kHamerly;
    options.on_iteration = [&](int, std::size_t changed) { hamerly_changes.push_back(changed); };
    const KMeansResult hamerly = run_ok(x, options);
    EXPECT_EQ(plain_changes, hamerly_changes) << "k " << k;
    EXPECT_EQ(plain.labels, hamerly.labels);
    EXPECT_EQ(plain.iterations, hamerly.iterations);
    EXPECT_NEAR(plain.inertia, hamerly.inertia, 1e-6 * plain.inertia);
    ASSERT_EQ(plain.centroids.size(), hamerly.centroids.size());
    for (std::size_t i = 0; i < plain.centroids.size(); ++i) {
      EXPECT_NEAR(plain.centroids[i], hamerly.centroids[i], 1e-5);
    }
  }
}

// Overlapping blobs make Hamerly's passes dense early and sparse later: both kinds, and the
// 8-row kernel specialised for 16 columns, must still give Lloyd's labels in every iteration.
TEST(KMeansTest, HamerlyEqualsLloydOnOverlappingBlobs) {
  std::mt19937_64 rng(17);
  std::normal_distribution<float> normal(0.0f, 2.0f);
  for (std::size_t cols : {16u, 5u}) {
    std::vector<std::vector<float>> centres(8, std::vector<float>(cols));
    for (auto& c : centres) {
      for (float& v : c) v = normal(rng);
    }
    const Data x = blobs(centres, 2500, 1.5f, cols);
    for (int k : {8, 11}) {
      const std::vector<float> init = pick_rows(x, k, 4);
      std::vector<std::size_t> plain_changes;
      std::vector<std::size_t> hamerly_changes;
      KMeansOptions options{.k = k, .max_iterations = 300, .tolerance = 0};
      options.bounds = Bounds::kNone;
      options.on_iteration = [&](int, std::size_t changed) { plain_changes.push_back(changed); };
      const KMeansResult plain = run_ok(x, options, init);
      options.bounds = Bounds::kHamerly;
      options.on_iteration = [&](int, std::size_t changed) { hamerly_changes.push_back(changed); };
      const KMeansResult hamerly = run_ok(x, options, init);
      SCOPED_TRACE(::testing::Message() << "cols " << cols << " k " << k);
      EXPECT_GT(plain.iterations, 10);
      EXPECT_EQ(plain_changes, hamerly_changes);
      EXPECT_EQ(plain.labels, hamerly.labels);
      EXPECT_NEAR(plain.inertia, hamerly.inertia, 1e-6 * plain.inertia);
    }
  }
}

// The bounds of a Hamerly pass hold against distances computed in double, also far from the
// origin, where the fast form ||x||² − 2 x·c + ||c||² loses most to cancellation.
TEST(KMeansTest, HamerlyBoundsHoldAgainstExactDistances) {
  for (bool portable : {false, true}) {
    std::unique_ptr<PortableGuard> guard;
    if (portable) guard = std::make_unique<PortableGuard>();
    for (int k : {1, 3, 8, 13}) {
      for (std::size_t cols : {1u, 7u, 16u, 33u}) {
        Data x = gaussian(1001, cols, 40 + cols);
        for (float& v : x.values) v = 1000.0f + 0.01f * v;
        const std::vector<float> c = pick_rows(x, k, 5);
        detail::PackedCentroids packed;
        detail::pack_centroids(c.data(), k, cols, &packed);
        std::vector<std::int32_t> labels(x.rows, -1);
        std::vector<float> upper(x.rows);
        std::vector<float> lower(x.rows);
        std::vector<double> sums(static_cast<std::size_t>(k) * cols);
        std::vector<std::int64_t> counts(static_cast<std::size_t>(k));
        std::size_t failed = 0;
        detail::assign_bounds(x.ref(), packed, nullptr, 0, x.rows, labels.data(), upper.data(),
                              lower.data(), sums.data(), counts.data(), &failed);
        // And through the sparse kernel, for every other row.
        std::vector<std::size_t> odd;
        for (std::size_t r = 1; r < x.rows; r += 2) odd.push_back(r);
        std::fill(upper.begin(), upper.end(), -1.0f);
        detail::reassign_rows(x.ref(), packed, odd.data(), odd.size(), labels.data(), upper.data(),
                              lower.data(), sums.data(), counts.data());
        for (std::size_t r : odd) {
          SCOPED_TRACE(::testing::Message() << "portable " << portable << " k " << k << " cols "
                                            << cols << " row " << r);
          for (int j = 0; j < k; ++j) {
            const double s = squared_to(x, r, c, j);
            const double dist = std::sqrt(s);
            if (j == labels[r]) {
              ASSERT_GE(static_cast<double>(upper[r]), dist);
            } else {
              ASSERT_LE(static_cast<double>(lower[r]), dist);
            }
          }
        }
      }
    }
  }
}

TEST(KMeansTest, PortableKernelsGiveTheSameLabels) {
  if (!detail::avx2_kernels_active()) GTEST_SKIP() << "no AVX2 here: only one path to test";
  for (int k : {5, 8, 13}) {
    const Data x = gaussian(900, 11, 20 + static_cast<std::uint64_t>(k));
    const std::vector<float> init = pick_rows(x, k, 7);
    for (Bounds bounds : {Bounds::kNone, Bounds::kHamerly}) {
      const KMeansOptions options{.k = k, .tolerance = 0, .bounds = bounds};
      const KMeansResult fast = run_ok(x, options, init);
      KMeansResult portable;
      {
        PortableGuard guard;
        EXPECT_FALSE(detail::avx2_kernels_active());
        portable = run_ok(x, options, init);
      }
      EXPECT_EQ(fast.labels, portable.labels) << "k " << k;
      EXPECT_EQ(fast.iterations, portable.iterations);
      EXPECT_NEAR(fast.inertia, portable.inertia, 1e-6 * fast.inertia);
    }
    // The kmeans++ seeds too (its distances are computed the same way in both paths).
    const std::vector<float> a = *kmeans_plus_plus(x.ref(), k, 9);
    PortableGuard guard;
    EXPECT_EQ(a, *kmeans_plus_plus(x.ref(), k, 9));
  }
}

TEST(KMeansTest, DeterministicAndSameLabelsForOneAndTwoThreads) {
  const Data x = gaussian(3000, 7, 5);
  const KMeansOptions options{.k = 6, .seed = 42};
  const KMeansResult a = run_ok(x, options);
  const KMeansResult b = run_ok(x, options);
  EXPECT_EQ(a.centroids, b.centroids);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.inertia, b.inertia);
  KMeansOptions one = options;
  one.threads = 1;
  const KMeansResult c = run_ok(x, one);
  EXPECT_EQ(a.labels, c.labels);
  EXPECT_NEAR(a.inertia, c.inertia, 1e-9 * a.inertia);
  KMeansOptions three = options;
  three.threads = 3;
  EXPECT_EQ(a.labels, run_ok(x, three).labels);
}

TEST(KMeansTest, EmptyClusterIsMovedToTheFarthestRow) {
  // Two groups; the third initial centroid is far from everything and gets no row.
  const Data x{{0, 1, 2, 10, 11, 30}, 6, 1};
  const std::vector<float> init{1, 10, 1000};
  for (Bounds bounds : {Bounds::kNone, Bounds::kHamerly}) {
    const KMeansResult m = run_ok(x, {.k = 3, .bounds = bounds}, init);
    EXPECT_GE(m.empty_cluster_repairs, 1);
    const std::set<std::int32_t> used(m.labels.begin(), m.labels.end());
    EXPECT_EQ(used.size(), 3u);
    std::vector<float> c = m.centroids;
    std::sort(c.begin(), c.end());
    EXPECT_THAT(c, ::testing::ElementsAre(1.0f, 10.5f, 30.0f));  // 30 was the farthest row
    EXPECT_DOUBLE_EQ(m.inertia, 2.0 + 0.5);
  }
}

TEST(KMeansTest, ToleranceStopsEarlyAndMaxIterationsCaps) {
  const Data x = gaussian(3000, 4, 8);
  const std::vector<float> init = pick_rows(x, 12, 1);
  const KMeansResult strict = run_ok(x, {.k = 12, .max_iterations = 500, .tolerance = 0}, init);
  EXPECT_TRUE(strict.converged);
  const KMeansResult loose = run_ok(x, {.k = 12, .max_iterations = 500, .tolerance = 1e-2}, init);
  EXPECT_TRUE(loose.converged);
  EXPECT_LT(loose.iterations, strict.iterations);
  EXPECT_GE(loose.inertia, strict.inertia * (1 - 1e-9));

  int calls = 0;
  KMeansOptions capped{.k = 12, .max_iterations = 3, .tolerance = 0};
  capped.on_iteration = [&](int iteration, std::size_t changed) {
    EXPECT_EQ(iteration, ++calls);
    if (iteration == 1) {
      EXPECT_EQ(changed, x.rows);
    }
  };
  const KMeansResult m = run_ok(x, capped, init);
  EXPECT_EQ(m.iterations, 3);
  EXPECT_EQ(calls, 3);
  EXPECT_FALSE(m.converged);
  const Reference ref = reference_lloyd(x, 12, init, 3);
  EXPECT_EQ(m.labels, ref.labels);
}

TEST(KMeansTest, OneClusterAndMoreThreadsThanRows) {
  const Data x{{1, 10, 3, 20, 5, 30}, 3, 2};
  for (Bounds bounds : {Bounds::kNone, Bounds::kHamerly}) {
    const KMeansResult m = run_ok(x, {.k = 1, .bounds = bounds, .threads = 8});
    EXPECT_THAT(m.centroids, ::testing::ElementsAre(3.0f, 20.0f));
    EXPECT_THAT(m.labels, ::testing::ElementsAre(0, 0, 0));
    EXPECT_DOUBLE_EQ(m.inertia, 4 + 100 + 0 + 0 + 4 + 100);
    const KMeansResult three = run_ok(x, {.k = 3, .bounds = bounds, .threads = 5});
    EXPECT_DOUBLE_EQ(three.inertia, 0.0);
  }
}

TEST(KMeansTest, AssignNearestAgreesWithTheModel) {
  const Data x = gaussian(1000, 5, 9);
  const KMeansResult m = run_ok(x, {.k = 7, .seed = 1});
  std::vector<std::int32_t> labels(x.rows);
  std::vector<float> distances(x.rows);
  const double inertia = assign_nearest(x.ref(), m.centroids, 7, labels, distances);
  EXPECT_EQ(labels, m.labels);
  EXPECT_NEAR(inertia, m.inertia, 1e-9 * inertia);
  EXPECT_NEAR(assign_nearest(x.ref(), m.centroids, 7, labels, {}, 1), inertia, 1e-9 * inertia);
}

TEST(KMeansTest, KMeansPlusPlusPicksDistinctRows) {
  const Data x = gaussian(2000, 5, 12);
  for (int k : {1, 9, 20}) {
    const Result<std::vector<float>> c = kmeans_plus_plus(x.ref(), k, 77);
    ASSERT_TRUE(c.ok());
    ASSERT_EQ(c->size(), static_cast<std::size_t>(k) * x.cols);
    std::set<std::size_t> rows;
    for (int j = 0; j < k; ++j) {
      const float* cj = c->data() + static_cast<std::size_t>(j) * x.cols;
      for (std::size_t r = 0; r < x.rows; ++r) {
        if (std::equal(cj, cj + x.cols,
                       x.values.begin() + static_cast<std::ptrdiff_t>(r * x.cols))) {
          rows.insert(r);
          break;
        }
      }
    }
    EXPECT_EQ(rows.size(), static_cast<std::size_t>(k));
    // Deterministic, and independent of the thread count.
    EXPECT_EQ(*c, *kmeans_plus_plus(x.ref(), k, 77, 1));
  }
}

TEST(KMeansTest, KMeansPlusPlusPutsOneSeedInEachBlob) {
  // Blocks of rows larger than the sampling block, so sampling crosses blocks.
  const Data x = blobs(corners(100), 2500, 1.0f, 3);
  int good = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const std::vector<float> c = *kmeans_plus_plus(x.ref(), 4, seed);
    std::set<int> quadrants;
    for (int j = 0; j < 4; ++j) {
      quadrants.insert((c[2 * j] > 50 ? 1 : 0) + (c[2 * j + 1] > 50 ? 2 : 0));
    }
    good += quadrants.size() == 4;
  }
  EXPECT_GE(good, 18);
}

TEST(KMeansTest, ConvergesToBlobsFromKMeansPlusPlus) {
  const Data x = blobs(corners(50), 500, 1.0f, 4);
  const KMeansResult m = run_ok(x, {.k = 4, .seed = 2});
  EXPECT_TRUE(m.converged);
  EXPECT_LT(m.inertia / static_cast<double>(x.rows), 2.5);  // ~ 2 σ² per row
}

TEST(MiniBatchKMeansTest, WithinTwoPercentOfFullKMeansOnBlobs) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<float> where(-20, 20);
  std::vector<std::vector<float>> centres(8, std::vector<float>(16));
  for (auto& c : centres) {
    for (float& v : c) v = where(rng);
  }
  const Data x = blobs(centres, 4000, 2.0f, 6);
  const KMeansResult full = run_ok(x, {.k = 8, .seed = 1});
  int batches = 0;
  const MiniBatchOptions options{.k = 8, .batch_size = 1024, .max_batches = 300, .seed = 1};
  MiniBatchOptions counting = options;
  counting.on_batch = [&](int b) { batches = b; };
  const Result<KMeansResult> mb = minibatch_kmeans(x.ref(), counting);
  ASSERT_TRUE(mb.ok()) << mb.status().to_string();
  EXPECT_LE(mb->inertia, full.inertia * 1.02);
  EXPECT_EQ(mb->iterations, batches);
  EXPECT_EQ(mb->labels.size(), x.rows);
  EXPECT_EQ(mb->distances.size(), x.rows);
  const Result<KMeansResult> again = minibatch_kmeans(x.ref(), options);
  EXPECT_EQ(again->centroids, mb->centroids);
}

TEST(MiniBatchKMeansTest, StopsWhenTheSmoothedInertiaStopsImproving) {
  const Data x = blobs(corners(50), 2000, 1.0f, 7);
  const Result<KMeansResult> mb = minibatch_kmeans(
      x.ref(), {.k = 4, .batch_size = 256, .max_batches = 100000, .patience = 10, .seed = 3});
  ASSERT_TRUE(mb.ok());
  EXPECT_TRUE(mb->converged);
  EXPECT_LT(mb->iterations, 100000);
}

double brute_force_silhouette(const Data& x, const std::vector<std::int32_t>& labels, int k) {
  double total = 0;
  for (std::size_t i = 0; i < x.rows; ++i) {
    std::vector<double> sum(static_cast<std::size_t>(k), 0.0);
    std::vector<double> n(static_cast<std::size_t>(k), 0.0);
    for (std::size_t j = 0; j < x.rows; ++j) {
      if (i == j) continue;
      double s = 0;
      for (std::size_t d = 0; d < x.cols; ++d) {
        const double v = static_cast<double>(x.values[i * x.cols + d]) - x.values[j * x.cols + d];
        s += v * v;
      }
      sum[static_cast<std::size_t>(labels[j])] += std::sqrt(s);
      n[static_cast<std::size_t>(labels[j])] += 1;
    }
    const std::size_t own = static_cast<std::size_t>(labels[i]);
    if (n[own] == 0) continue;  // singleton: 0
    const double a = sum[own] / n[own];
    double b = std::numeric_limits<double>::infinity();
    for (std::size_t c = 0; c < static_cast<std::size_t>(k); ++c) {
      if (c != own && n[c] > 0) b = std::min(b, sum[c] / n[c]);
    }
    total += (b - a) / std::max(a, b);
  }
  return total / static_cast<double>(x.rows);
}

TEST(SilhouetteTest, EqualsBruteForceOnSmallData) {
  const Data x = gaussian(90, 3, 13);
  const KMeansResult m = run_ok(x, {.k = 4, .seed = 1});
  const double expected = brute_force_silhouette(x, m.labels, 4);
  EXPECT_NEAR(silhouette(x.ref(), m.labels, 4, 1000, 0), expected, 1e-6);
  // A singleton cluster scores 0 and does not break the mean.
  std::vector<std::int32_t> labels(x.rows, 0);
  labels[5] = 1;
  for (std::size_t i = 50; i < x.rows; ++i) labels[i] = 2;
  EXPECT_NEAR(silhouette(x.ref(), labels, 3, 1000, 0), brute_force_silhouette(x, labels, 3), 1e-6);
}

TEST(SilhouetteTest, SampledIsDeterministicAndHighOnBlobs) {
  const Data x = blobs(corners(40), 1000, 1.0f, 14);
  const KMeansResult m = run_ok(x, {.k = 4, .seed = 1});
  const double s = silhouette(x.ref(), m.labels, 4, 500, 3);
  EXPECT_EQ(s, silhouette(x.ref(), m.labels, 4, 500, 3));
  EXPECT_GT(s, 0.9);
  EXPECT_LE(s, 1.0);
}

TEST(ChooseKTest, FindsFourSeparatedBlobs) {
  const Data x = blobs(corners(30), 300, 1.0f, 15);
  for (int k_min : {1, 2}) {
    const Result<KChoice> choice = choose_k(x.ref(), k_min, 8, {.seed = 4}, 2000);
    ASSERT_TRUE(choice.ok()) << choice.status().to_string();
    EXPECT_EQ(choice->ks.front(), k_min);
    EXPECT_EQ(choice->ks.back(), 8);
    EXPECT_EQ(choice->inertia.size(), choice->ks.size());
    EXPECT_EQ(choice->silhouette.size(), choice->ks.size());
    EXPECT_EQ(choice->best_by_silhouette, 4);
    EXPECT_EQ(choice->elbow, 4);
  }
}

TEST(ScalerTest, ZScoreRobustAndNone) {
  // Column 0: 1 2 3 4 100; column 1 constant; column 2: 0 0 0 0 10 (IQR 0).
  const Data x{{1, 7, 0, 2, 7, 0, 3, 7, 0, 4, 7, 0, 100, 7, 10}, 5, 3};
  const Scaler z = fit_scaler(x.ref(), Scaling::kZScore);
  EXPECT_DOUBLE_EQ(z.center[0], 22.0);
  EXPECT_NEAR(z.scale[0], std::sqrt((21 * 21 + 20 * 20 + 19 * 19 + 18 * 18 + 78 * 78) / 5.0), 1e-9);
  EXPECT_DOUBLE_EQ(z.center[1], 7.0);
  EXPECT_DOUBLE_EQ(z.scale[1], 1.0);
  EXPECT_DOUBLE_EQ(z.scale[2], 4.0);  // mean 2, population std 4

  const Scaler r = fit_scaler(x.ref(), Scaling::kRobust);
  EXPECT_DOUBLE_EQ(r.center[0], 3.0);
  EXPECT_DOUBLE_EQ(r.scale[0], 2.0);  // q75 4 − q25 2
  EXPECT_DOUBLE_EQ(r.scale[1], 1.0);
  EXPECT_DOUBLE_EQ(r.center[2], 0.0);
  EXPECT_DOUBLE_EQ(r.scale[2], 4.0);  // IQR 0: the standard deviation

  // Linear interpolation between order statistics: 1 2 3 4 → q25 1.75, q75 3.25.
  const Data even{{4, 1, 3, 2}, 4, 1};
  const Scaler re = fit_scaler(even.ref(), Scaling::kRobust);
  EXPECT_DOUBLE_EQ(re.center[0], 2.5);
  EXPECT_DOUBLE_EQ(re.scale[0], 1.5);

  const Scaler none = fit_scaler(x.ref(), Scaling::kNone);
  std::vector<float> copy = x.values;
  none.apply(copy.data(), x.rows, x.cols);
  EXPECT_EQ(copy, x.values);

  for (const Scaler& s : {z, r}) {
    std::vector<float> v = x.values;
    s.apply(v.data(), x.rows, x.cols);
    EXPECT_FLOAT_EQ(v[0], static_cast<float>((1 - s.center[0]) / s.scale[0]));
    s.unapply(v.data(), x.rows, x.cols);
    for (std::size_t i = 0; i < v.size(); ++i) EXPECT_NEAR(v[i], x.values[i], 1e-4) << i;
  }
  std::vector<float> v = x.values;
  z.apply(v.data(), x.rows, x.cols);
  double mean = 0;
  for (std::size_t i = 0; i < x.rows; ++i) mean += v[i * 3];
  EXPECT_NEAR(mean, 0.0, 1e-5);
}

TEST(KMeansTest, ValidationErrors) {
  const Data x{{0, 1, 2, 3, 4, 5}, 3, 2};
  EXPECT_THAT(kmeans(x.ref(), {.k = 0}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("k must be at least 1, got 0")));
  EXPECT_THAT(kmeans(x.ref(), {.k = 4}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("at least 4 rows, got 3")));
  const std::vector<float> bad_init{0, 1, 2};
  EXPECT_THAT(
      kmeans(x.ref(), {.k = 2}, bad_init),
      StatusIs(StatusCode::kInvalidArgument,
               HasSubstr("initial centroids: expected k × cols = 2 × 2 = 4 values, got 3")));
  EXPECT_THAT(kmeans(x.ref(), {.k = 2, .max_iterations = -1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("max_iterations")));
  EXPECT_THAT(kmeans(x.ref(), {.k = 2, .tolerance = -1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("tolerance")));
  EXPECT_THAT(kmeans({x.values.data(), 3, 0}, {.k = 2}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("at least one column")));

  Data nan = gaussian(20, 4, 1);
  nan.values[12 * 4 + 3] = std::numeric_limits<float>::quiet_NaN();
  nan.values[15 * 4 + 0] = std::numeric_limits<float>::infinity();
  EXPECT_THAT(kmeans(nan.ref(), {.k = 2}),
              StatusIs(StatusCode::kInvalidArgument,
                       "row 12, column 3: value is NaN; impute or drop missing values before "
                       "k-means"));
  nan.values[12 * 4 + 3] = 0;
  EXPECT_THAT(
      kmeans(nan.ref(), {.k = 2, .threads = 1}),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("row 15, column 0: value is infinite")));
  EXPECT_THAT(kmeans_plus_plus(nan.ref(), 2, 0),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("row 15, column 0")));
  EXPECT_THAT(minibatch_kmeans(nan.ref(), {.k = 2}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("row 15, column 0")));

  EXPECT_THAT(kmeans_plus_plus(x.ref(), 0, 0),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("k must be at least 1")));
  EXPECT_THAT(kmeans_plus_plus(x.ref(), 5, 0),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("at least 5 rows")));
  EXPECT_THAT(minibatch_kmeans(x.ref(), {.k = 9}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("at least 9 rows")));
  EXPECT_THAT(minibatch_kmeans(x.ref(), {.k = 2, .batch_size = 0}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("batch_size")));
  EXPECT_THAT(minibatch_kmeans(x.ref(), {.k = 2, .max_batches = 0}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("max_batches")));
  EXPECT_THAT(choose_k(x.ref(), 0, 3, {}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("k_min must be at least 1")));
  EXPECT_THAT(choose_k(x.ref(), 3, 2, {}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("k_max (2)")));
  EXPECT_THAT(choose_k(x.ref(), 2, 4, {}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("at least 4 rows")));
}

}  // namespace
}  // namespace consentric::segment
