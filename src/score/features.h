#pragma once

// Feature preparation for the scoring models: a standard scaler fitted on the training rows and
// stored with the model, and a one-hot encoder for categorical fields.
//
//   StandardScaler scaler = StandardScaler::fit(train, numeric_columns);
//   scaler.apply(train_copy.data(), rows);      // in place; the same scaler for every later row
//   CONSENTRIC_ASSIGN_OR_RETURN(OneHotEncoder city, OneHotEncoder::fit("City", values, {}));
//   city.encode(value, row + offset);           // writes city.width() floats
//
// Both are plain values: copyable, and safe to use from several threads once built.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "consentric/status.h"
#include "score/matrix.h"

namespace consentric::score {

// Per column: scaled = (x − mean) / scale, with scale the population standard deviation
// (as scikit-learn's StandardScaler). Constant columns are centred with scale 1; columns left
// out of the fit, or with no value that is not NaN, get mean 0 and scale 1 (left as they are).
struct StandardScaler {
  std::vector<double> mean;
  std::vector<double> scale;

  // Fits on every row of x; NaN values are ignored. `columns`: the columns to scale (all when
  // empty). Column indexes beyond x.cols are ignored.
  static StandardScaler fit(MatrixRef x, std::span<const std::size_t> columns = {});

  std::size_t cols() const { return mean.size(); }
  // In place over rows × cols() values; NaN stays NaN.
  void apply(float* data, std::size_t rows) const;
  // The inverse of apply (up to float rounding).
  void unapply(float* data, std::size_t rows) const;

  // A JSON object {"mean": [...], "scale": [...]} with every double written to round-trip.
  std::string to_json() const;
  static Result<StandardScaler> from_json(std::string_view json);
};

struct OneHotOptions {
  // Values seen fewer times than this in the fit go to the shared "other" column (which exists
  // only when some value was rare); values never seen in the fit go there too.
  std::size_t min_count = 1;
  // Values meaning "not given"; they share one category named "(missing)".
  std::vector<std::string> missing_values = {""};
};

// One column per category, in descending order of frequency in the fit (ties: by name), then
// "(missing)" and "(other)" where present. encode() writes 1 in the value's column and 0
// elsewhere; an unknown value with no "(other)" column gets all zeros.
class OneHotEncoder {
 public:
  // REQUIRES nothing; fails when `values` is empty.
  static Result<OneHotEncoder> fit(std::string_view field, std::span<const std::string> values,
                                   const OneHotOptions& options);
  // An encoder fitted before, from its field, categories() and the missing values it was
  // fitted with (as a model stores it). Fails on no categories or a repeated one.
  static Result<OneHotEncoder> restore(std::string_view field,
                                       std::vector<std::string> categories,
                                       std::vector<std::string> missing_values);
  const std::vector<std::string>& missing_values() const { return missing_values_; }

  const std::string& field() const { return field_; }
  std::size_t width() const { return categories_.size(); }
  const std::vector<std::string>& categories() const { return categories_; }
  // "field=category" for every column.
  std::vector<std::string> column_names() const;
  // The column of `value`, or width() when it has none (unknown, and no "(other)" column).
  std::size_t column_of(std::string_view value) const;
  // Writes width() floats at out.
  void encode(std::string_view value, float* out) const;

  static constexpr std::string_view kMissing = "(missing)";
  static constexpr std::string_view kOther = "(other)";

 private:
  std::string field_;
  std::vector<std::string> categories_;
  std::vector<std::string> missing_values_;
  std::size_t missing_column_ = 0;  // width() when there is none
  std::size_t other_column_ = 0;    // width() when there is none
};

}  // namespace consentric::score
