#pragma once

// The set of subjects a model was trained on, as the store keeps it (score_models.
// training_subjects; DESIGN.md "Models record the exact set of subjects they were trained on"):
// the ids ascending, each written as its difference from the one before (the first from 0) in
// unsigned LEB128, 7 bits a byte, low bits first. Ids are dense, so most take one byte: 100,000
// subjects fit in about 100 KB. Ids of anonymous remnants (negative) never enter a model.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "consentric/status.h"
#include "store/store.h"

namespace consentric {

// REQUIRES: ids ascending, no repeats, none negative (InvalidArgument otherwise).
Result<std::string> encode_subject_set(std::span<const SubjectId> ids);

// DataLoss for a blob that ends inside a number or overflows an id.
Result<std::vector<SubjectId>> decode_subject_set(std::string_view blob);

}  // namespace consentric
