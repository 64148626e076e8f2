#include "service/upstream/stack/caching_operations.h"

#include <deque>
#include <optional>
#include <type_traits>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "service/upstream/stack/wrapping.h"

namespace ucgate::upstream {
namespace {

using cache::FileInfoCache;

// Add-on runs whose target is remembered for invalidation when they finish;
// older runs fall back on the TTL.
constexpr size_t kRememberedAddonRuns = 10000;

cache::WaitLimits LimitsOf(const CallContext& context) {
  return {context.deadline, context.cancellation.get()};
}

template <typename T, typename = void>
struct AnswersFile : std::false_type {};
template <typename T>
struct AnswersFile<T, std::void_t<decltype(std::declval<const T&>().file())>>
    : std::true_type {};

// Runs a mutation of the file `uuid`; whatever the outcome (a failure may
// still have changed the file upstream), the file's entries go, and a
// successful answer's File becomes the new entry.
template <typename Response, typename Call>
absl::StatusOr<Response> Mutate(FileInfoCache& cache,
                                const std::string& project,
                                absl::string_view uuid, Call call) {
  absl::StatusOr<Response> result = call();
  if constexpr (AnswersFile<Response>::value) {
    if (result.ok()) {
      cache.Replace(project, result->file());
      return result;
    }
  }
  cache.Invalidate(project, uuid);
  return result;
}

// Batch store/delete: files answered replace their entries; every other
// UUID of the request (problems, failed chunks) is invalidated.
template <typename Request, typename Response>
void AfterBatch(FileInfoCache& cache, const std::string& project,
                const Request& request,
                const absl::StatusOr<Response>& result) {
  absl::flat_hash_set<absl::string_view> answered;
  if (result.ok()) {
    for (const v1::File& file : result->files()) {
      cache.Replace(project, file);
      answered.insert(file.uuid());
    }
  }
  for (const std::string& uuid : request.uuids()) {
    if (!answered.contains(uuid)) cache.Invalidate(project, uuid);
  }
}

class CachingFileOperations final : public Forwarding<FileOperations> {
 public:
  CachingFileOperations(std::shared_ptr<FileOperations> child,
                        std::shared_ptr<FileInfoCache> cache,
                        std::string project)
      : Forwarding(std::move(child)),
        cache_(std::move(cache)),
        project_(std::move(project)) {}

  absl::StatusOr<v1::GetFileResponse> GetFile(
      const CallContext& context, const v1::GetFileRequest& request) override {
    absl::StatusOr<std::shared_ptr<const v1::File>> file =
        cache_->GetOrFetch(GetFileKey(project_, request), LimitsOf(context),
                           [&]() -> absl::StatusOr<v1::File> {
                             absl::StatusOr<v1::GetFileResponse> fetched =
                                 child().GetFile(context, request);
                             if (!fetched.ok()) return fetched.status();
                             return std::move(*fetched->mutable_file());
                           });
    if (!file.ok()) return file.status();
    v1::GetFileResponse response;
    *response.mutable_file() = **file;
    return response;
  }

  // Listings refresh the cached entries of the include options they were
  // read with (they add none; see FileInfoCache::Refresh).
  absl::StatusOr<v1::ListFilesResponse> ListFiles(
      const CallContext& context,
      const v1::ListFilesRequest& request) override {
    return RefreshFrom<v1::ListFilesResponse>(
        request.include_appdata(), request.include_rekognition_info(),
        [&] { return child().ListFiles(context, request); });
  }

  absl::StatusOr<v1::SearchFilesResponse> SearchFiles(
      const CallContext& context,
      const v1::SearchFilesRequest& request) override {
    return RefreshFrom<v1::SearchFilesResponse>(
        false, false, [&] { return child().SearchFiles(context, request); });
  }

  // Single-file mutations: the answer's File replaces the entries, or the
  // entries go.
#define UCGATE_CACHE_MUTATION(Method)                                 \
  absl::StatusOr<v1::Method##Response> Method(                        \
      const CallContext& context, const v1::Method##Request& request) \
      override {                                                      \
    return Mutate<v1::Method##Response>(                              \
        *cache_, project_, request.uuid(),                            \
        [&] { return child().Method(context, request); });            \
  }
  UCGATE_CACHE_MUTATION(StoreFile)
  UCGATE_CACHE_MUTATION(DeleteFile)
  UCGATE_CACHE_MUTATION(UpdateFileMetadataKey)
  UCGATE_CACHE_MUTATION(DeleteFileMetadataKey)
  UCGATE_CACHE_MUTATION(ReplaceFileTags)
  UCGATE_CACHE_MUTATION(UpdateFileTags)
#undef UCGATE_CACHE_MUTATION

#define UCGATE_CACHE_BATCH(Method)                                    \
  absl::StatusOr<v1::Method##Response> Method(                        \
      const CallContext& context, const v1::Method##Request& request) \
      override {                                                      \
    absl::StatusOr<v1::Method##Response> result =                     \
        child().Method(context, request);                             \
    AfterBatch(*cache_, project_, request, result);                   \
    return result;                                                    \
  }
  UCGATE_CACHE_BATCH(BatchStoreFiles)
  UCGATE_CACHE_BATCH(BatchDeleteFiles)
#undef UCGATE_CACHE_BATCH

  absl::StatusOr<v1::CopyFileToLocalStorageResponse> CopyFileToLocalStorage(
      const CallContext& context,
      const v1::CopyFileToLocalStorageRequest& request) override {
    absl::StatusOr<v1::CopyFileToLocalStorageResponse> copy =
        child().CopyFileToLocalStorage(context, request);
    if (copy.ok()) cache_->Replace(project_, copy->file());
    return copy;
  }

 private:
  template <typename Response, typename Call>
  absl::StatusOr<Response> RefreshFrom(bool include_appdata,
                                       bool include_rekognition_info,
                                       Call call) {
    cache::FillTicket ticket = cache_->StartFill();
    absl::StatusOr<Response> page = call();
    if (page.ok()) {
      for (const v1::File& file : page->files()) {
        cache_->Refresh(ticket, project_, include_appdata,
                        include_rekognition_info, file);
      }
    }
    return page;
  }

  const std::shared_ptr<FileInfoCache> cache_;
  const std::string project_;
};

class CachingGroupOperations final : public Forwarding<GroupOperations> {
 public:
  CachingGroupOperations(std::shared_ptr<GroupOperations> child,
                         std::shared_ptr<FileInfoCache> cache,
                         std::string project)
      : Forwarding(std::move(child)),
        cache_(std::move(cache)),
        project_(std::move(project)) {}

  // The group's files changed state. A failure leaves the files unknown
  // here; their entries expire with the TTL.
  absl::StatusOr<v1::StoreGroupResponse> StoreGroup(
      const CallContext& context,
      const v1::StoreGroupRequest& request) override {
    absl::StatusOr<v1::StoreGroupResponse> result =
        child().StoreGroup(context, request);
    if (result.ok()) {
      for (const v1::GroupFile& entry : result->group().files()) {
        if (!entry.file().uuid().empty()) {
          cache_->Invalidate(project_, entry.file().uuid());
        }
      }
      for (const auto& [uuid, reason] : result->problems()) {
        cache_->Invalidate(project_, uuid);
      }
    }
    return result;
  }

 private:
  const std::shared_ptr<FileInfoCache> cache_;
  const std::string project_;
};

class CachingAddonOperations final : public Forwarding<AddonOperations> {
 public:
  CachingAddonOperations(std::shared_ptr<AddonOperations> child,
                         std::shared_ptr<FileInfoCache> cache,
                         std::string project)
      : Forwarding(std::move(child)),
        cache_(std::move(cache)),
        project_(std::move(project)) {}

  absl::StatusOr<v1::ExecuteAddonResponse> ExecuteAddon(
      const CallContext& context,
      const v1::ExecuteAddonRequest& request) override {
    absl::StatusOr<v1::ExecuteAddonResponse> result =
        child().ExecuteAddon(context, request);
    cache_->Invalidate(project_, request.target());
    if (result.ok()) Remember(result->request_id(), request.target());
    return result;
  }

  // A finished run wrote the target's appdata after ExecuteAddon returned.
  absl::StatusOr<v1::GetAddonExecutionStatusResponse> GetAddonExecutionStatus(
      const CallContext& context,
      const v1::GetAddonExecutionStatusRequest& request) override {
    absl::StatusOr<v1::GetAddonExecutionStatusResponse> result =
        child().GetAddonExecutionStatus(context, request);
    if (result.ok() && (result->status() == v1::ADDON_EXECUTION_STATUS_DONE ||
                        result->status() == v1::ADDON_EXECUTION_STATUS_ERROR)) {
      if (std::optional<std::string> target = Forget(request.request_id())) {
        cache_->Invalidate(project_, *target);
      }
    }
    return result;
  }

 private:
  void Remember(const std::string& request_id, const std::string& target) {
    absl::MutexLock lock(&mutex_);
    if (!targets_.emplace(request_id, target).second) return;
    order_.push_back(request_id);
    if (order_.size() > kRememberedAddonRuns) {
      targets_.erase(order_.front());
      order_.pop_front();
    }
  }

  std::optional<std::string> Forget(const std::string& request_id) {
    absl::MutexLock lock(&mutex_);
    auto found = targets_.find(request_id);
    if (found == targets_.end()) return std::nullopt;
    // The id stays in order_ and ages out there; the map entry goes now.
    std::string target = std::move(found->second);
    targets_.erase(found);
    return target;
  }

  const std::shared_ptr<FileInfoCache> cache_;
  const std::string project_;
  absl::Mutex mutex_;
  absl::flat_hash_map<std::string, std::string> targets_
      ABSL_GUARDED_BY(mutex_);
  std::deque<std::string> order_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace

cache::FileInfoKey GetFileKey(std::string project,
                              const v1::GetFileRequest& request) {
  return {std::move(project), request.uuid(), request.include_appdata(),
          request.include_rekognition_info()};
}

bool AnswerGetFileFromCache(cache::FileInfoCache& cache, std::string project,
                            const v1::GetFileRequest& request,
                            v1::GetFileResponse* response) {
  std::shared_ptr<const v1::File> file =
      cache.GetIfFresh(GetFileKey(std::move(project), request));
  if (file == nullptr) return false;
  *response->mutable_file() = *file;
  return true;
}

std::unique_ptr<FileOperations> MakeCachingFileOperations(
    std::shared_ptr<FileOperations> child,
    std::shared_ptr<cache::FileInfoCache> cache, std::string project_name) {
  return std::make_unique<CachingFileOperations>(
      std::move(child), std::move(cache), std::move(project_name));
}

std::unique_ptr<GroupOperations> MakeCachingGroupOperations(
    std::shared_ptr<GroupOperations> child,
    std::shared_ptr<cache::FileInfoCache> cache, std::string project_name) {
  return std::make_unique<CachingGroupOperations>(
      std::move(child), std::move(cache), std::move(project_name));
}

std::unique_ptr<AddonOperations> MakeCachingAddonOperations(
    std::shared_ptr<AddonOperations> child,
    std::shared_ptr<cache::FileInfoCache> cache, std::string project_name) {
  return std::make_unique<CachingAddonOperations>(
      std::move(child), std::move(cache), std::move(project_name));
}

}  // namespace ucgate::upstream
