#pragma once

// The inputs of a lead-scoring model, built from a PurposeView (DESIGN.md invariant 1: the view
// is all this module sees). Numeric view columns — engagement counts by event type
// (count.<type>), event_count, recency_days, frequency, tenure_days, monetary and numeric
// profile fields — are one input each; category columns are one-hot encoded. The binding (which
// view columns, their categories, the value a missing number takes) is fitted on the training
// rows and stored with the model as JSON, so scoring later builds exactly the same inputs.
//
//   CONSENTRIC_ASSIGN_OR_RETURN(LeadFeatures f,
//       LeadFeatures::fit(view, {.special_category_fields = special}, train_rows));
//   CONSENTRIC_ASSIGN_OR_RETURN(std::vector<float> x, f.matrix(view, train_rows));
//   // x: train_rows.size() × f.width() floats, row by row; f.names()[j] names input j.
//
// A plain value: copyable, and safe to use from several threads once built.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "consentric/status.h"
#include "gate/purpose_view.h"
#include "score/features.h"

namespace consentric::score {

struct LeadFeatureRequest {
  // The view columns to use; empty: every column of the view.
  std::vector<std::string> columns;
  // Profile fields declared special_category (GDPR Art. 9). Asking for one, or a view that
  // carries one, is an error naming it: they are never model features (DESIGN.md invariant 2).
  std::vector<std::string> special_category_fields;
  // Categories seen fewer times than this among the training rows share the "(other)" input,
  // so no input singles out a handful of people.
  std::size_t min_category_count = 10;
};

class LeadFeatures {
 public:
  // Binds `request` to the view and fits on its rows `rows` (the training rows; REQUIRES: each
  // < view.rows()). InvalidArgument naming the column for a special-category field, a column
  // the view does not carry, or a category column with no usable value.
  static Result<LeadFeatures> fit(const gate::PurposeView& view, const LeadFeatureRequest& request,
                                  std::span<const std::size_t> rows);

  // The model's inputs, in order: a numeric column by its view name, a one-hot input as
  // "field=category".
  const std::vector<std::string>& names() const { return names_; }
  std::size_t width() const { return names_.size(); }
  // The view columns read, in order.
  std::vector<std::string> columns() const;
  // The inputs that hold numbers (not one-hot): the ones a scaler should standardize.
  std::vector<std::size_t> numeric_inputs() const;

  // The inputs of the view's rows `rows`, row-major, rows.size() × width(). A missing number
  // takes its training mean, a missing category the "(missing)" input. InvalidArgument naming
  // the column when the view lacks one or holds a category column where a number was fitted
  // (and the reverse). REQUIRES: each row < view.rows().
  Result<std::vector<float>> matrix(const gate::PurposeView& view,
                                    std::span<const std::size_t> rows) const;

  struct Contribution {
    std::size_t input = 0;
    double value = 0;  // its contribution to the margin
    std::string text;  // in plain words, with the value signed to two decimals
  };
  // The `top` largest contributions (by absolute value; ties by input order) of the view's row
  // `row`, given one contribution per input (LR: coefficient × scaled value; trees: SHAP). In
  // plain words: "count.email_open 12: +0.80", "industry = retail: +0.31", "industry is not
  // retail: -0.12" (a one-hot input that is off), "recency_days missing (taken as 30.5):
  // -0.05". REQUIRES: contributions.size() == width(), row < view.rows(), and matrix() on
  // this view succeeds.
  std::vector<Contribution> top_contributions(const gate::PurposeView& view, std::size_t row,
                                              std::span<const double> contributions,
                                              std::size_t top) const;

  // {"columns": [{"column", "kind": "number", "fill"} | {"column", "kind": "category",
  // "categories", "missing_values"}]}; from_json rebuilds the same binding.
  std::string to_json() const;
  static Result<LeadFeatures> from_json(std::string_view json);

 private:
  struct Binding {
    std::string column;
    bool category = false;
    double fill = 0;        // a number: what a missing value becomes
    OneHotEncoder encoder;  // a category
    std::size_t first = 0;  // its first input
  };
  static Result<LeadFeatures> assemble(std::vector<Binding> bindings);

  std::vector<Binding> bindings_;
  std::vector<std::string> names_;
  std::vector<std::size_t> binding_of_;  // per input
};

}  // namespace consentric::score
