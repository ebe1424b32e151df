// "Did you mean": a typo in a key or a name is the most common config mistake, and naming the
// likely intended word turns a hunt into a fix.

#include <algorithm>

#include "config/config_internal.h"

namespace consentric::config_detail {
namespace {

// Edit distance counting an insertion, a deletion, a substitution or a swap of two neighbours
// as one step (optimal string alignment): "emial" is one step from "email".
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  constexpr std::size_t kMaxWord = 64;  // longer words are not typos of ours
  constexpr std::size_t kMaxCandidates = 2000;
  if (word.empty() || word.size() > kMaxWord || candidates.size() > kMaxCandidates) return {};
  // Up to a third of the word may be wrong, and at least one letter.
  const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    const std::size_t gap =
        c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
    if (c.empty() || c == word || c.size() > kMaxWord || gap > limit) continue;
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string Suggester::did_you_mean(std::string_view word,
                                    const std::vector<std::string>& candidates) {
  if (left_ <= 0) return {};
  --left_;
  const std::string near = closest_match(word, candidates);
  return near.empty() ? std::string() : "; did you mean \"" + near + "\"?";
}

}  // namespace consentric::config_detail
