#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "testing/status_matchers.h"

namespace consentric::testing {

TempDir::TempDir() {
  std::random_device rd;
  const auto base = std::filesystem::temp_directory_path();
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = base / ("consentric-test-" + std::to_string(rd()));
    if (std::filesystem::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  std::abort();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::filesystem::path shared_datasets_dir() {
  if (const char* env = std::getenv("CONSENTRIC_SHARED")) {
    auto p = std::filesystem::path(env) / "datasets";
    if (std::filesystem::is_directory(p)) return p;
  }
  return {};
}

}  // namespace consentric::testing
