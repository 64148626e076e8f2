// The file-info cache's decorators (the cache itself is service/cache):
//  - FileOperations: GetFile is served from the cache; files answered by
//    mutations and batches become entries, listings (ListFiles, SearchFiles)
//    refresh the entries they meet; every mutation of a file through the
//    gateway replaces or invalidates all of the file's entries, so a caller
//    never reads its own write stale.
//  - GroupOperations: StoreGroup invalidates the group's files.
//  - AddonOperations: ExecuteAddon invalidates its target (appdata changes),
//    and so does a status call that finds the run finished.
// One cache object serves every project; keys carry the project name.
// Changes made outside the gateway (and conversions, which add variations
// to their source) show after the cache's TTL.
#pragma once

#include <memory>
#include <string>

#include "service/cache/file_info_cache.h"
#include "service/upstream/addon_operations.h"
#include "service/upstream/file_operations.h"
#include "service/upstream/group_operations.h"

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

std::unique_ptr<FileOperations> MakeCachingFileOperations(
    std::shared_ptr<FileOperations> child,
    std::shared_ptr<cache::FileInfoCache> cache, std::string project_name);

std::unique_ptr<GroupOperations> MakeCachingGroupOperations(
    std::shared_ptr<GroupOperations> child,
    std::shared_ptr<cache::FileInfoCache> cache, std::string project_name);

std::unique_ptr<AddonOperations> MakeCachingAddonOperations(
    std::shared_ptr<AddonOperations> child,
    std::shared_ptr<cache::FileInfoCache> cache, std::string project_name);

}  // namespace ucgate::upstream
