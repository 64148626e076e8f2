// The files of one emulated project: seeded lazily (see seed_data.h), kept in
// upload order, listed with the service's cursor pagination, stored, deleted
// and copied. Thread-safe. Answers are rendered by ucgate::restapi's writer,
// the one place that knows the upstream JSON shape.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/emulator/cursor_pagination.h"
#include "service/emulator/seed_data.h"
#include "service/restapi/file_json.h"
#include "uploadcare/gateway/v1/file.pb.h"

namespace ucgate::emulator {

struct FileStoreOptions {
  uint64_t seed = 1;
  int seed_files = 2500;
  std::string base_url;  // for each file's `url`; no trailing slash
};

enum class FileOrdering { kUploadedAsc, kUploadedDesc, kSizeAsc, kSizeDesc };

// The position in a listing that `from`/`to` name (see cursor_pagination.h):
// a key of the ordering (microseconds since the epoch for datetime_uploaded,
// bytes for size) and a count of matching files to skip past it.
using FileCursor = ListCursor;

struct FileListQuery {
  FileOrdering ordering = FileOrdering::kUploadedAsc;
  std::optional<bool> stored;  // unset: both
  bool removed = false;        // true: only removed files, else none
  std::optional<int64_t> from;
  std::optional<int64_t> to;
  int64_t offset = 0;
  int limit = 100;
};

struct FileTotals {
  int64_t removed = 0;
  int64_t stored = 0;
  int64_t unstored = 0;
};

struct FileListPage {
  std::string results_json;  // "[{...},...]"
  int count = 0;
  std::optional<FileCursor> next;      // as `from`
  std::optional<FileCursor> previous;  // as `to`
  int64_t total = 0;                   // files matching the filters
  FileTotals totals;                   // of the whole project
};

class FileStore {
 public:
  explicit FileStore(FileStoreOptions options);

  FileListPage List(const FileListQuery& query,
                    const restapi::FileJsonOptions& json_options) const;

  // Appends the file's JSON; NOT_FOUND for an unknown (or malformed) UUID.
  absl::Status AppendFileJson(absl::string_view uuid,
                              const restapi::FileJsonOptions& json_options,
                              std::string* out) const;
  std::optional<uploadcare::gateway::v1::File> Get(
      absl::string_view uuid) const;

  // Stores a file (a stored file keeps its datetime_stored). NOT_FOUND for
  // an unknown or removed file.
  absl::Status Store(absl::string_view uuid, absl::Time now);
  // Removes a file: datetime_removed set, datetime_stored cleared. Removing a
  // removed file changes nothing. NOT_FOUND for an unknown file.
  absl::Status Delete(absl::string_view uuid, absl::Time now);

  // A fresh copy of `source_uuid`, as the service shows it right after
  // POST /files/local_copy/: size 0, application/octet-stream, is_image and
  // content_info unknown. `source_path` is "/<uuid>/<operations>".
  // NOT_FOUND for an unknown source, FAILED_PRECONDITION for a removed one.
  absl::StatusOr<uploadcare::gateway::v1::File> CopyLocal(
      absl::string_view source_uuid, absl::string_view source_path, bool store,
      const std::map<std::string, std::string>& metadata, absl::Time now);

  // Records a copy to a custom storage; true the first time for `key`.
  bool RecordRemoteCopy(const std::string& key);

  // Adds or replaces a file; a missing uuid, upload time or url is filled in.
  uploadcare::gateway::v1::File Add(uploadcare::gateway::v1::File file,
                                    absl::Time now);

  // Applies `mutate` to the file `uuid` and keeps the result (the uuid, upload
  // time and state it leaves are those of the file); returns the file as
  // kept. NOT_FOUND for an unknown file; an error of `mutate` changes nothing.
  absl::StatusOr<uploadcare::gateway::v1::File> Update(
      absl::string_view uuid,
      absl::FunctionRef<absl::Status(uploadcare::gateway::v1::File&)> mutate,
      absl::Time now);
  // Every file, oldest upload first, removed ones included.
  std::vector<uploadcare::gateway::v1::File> All() const;

 private:
  struct Record {
    Uuid128 uuid;
    int64_t uploaded_us = 0;
    int64_t stored_us = 0;   // 0: not stored
    int64_t removed_us = 0;  // 0: not removed
    int64_t size = 0;
    int32_t custom = -1;  // index in custom_, or -1 for a seed file
  };
  class View;

  FileListPage ListLocked(const FileListQuery& query,
                          const restapi::FileJsonOptions& json_options,
                          bool by_size) const
      ABSL_SHARED_LOCKS_REQUIRED(mutex_);
  uploadcare::gateway::v1::File Materialize(uint32_t id) const
      ABSL_SHARED_LOCKS_REQUIRED(mutex_);
  void AppendJson(uint32_t id, const restapi::FileJsonOptions& json_options,
                  std::string* out) const ABSL_SHARED_LOCKS_REQUIRED(mutex_);
  std::optional<uint32_t> Find(absl::string_view uuid) const
      ABSL_SHARED_LOCKS_REQUIRED(mutex_);
  void Count(const Record& record, int delta)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  uint32_t Insert(Record record, uploadcare::gateway::v1::File file)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  uploadcare::gateway::v1::File AddLocked(uploadcare::gateway::v1::File file,
                                          absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  Uuid128 NewUuid() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void EnsureSizeOrder() const ABSL_LOCKS_EXCLUDED(mutex_);

  const FileStoreOptions options_;
  mutable absl::Mutex mutex_;
  std::vector<Record> records_ ABSL_GUARDED_BY(mutex_);
  // Record ids by (uploaded_us, id), and lazily by (size, id).
  std::vector<uint32_t> by_uploaded_ ABSL_GUARDED_BY(mutex_);
  mutable std::vector<uint32_t> by_size_ ABSL_GUARDED_BY(mutex_);
  mutable bool by_size_valid_ ABSL_GUARDED_BY(mutex_) = false;
  absl::flat_hash_map<Uuid128, uint32_t> index_ ABSL_GUARDED_BY(mutex_);
  // Files added or copied at run time, kept whole.
  std::vector<std::unique_ptr<uploadcare::gateway::v1::File>> custom_
      ABSL_GUARDED_BY(mutex_);
  absl::flat_hash_set<std::string> remote_copies_ ABSL_GUARDED_BY(mutex_);
  // [removed][stored] -> count.
  int64_t counts_[2][2] ABSL_GUARDED_BY(mutex_) = {{0, 0}, {0, 0}};
  SplitMix64 uuid_rng_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace ucgate::emulator
