// The file-info cache: File messages by project, UUID and include options,
// so that repeated GetFile calls cost no upstream call. One cache serves the
// whole gateway (all projects share the byte budget). The stack's caching
// layer (service/upstream/stack/caching_operations.h) fills it from every RPC
// that returns files and invalidates it on every change that goes through the
// gateway, as each RPC's row says; a TTL bounds how long changes made
// elsewhere stay invisible.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/common/cancellation.h"
#include "uploadcare/gateway/v1/file.pb.h"

namespace ucgate::cache {

namespace v1 = ::uploadcare::gateway::v1;

// One cached answer: the same file read with other include options is
// another entry (their File messages differ).
struct FileInfoKey {
  std::string project;
  std::string uuid;
  bool include_appdata = false;
  bool include_rekognition_info = false;

  friend bool operator==(const FileInfoKey& a, const FileInfoKey& b) {
    return a.include_appdata == b.include_appdata &&
           a.include_rekognition_info == b.include_rekognition_info &&
           a.uuid == b.uuid && a.project == b.project;
  }
  template <typename H>
  friend H AbslHashValue(H state, const FileInfoKey& key) {
    return H::combine(std::move(state), key.project, key.uuid,
                      key.include_appdata, key.include_rekognition_info);
  }
};

// A snapshot of the counters (cumulative since start, except bytes and
// entries, which are current).
struct FileInfoCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  // Entries dropped to stay within the byte budget (not TTL expiries).
  uint64_t evictions = 0;
  // Entries found past their TTL (and fetched again).
  uint64_t expirations = 0;
  // Misses that waited for another caller's fetch of the same key.
  uint64_t single_flight_joins = 0;
  // Files invalidated by mutations through the gateway.
  uint64_t invalidations = 0;
  int64_t bytes = 0;
  int64_t entries = 0;
};

// "hits=... misses=..." for logs.
std::string FormatStats(const FileInfoCacheStats& stats);

// How long a caller may wait for another caller's fetch.
struct WaitLimits {
  absl::Time deadline = absl::InfiniteFuture();
  // Fires once the caller has gone away (may be null); must outlive the wait.
  const Cancellation* cancellation = nullptr;
};

class FileInfoCache;

// Orders fills against invalidations: a File read upstream while the ticket
// was held is stored only if its UUID was not invalidated since the ticket
// was taken (so a slow listing never overwrites a newer write).
class FillTicket {
 public:
  FillTicket(FileInfoCache* cache, uint64_t sequence)
      : cache_(cache), sequence_(sequence) {}
  FillTicket(FillTicket&& other) noexcept
      : cache_(std::exchange(other.cache_, nullptr)),
        sequence_(other.sequence_) {}
  FillTicket(const FillTicket&) = delete;
  FillTicket& operator=(const FillTicket&) = delete;
  FillTicket& operator=(FillTicket&&) = delete;
  ~FillTicket();

  uint64_t sequence() const { return sequence_; }

 private:
  FileInfoCache* cache_;
  uint64_t sequence_;
};

class FileInfoCache {
 public:
  using Fetch = absl::FunctionRef<absl::StatusOr<v1::File>()>;

  virtual ~FileInfoCache() = default;

  // The fresh entry of `key`, or else `fetch`'s answer. Concurrent misses of
  // one key make one fetch: the first caller runs it, the others wait (each
  // within its own `limits`) and share its answer. Errors are not cached.
  virtual absl::StatusOr<std::shared_ptr<const v1::File>> GetOrFetch(
      const FileInfoKey& key, const WaitLimits& limits, Fetch fetch) = 0;

  // The fresh entry of `key` (a hit), or null without waiting or counting a
  // miss (the GetOrFetch that follows counts it): the gateway answers hits
  // on the gRPC reactor thread, where nothing may block.
  virtual std::shared_ptr<const v1::File> GetIfFresh(
      const FileInfoKey& key) = 0;

  // Take before an upstream call whose Files will be given to Refresh.
  virtual FillTicket StartFill() = 0;
  // `file` as a listing (list pages, search) read it with these include
  // options replaces the entry of that key, with a new TTL, if there is one.
  // Listings never add entries: a listing of a million files would push
  // every hot entry out and cost a copy per file, while few listed files are
  // read next (measured: ~13 ms per 1,000-file page added, against ~0.7 ms
  // for copying the page).
  virtual void Refresh(const FillTicket& ticket, absl::string_view project,
                       bool include_appdata, bool include_rekognition_info,
                       const v1::File& file) = 0;
  // After a mutation through the gateway answered `file`: every variant of
  // the file is dropped and `file` becomes its plain (no include options)
  // entry.
  virtual void Replace(absl::string_view project, const v1::File& file) = 0;
  // After a mutation through the gateway that did not answer the file (or
  // failed in an unknown state): every variant of the file is dropped, and
  // fetches in flight for it are not stored.
  virtual void Invalidate(absl::string_view project,
                          absl::string_view uuid) = 0;

  virtual FileInfoCacheStats Stats() const = 0;

 protected:
  friend class FillTicket;
  virtual void EndFill(uint64_t sequence) = 0;
};

inline FillTicket::~FillTicket() {
  if (cache_ != nullptr) cache_->EndFill(sequence_);
}

}  // namespace ucgate::cache
