// The FileInfoCache implementation: LRU by bytes, TTL on an injected clock,
// single-flight misses, one mutex (a hit holds it for a hash lookup and a
// list splice; the File is copied out by the caller, outside the lock).
#pragma once

#include <cstdint>
#include <memory>

#include "absl/time/time.h"
#include "service/cache/file_info_cache.h"
#include "service/common/clock.h"

namespace ucgate::cache {

struct FileInfoCacheOptions {
  // Budget for all entries: each costs its File's serialized size plus a
  // fixed per-entry overhead (key, list and index nodes). Must be positive.
  int64_t max_bytes = 64 << 20;
  // Age after which an entry is stale and fetched again.
  absl::Duration ttl = absl::Seconds(30);
};

// Files that are not ready yet (fresh copies, uploads in processing) are
// answered but never stored: their size and content info are about to
// change outside the gateway.
std::unique_ptr<FileInfoCache> MakeLruFileInfoCache(
    FileInfoCacheOptions options, std::shared_ptr<const Clock> clock);

}  // namespace ucgate::cache
