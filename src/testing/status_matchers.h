#pragma once

// Test-only helpers: status matchers and a temporary folder that cleans up after itself.

#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "consentric/status.h"

namespace consentric::testing {

inline const Status& get_status(const Status& s) { return s; }
template <typename T>
Status get_status(const Result<T>& r) {
  return r.status();
}

MATCHER(IsOk, "is OK") {
  const Status s = get_status(arg);
  if (!s.ok()) *result_listener << s.to_string();
  return s.ok();
}

MATCHER_P2(StatusIs, code, message_matcher,
           "has code " + std::string(status_code_name(code)) + " and a matching message") {
  const Status s = get_status(arg);
  *result_listener << s.to_string();
  return s.code() == code &&
         ::testing::Matches(::testing::Matcher<std::string>(message_matcher))(s.message());
}

#define ASSERT_OK(expr) ASSERT_THAT((expr), ::consentric::testing::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::consentric::testing::IsOk())

// A fresh folder under the system temp dir, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Writes text to a file, replacing it.
void write_file(const std::filesystem::path& path, const std::string& text);
std::string read_file(const std::filesystem::path& path);

// The shared datasets folder (../shared/datasets beside the checkout), or empty when absent.
std::filesystem::path shared_datasets_dir();

}  // namespace consentric::testing
