#pragma once

// The matrix every scoring function reads: dense, row-major, float32, owned by the caller.

#include <cstddef>

namespace consentric::score {

// rows × cols values, row r at data + r * cols. Missing values are NaN (the boosted trees send
// them down each split's default direction; logistic regression requires none).
struct MatrixRef {
  const float* data = nullptr;
  std::size_t rows = 0;
  std::size_t cols = 0;
  const float* row(std::size_t r) const { return data + r * cols; }
};

}  // namespace consentric::score
