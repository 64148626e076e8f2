#include "service/cache/lru_file_info_cache.h"

#include <algorithm>
#include <list>
#include <set>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/synchronization/mutex.h"
#include "service/common/io/fiber.h"

namespace ucgate::cache {
namespace {

// Tombstones older than every open ticket are useless; past this many they
// are pruned even while tickets stay open.
constexpr size_t kTombstonePruneThreshold = 4096;

using FilePtr = std::shared_ptr<const v1::File>;

struct Entry {
  FileInfoKey key;
  FilePtr file;
  int64_t cost = 0;
  absl::Time expires;
};

// What a caller waiting for another caller's fetch receives.
struct Flight {
  absl::Mutex mutex;
  bool done ABSL_GUARDED_BY(mutex) = false;
  absl::StatusOr<FilePtr> result ABSL_GUARDED_BY(mutex) =
      absl::UnknownError("fetch not finished");
  // Wakes the waiters (fibers suspend on it) when the fetch ends or a
  // waiter's caller goes away.
  io::CondVar changed;

  void Finish(absl::StatusOr<FilePtr> fetched) {
    absl::MutexLock lock(&mutex);
    result = std::move(fetched);
    done = true;
    changed.SignalAll();
  }
  bool IsDone() {
    absl::MutexLock lock(&mutex);
    return done;
  }
};

// The include-option variants of a file; all of them go on invalidation.
constexpr bool kVariants[4][2] = {
    {false, false}, {true, false}, {false, true}, {true, true}};

bool Cacheable(const v1::File& file) { return file.is_ready(); }

// UUIDs are hexadecimal in either case; one spelling keys every entry, so a
// write in one case invalidates a read in the other.
std::string NormalUuid(absl::string_view uuid) {
  return absl::AsciiStrToLower(uuid);
}

class LruFileInfoCache final : public FileInfoCache {
 public:
  LruFileInfoCache(FileInfoCacheOptions options,
                   std::shared_ptr<const Clock> clock)
      : options_(options), clock_(std::move(clock)) {}

  absl::StatusOr<FilePtr> GetOrFetch(const FileInfoKey& requested,
                                     const WaitLimits& limits,
                                     Fetch fetch) override {
    FileInfoKey key = requested;
    key.uuid = NormalUuid(key.uuid);
    for (;;) {
      std::shared_ptr<Flight> flight;
      uint64_t ticket = 0;
      {
        absl::MutexLock lock(&mutex_);
        if (FilePtr hit = LookUpLocked(key)) {
          ++stats_.hits;
          return hit;
        }
        auto in_flight = flights_.find(key);
        if (in_flight != flights_.end()) {
          ++stats_.single_flight_joins;
          flight = in_flight->second;
        } else {
          ++stats_.misses;
          flight = std::make_shared<Flight>();
          flights_.emplace(key, flight);
          ticket = OpenTicketLocked();
        }
      }
      if (ticket != 0) return Lead(key, ticket, *flight, fetch);
      absl::StatusOr<FilePtr> shared = Await(*flight, limits);
      // The leader's own deadline or cancellation is not this caller's
      // failure: while this caller may still wait, it tries again (and may
      // lead the next fetch).
      if (!shared.ok() && flight->IsDone() &&
          (shared.status().code() == absl::StatusCode::kCancelled ||
           shared.status().code() == absl::StatusCode::kDeadlineExceeded) &&
          StillWaiting(limits)) {
        continue;
      }
      return shared;
    }
  }

  FilePtr GetIfFresh(const FileInfoKey& requested) override {
    FileInfoKey key = requested;
    key.uuid = NormalUuid(key.uuid);
    absl::MutexLock lock(&mutex_);
    FilePtr hit = LookUpLocked(key);
    if (hit) ++stats_.hits;
    return hit;
  }

  FillTicket StartFill() override {
    absl::MutexLock lock(&mutex_);
    return FillTicket(this, OpenTicketLocked());
  }

  void Refresh(const FillTicket& ticket, absl::string_view project,
               bool include_appdata, bool include_rekognition_info,
               const v1::File& file) override {
    FileInfoKey key{std::string(project), NormalUuid(file.uuid()),
                    include_appdata, include_rekognition_info};
    absl::MutexLock lock(&mutex_);
    auto found = index_.find(key);
    if (found == index_.end() ||
        InvalidatedSinceLocked(project, key.uuid, ticket.sequence())) {
      return;
    }
    // Rare (only cached files), so the copy under the lock is acceptable.
    if (!Cacheable(file)) {
      EraseLocked(found->second);
      return;
    }
    InsertLocked(std::move(key), std::make_shared<const v1::File>(file));
  }

  void Replace(absl::string_view project, const v1::File& file) override {
    FilePtr shared;
    if (Cacheable(file)) shared = std::make_shared<const v1::File>(file);
    const std::string uuid = NormalUuid(file.uuid());
    absl::MutexLock lock(&mutex_);
    InvalidateLocked(project, uuid);
    if (shared) {
      InsertLocked(FileInfoKey{std::string(project), uuid}, std::move(shared));
    }
  }

  void Invalidate(absl::string_view project, absl::string_view uuid) override {
    const std::string normal = NormalUuid(uuid);
    absl::MutexLock lock(&mutex_);
    InvalidateLocked(project, normal);
  }

  FileInfoCacheStats Stats() const override {
    absl::MutexLock lock(&mutex_);
    FileInfoCacheStats stats = stats_;
    stats.bytes = bytes_;
    stats.entries = static_cast<int64_t>(index_.size());
    return stats;
  }

 protected:
  void EndFill(uint64_t sequence) override {
    absl::MutexLock lock(&mutex_);
    CloseTicketLocked(sequence);
  }

 private:
  using UuidKey = std::pair<std::string, std::string>;

  absl::StatusOr<FilePtr> Lead(const FileInfoKey& key, uint64_t ticket,
                               Flight& flight, Fetch fetch) {
    absl::StatusOr<v1::File> fetched = fetch();
    absl::StatusOr<FilePtr> result =
        fetched.ok() ? absl::StatusOr<FilePtr>(std::make_shared<const v1::File>(
                           *std::move(fetched)))
                     : absl::StatusOr<FilePtr>(fetched.status());
    {
      absl::MutexLock lock(&mutex_);
      auto in_flight = flights_.find(key);
      // An invalidation may have detached this flight (and a newer one may
      // run for the key): only this flight's own slot is cleared.
      if (in_flight != flights_.end() && in_flight->second.get() == &flight) {
        flights_.erase(in_flight);
      }
      if (result.ok() && Cacheable(**result) &&
          !InvalidatedSinceLocked(key.project, key.uuid, ticket)) {
        InsertLocked(key, *result);
      }
      CloseTicketLocked(ticket);
    }
    flight.Finish(result);
    return result;
  }

  static bool StillWaiting(const WaitLimits& limits) {
    return absl::Now() < limits.deadline &&
           !(limits.cancellation != nullptr &&
             limits.cancellation->IsCancelled());
  }

  // Waits for another caller's fetch, up to the caller's deadline; a
  // cancelled caller stops waiting at once.
  static absl::StatusOr<FilePtr> Await(Flight& flight,
                                       const WaitLimits& limits) {
    bool caller_gone = false;  // guarded by flight.mutex
    Cancellation::Subscription subscription;
    if (limits.cancellation != nullptr) {
      subscription = limits.cancellation->Subscribe([&flight, &caller_gone] {
        absl::MutexLock lock(&flight.mutex);
        caller_gone = true;
        flight.changed.SignalAll();
      });
    }
    absl::MutexLock lock(&flight.mutex);
    while (!flight.done && !caller_gone) {
      if (flight.changed.WaitWithDeadline(&flight.mutex, limits.deadline)) {
        break;
      }
    }
    if (flight.done) return flight.result;
    if (caller_gone) {
      return absl::CancelledError(
          "the caller went away while waiting for the file's info");
    }
    return absl::DeadlineExceededError(
        "deadline passed while waiting for the file's info");
  }

  FilePtr LookUpLocked(const FileInfoKey& key)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    auto found = index_.find(key);
    if (found == index_.end()) return nullptr;
    if (clock_->Now() >= found->second->expires) {
      ++stats_.expirations;
      EraseLocked(found->second);
      return nullptr;
    }
    lru_.splice(lru_.begin(), lru_, found->second);
    return found->second->file;
  }

  void InsertLocked(FileInfoKey key, FilePtr file)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    const int64_t cost = static_cast<int64_t>(
        file->ByteSizeLong() + sizeof(Entry) + key.project.size() +
        key.uuid.size() + kIndexOverhead);
    if (auto old = index_.find(key); old != index_.end()) {
      EraseLocked(old->second);
    }
    if (cost > options_.max_bytes) return;
    while (bytes_ + cost > options_.max_bytes && !lru_.empty()) {
      ++stats_.evictions;
      EraseLocked(std::prev(lru_.end()));
    }
    lru_.push_front(
        Entry{key, std::move(file), cost, clock_->Now() + options_.ttl});
    index_.emplace(std::move(key), lru_.begin());
    bytes_ += cost;
  }

  void EraseLocked(std::list<Entry>::iterator entry)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    bytes_ -= entry->cost;
    index_.erase(entry->key);
    lru_.erase(entry);
  }

  // `uuid` is normal (NormalUuid) here and below.
  void InvalidateLocked(absl::string_view project, absl::string_view uuid)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    ++stats_.invalidations;
    FileInfoKey key{std::string(project), std::string(uuid)};
    for (const auto& variant : kVariants) {
      key.include_appdata = variant[0];
      key.include_rekognition_info = variant[1];
      if (auto found = index_.find(key); found != index_.end()) {
        EraseLocked(found->second);
      }
      // Callers after this point must not join a fetch that may predate the
      // mutation; the detached flight still answers its own waiters.
      flights_.erase(key);
    }
    if (!open_tickets_.empty()) {
      tombstones_[UuidKey(key.project, key.uuid)] = ++sequence_;
    }
  }

  bool InvalidatedSinceLocked(absl::string_view project, absl::string_view uuid,
                              uint64_t ticket) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    auto found =
        tombstones_.find(UuidKey(std::string(project), std::string(uuid)));
    return found != tombstones_.end() && found->second > ticket;
  }

  uint64_t OpenTicketLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    const uint64_t ticket = ++sequence_;
    open_tickets_.insert(ticket);
    return ticket;
  }

  void CloseTicketLocked(uint64_t ticket)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    open_tickets_.erase(ticket);
    if (open_tickets_.empty()) {
      tombstones_.clear();
    } else if (tombstones_.size() > kTombstonePruneThreshold) {
      const uint64_t oldest = *open_tickets_.begin();
      for (auto it = tombstones_.begin(); it != tombstones_.end();) {
        if (it->second < oldest) {
          tombstones_.erase(it++);
        } else {
          ++it;
        }
      }
    }
  }

  // Hash slot and list links per entry, roughly.
  static constexpr size_t kIndexOverhead = 4 * sizeof(void*);

  const FileInfoCacheOptions options_;
  const std::shared_ptr<const Clock> clock_;

  mutable absl::Mutex mutex_;
  // Most recently used first.
  std::list<Entry> lru_ ABSL_GUARDED_BY(mutex_);
  absl::flat_hash_map<FileInfoKey, std::list<Entry>::iterator> index_
      ABSL_GUARDED_BY(mutex_);
  absl::flat_hash_map<FileInfoKey, std::shared_ptr<Flight>> flights_
      ABSL_GUARDED_BY(mutex_);
  int64_t bytes_ ABSL_GUARDED_BY(mutex_) = 0;
  FileInfoCacheStats stats_ ABSL_GUARDED_BY(mutex_);
  // Tickets (fills and fetches in flight) and invalidations share one
  // sequence; a UUID's tombstone holds the sequence of its last
  // invalidation while any ticket is open.
  uint64_t sequence_ ABSL_GUARDED_BY(mutex_) = 0;
  std::set<uint64_t> open_tickets_ ABSL_GUARDED_BY(mutex_);
  absl::flat_hash_map<UuidKey, uint64_t> tombstones_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace

std::unique_ptr<FileInfoCache> MakeLruFileInfoCache(
    FileInfoCacheOptions options, std::shared_ptr<const Clock> clock) {
  return std::make_unique<LruFileInfoCache>(options, std::move(clock));
}

}  // namespace ucgate::cache
