#pragma once

// Two-thread import: a worker reads and prepares records (parse, validate, index identifiers,
// encode) while the calling thread, which owns the store's connection, applies them. The two
// halves cost about the same, so an import runs on both cores. Records travel in batches
// through a bounded queue; spent batches go back to the worker so their buffers keep their
// capacity.
//
// Prepared must have `std::int64_t line` and `std::optional<RowError> error`.

#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "ingest/batch_queue.h"
#include "ingest/identifier_indexer.h"
#include "ingest/record_source.h"

namespace consentric::ingest {

template <typename Prepared>
class ImportPipeline {
 public:
  static constexpr std::size_t kBatch = 2048;

  // prepare(source, out) runs on the worker thread for each record.
  using PrepareFn = std::function<void(const RecordSource&, Prepared*)>;
  // apply(prepared) runs on the calling thread, in file order; a non-ok Status stops the run.
  using ApplyFn = std::function<Status(Prepared&)>;
  // after_batch(bytes_done) runs on the calling thread after each batch.
  using BatchFn = std::function<Status(std::int64_t bytes_done)>;

  // Returns the first error from apply, after_batch, or the source (not a bad record: those
  // reach apply with `error` set).
  static Status run(RecordSource& source, const PrepareFn& prepare, const ApplyFn& apply,
                    const BatchFn& after_batch) {
    BatchQueue<std::unique_ptr<Batch>> full(2);
    BatchQueue<std::unique_ptr<Batch>> spare(8);
    std::jthread worker([&] { fill_batches(source, prepare, full, spare); });
    Status status;
    while (status.ok()) {
      std::optional<std::unique_ptr<Batch>> b = full.pop();
      if (!b) break;
      Batch& batch = **b;
      for (std::size_t i = 0; i < batch.size && status.ok(); ++i) status = apply(batch.rows[i]);
      if (status.ok()) status = batch.fatal;
      if (status.ok()) status = after_batch(batch.bytes_done);
      if (batch.last) break;
      (void)spare.push(std::move(*b));
    }
    // On an error the worker may be waiting to hand over a batch: closing releases it.
    full.close();
    spare.close();
    return status;
  }

 private:
  struct Batch {
    std::vector<Prepared> rows;
    std::size_t size = 0;
    Status fatal;
    bool last = false;
    std::int64_t bytes_done = 0;
  };

  static void fill_batches(RecordSource& source, const PrepareFn& prepare,
                           BatchQueue<std::unique_ptr<Batch>>& full,
                           BatchQueue<std::unique_ptr<Batch>>& spare) {
    while (true) {
      std::unique_ptr<Batch> b = spare.try_pop().value_or(nullptr);
      if (!b) b = std::make_unique<Batch>();
      b->size = 0;
      b->fatal = Status();
      while (b->size < kBatch) {
        if (b->rows.size() <= b->size) b->rows.emplace_back();
        Prepared& p = b->rows[b->size];
        auto more = source.next();
        if (!more.ok()) {
          if (more.status().code() != StatusCode::kInvalidArgument) {
            b->fatal = more.status();
            b->last = true;
            break;
          }
          p.line = source.line();
          p.error = RowError{"", strip_line_prefix(more.status().message())};
          ++b->size;
          continue;
        }
        if (!*more) {
          b->last = true;
          break;
        }
        prepare(source, &p);
        ++b->size;
      }
      b->bytes_done = source.bytes_read();
      const bool last = b->last;
      if (!full.push(std::move(b)) || last) return;
    }
  }
};

}  // namespace consentric::ingest
