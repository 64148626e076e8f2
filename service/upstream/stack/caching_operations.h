// The file-info cache's layer of the stack (the cache itself is
// service/cache), over every operations interface: what each operation does
// to cached file info is its row's `file_info` (service/api/rpcs.h):
//  - kReadsFile (GetFile) is served from the cache, read through;
//  - kListsFiles (ListFiles, SearchFiles) refreshes the entries it meets;
//  - kAddsFile (CopyFileToLocalStorage): the answered file becomes an entry;
//  - kChangesFile / kChangesFiles: the answer's files replace the entries of
//    the changed files, or the entries go (a failure may still have changed
//    the file upstream), so a caller never reads its own write stale;
//  - kChangesGroupFiles (StoreGroup): the group's files are dropped;
//  - kChangesAddonTarget (ExecuteAddon): the target is dropped, and again
//    when a kReportsAddonRun call (GetAddonExecutionStatus) finds the run
//    ended (the run writes the target's appdata after ExecuteAddon returns).
// One cache object serves every project; keys carry the project name.
// Changes made outside the gateway (and conversions, which add variations
// to their source) show after the cache's TTL.
#pragma once

#include <memory>
#include <string>

#include "service/cache/file_info_cache.h"
#include "service/upstream/operations.h"

namespace ucgate::upstream {

// The cache key of a GetFile call in `project`.
cache::FileInfoKey GetFileKey(std::string project,
                              const v1::GetFileRequest& request);

// Answers GetFile from `cache` without blocking: true only for a fresh
// entry (a miss, even one being fetched, is false and nothing waits). The
// gateway tries it on the reactor thread, so that hits skip the executor.
bool AnswerGetFileFromCache(cache::FileInfoCache& cache, std::string project,
                            const v1::GetFileRequest& request,
                            v1::GetFileResponse* response);

// `child` behind the cache, for `Interface` any operations interface.
template <typename Interface>
std::unique_ptr<Interface> MakeCaching(
    std::shared_ptr<Interface> child,
    std::shared_ptr<cache::FileInfoCache> cache, std::string project_name);

}  // namespace ucgate::upstream
