#pragma once

// Internal to the ingest readers: a window onto an input that is read from a file in 1 MiB
// blocks (or held whole when it came from a string). The readers look at the unconsumed bytes,
// consume what they have parsed, and ask for more only when a record is incomplete, so memory
// stays bounded by the longest record plus one block, whatever the file size.

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include "consentric/status.h"

namespace consentric::ingest::detail {

class BlockSource {
 public:
  static constexpr std::size_t kBlockSize = std::size_t{1} << 20;

  // NotFound (naming the path) when the file does not exist; InvalidArgument for a directory;
  // FailedPrecondition when it exists but cannot be opened for reading.
  static Result<BlockSource> open(const std::filesystem::path& path) {
    std::error_code ec;
    const bool is_dir = std::filesystem::is_directory(path, ec);
    if (is_dir) return invalid_argument(path.string() + ": is a directory, expected a file");
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
      const int err = errno;
      if (err == ENOENT) return not_found(path.string() + ": no such file");
      return failed_precondition(path.string() + ": cannot open: " + std::strerror(err));
    }
    BlockSource src;
    src.file_.reset(f);
    src.path_ = path.string();
    const auto size = std::filesystem::file_size(path, ec);
    src.total_ = ec ? 0 : static_cast<std::int64_t>(size);
    return src;
  }

  static BlockSource from_string(std::string data) {
    BlockSource src;
    src.total_ = static_cast<std::int64_t>(data.size());
    src.end_ = data.size();
    src.buf_ = std::move(data);
    src.eof_ = true;
    return src;
  }

  // The unconsumed bytes. The pointer stays valid until the next read_more().
  const char* data() const { return buf_.data() + begin_; }
  std::size_t size() const { return end_ - begin_; }
  // True when everything left of the input is in [data(), data() + size()).
  bool eof() const { return eof_; }

  // REQUIRES: n <= size().
  void consume(std::size_t n) {
    begin_ += n;
    consumed_ += static_cast<std::int64_t>(n);
  }

  // Appends the next block after the unconsumed bytes, first moving them to the front of the
  // buffer (so data() changes). Sets eof() once the file is exhausted; a no-op after that.
  Status read_more() {
    if (eof_) return Status();
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, size());
      end_ -= begin_;
      begin_ = 0;
    }
    if (buf_.size() - end_ < kBlockSize) {
      // Geometric growth: a record that spans many blocks costs amortized linear copying.
      buf_.resize(std::max(end_ + kBlockSize, buf_.size() * 2));
    }
    const std::size_t got = std::fread(buf_.data() + end_, 1, kBlockSize, file_.get());
    end_ += got;
    if (got < kBlockSize) {
      if (std::ferror(file_.get())) {
        return internal_error("reading " + path_ + ": " + std::strerror(errno));
      }
      eof_ = true;
    }
    return Status();
  }

  // Bytes of the input consumed so far, and the input size (0 when unknown).
  std::int64_t consumed() const { return consumed_; }
  std::int64_t total() const { return total_; }

 private:
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };

  BlockSource() = default;

  std::unique_ptr<std::FILE, FileCloser> file_;
  std::string path_;
  std::string buf_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  std::int64_t consumed_ = 0;
  std::int64_t total_ = 0;
};

}  // namespace consentric::ingest::detail
