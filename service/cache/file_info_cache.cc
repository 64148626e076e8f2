#include "service/cache/file_info_cache.h"

#include "absl/strings/str_cat.h"

namespace ucgate::cache {

std::string FormatStats(const FileInfoCacheStats& stats) {
  return absl::StrCat("hits=", stats.hits, " misses=", stats.misses,
                      " single_flight_joins=", stats.single_flight_joins,
                      " expirations=", stats.expirations,
                      " evictions=", stats.evictions,
                      " invalidations=", stats.invalidations,
                      " entries=", stats.entries, " bytes=", stats.bytes);
}

}  // namespace ucgate::cache
