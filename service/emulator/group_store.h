// The file groups of one emulated project: seeded deterministically from the
// project's seed files (about one group per twenty files, 1..10 files each,
// some holding a file that is removed), listed by creation time with the
// service's cursor pagination, deleted (the files stay) and, for v0.6,
// stored. A group keeps its files' UUIDs; their objects come from the
// FileStore at answer time, so a file removed since reads as removed.
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/emulator/cursor_pagination.h"
#include "service/emulator/file_store.h"
#include "uploadcare/gateway/v1/group.pb.h"

namespace ucgate::emulator {

struct GroupListPage {
  std::vector<uploadcare::gateway::v1::Group> groups;  // without files
  std::optional<ListCursor> next;      // as `from` (datetime_created, us)
  std::optional<ListCursor> previous;  // as `to`
  int64_t total = 0;
};

class GroupStore {
 public:
  // Seeds from the same seed and file count as the project's FileStore.
  explicit GroupStore(const FileStoreOptions& file_options);

  GroupListPage List(bool descending, const CursorQuery& query) const;

  // The group with its files as `files` holds them now (a missing or
  // removed file is a removed entry); nullopt for an unknown or malformed
  // id ("<uuid>~<count>", any case).
  std::optional<uploadcare::gateway::v1::Group> Get(
      absl::string_view id, const FileStore& files) const;
  // The UUIDs of the group's files, in group order; empty when unknown.
  std::vector<std::string> FileUuids(absl::string_view id) const;

  // Creates the group `id` ("<uuid>~<count>") of `file_uuids`, made at
  // `created` (a video conversion's thumbnails).
  void Add(absl::string_view id, std::vector<std::string> file_uuids,
           absl::Time created);

  // False for an unknown group.
  bool Delete(absl::string_view id);
  // Sets datetime_stored (the first time only); false for an unknown group.
  bool MarkStored(absl::string_view id, absl::Time now);

  // Every group, oldest first, without files.
  std::vector<uploadcare::gateway::v1::Group> All() const;

 private:
  struct Record {
    uploadcare::gateway::v1::Group group;  // without files
    int64_t created_us = 0;
    std::vector<std::string> file_uuids;
  };
  class Listing;

  void EnsureSeeded() const ABSL_LOCKS_EXCLUDED(mutex_);
  // Fills record.group from `id`, the files and the creation time.
  void DescribeGroup(absl::string_view id, Record& record) const;
  const Record* Find(absl::string_view id) const
      ABSL_SHARED_LOCKS_REQUIRED(mutex_);

  const FileStoreOptions options_;
  mutable absl::Mutex mutex_;
  // Seeding walks every seed file once, so it waits for the first use.
  mutable bool seeded_ ABSL_GUARDED_BY(mutex_) = false;
  // By (created_us, seeding order).
  mutable std::vector<Record> records_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace ucgate::emulator
