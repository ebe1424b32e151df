#include "store/subject_set.h"

#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace consentric {
namespace {

using ::consentric::testing::StatusIs;
using ::testing::HasSubstr;

TEST(SubjectSetTest, RoundTripsAndIsCompact) {
  std::mt19937_64 rng(3);
  std::vector<SubjectId> ids;
  SubjectId id = 0;
  for (int i = 0; i < 100000; ++i) {
    id += 1 + static_cast<SubjectId>(rng() % 3);
    ids.push_back(id);
  }
  ids.push_back(INT64_MAX);  // the widest id: ten bytes
  auto blob = encode_subject_set(ids);
  ASSERT_OK(blob);
  EXPECT_LT(blob->size(), 100020u);
  auto back = decode_subject_set(*blob);
  ASSERT_OK(back);
  EXPECT_EQ(*back, ids);
  EXPECT_EQ(*encode_subject_set({}), "");
  EXPECT_TRUE(decode_subject_set("")->empty());
}

TEST(SubjectSetTest, RefusesUnsortedIdsAndBrokenBlobs) {
  const std::vector<SubjectId> unsorted = {3, 2};
  EXPECT_THAT(encode_subject_set(unsorted),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("id 2 at position 1")));
  const std::vector<SubjectId> negative = {-5};
  EXPECT_THAT(encode_subject_set(negative),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("negative")));
  EXPECT_THAT(decode_subject_set("\x81"),
              StatusIs(StatusCode::kDataLoss, HasSubstr("ends inside a number")));
  EXPECT_THAT(decode_subject_set(std::string(11, '\xff') + "\x01"),
              StatusIs(StatusCode::kDataLoss, HasSubstr("overflows")));
}

}  // namespace
}  // namespace consentric
