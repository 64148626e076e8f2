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
namespace rpc = api::rpc;

// Add-on runs whose target is remembered for invalidation when they end;
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

template <typename T, typename = void>
struct HasIncludeOptions : std::false_type {};
template <typename T>
struct HasIncludeOptions<
    T, std::void_t<decltype(std::declval<const T&>().include_appdata())>>
    : std::true_type {};
// SearchFiles has include_appdata only (search is v0.7's).
template <typename T, typename = void>
struct HasRekognitionOption : std::false_type {};
template <typename T>
struct HasRekognitionOption<
    T,
    std::void_t<decltype(std::declval<const T&>().include_rekognition_info())>>
    : std::true_type {};

// The targets of add-on runs started through the gateway, by request id.
class AddonRunTargets {
 public:
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

 private:
  absl::Mutex mutex_;
  absl::flat_hash_map<std::string, std::string> targets_
      ABSL_GUARDED_BY(mutex_);
  std::deque<std::string> order_ ABSL_GUARDED_BY(mutex_);
};

// Runs each operation as its row's `file_info` says (see the header).
class FileInfoRunner {
 public:
  FileInfoRunner(std::shared_ptr<FileInfoCache> cache, std::string project)
      : cache_(std::move(cache)),
        project_(std::move(project)),
        addon_runs_(std::make_shared<AddonRunTargets>()) {}

  template <typename Request, typename Call>
  auto operator()(const CallContext& context, const Request& request,
                  Call call) const -> decltype(call()) {
    using Result = decltype(call());
    constexpr rpc::FileInfo kEffect = api::RpcOf<Request>::kTraits.file_info;
    if constexpr (kEffect == rpc::kNoFileInfo) {
      return call();
    } else if constexpr (kEffect == rpc::kReadsFile) {
      absl::StatusOr<std::shared_ptr<const v1::File>> file =
          cache_->GetOrFetch(GetFileKey(project_, request), LimitsOf(context),
                             [&]() -> absl::StatusOr<v1::File> {
                               Result fetched = call();
                               if (!fetched.ok()) return fetched.status();
                               return std::move(*fetched->mutable_file());
                             });
      if (!file.ok()) return file.status();
      typename Result::value_type response;
      *response.mutable_file() = **file;
      return response;
    } else if constexpr (kEffect == rpc::kListsFiles) {
      // Entries of the include options the listing was read with (it adds
      // none; see FileInfoCache::Refresh).
      bool appdata = false;
      bool rekognition_info = false;
      if constexpr (HasIncludeOptions<Request>::value) {
        appdata = request.include_appdata();
      }
      if constexpr (HasRekognitionOption<Request>::value) {
        rekognition_info = request.include_rekognition_info();
      }
      cache::FillTicket ticket = cache_->StartFill();
      Result page = call();
      if (page.ok()) {
        for (const v1::File& file : page->files()) {
          cache_->Refresh(ticket, project_, appdata, rekognition_info, file);
        }
      }
      return page;
    } else if constexpr (kEffect == rpc::kAddsFile) {
      Result result = call();
      if (result.ok()) cache_->Replace(project_, result->file());
      return result;
    } else if constexpr (kEffect == rpc::kChangesFile) {
      // Whatever the outcome (a failure may still have changed the file
      // upstream) the file's entries go; an answered File replaces them.
      Result result = call();
      if constexpr (AnswersFile<typename Result::value_type>::value) {
        if (result.ok()) {
          cache_->Replace(project_, result->file());
          return result;
        }
      }
      cache_->Invalidate(project_, request.uuid());
      return result;
    } else if constexpr (kEffect == rpc::kChangesFiles) {
      // Files answered replace their entries; every other UUID of the
      // request (problems, failed batches) is dropped.
      Result result = call();
      absl::flat_hash_set<absl::string_view> answered;
      if (result.ok()) {
        for (const v1::File& file : result->files()) {
          cache_->Replace(project_, file);
          answered.insert(file.uuid());
        }
      }
      for (const std::string& uuid : request.uuids()) {
        if (!answered.contains(uuid)) cache_->Invalidate(project_, uuid);
      }
      return result;
    } else if constexpr (kEffect == rpc::kChangesGroupFiles) {
      // A failure leaves the files unknown here; their entries expire with
      // the TTL.
      Result result = call();
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
    } else if constexpr (kEffect == rpc::kChangesAddonTarget) {
      Result result = call();
      cache_->Invalidate(project_, request.target());
      if (result.ok()) {
        addon_runs_->Remember(result->request_id(), request.target());
      }
      return result;
    } else {
      static_assert(kEffect == rpc::kReportsAddonRun);
      Result result = call();
      if (result.ok() &&
          (result->status() == v1::ADDON_EXECUTION_STATUS_DONE ||
           result->status() == v1::ADDON_EXECUTION_STATUS_ERROR)) {
        if (std::optional<std::string> target =
                addon_runs_->Forget(request.request_id())) {
          cache_->Invalidate(project_, *target);
        }
      }
      return result;
    }
  }

 private:
  std::shared_ptr<FileInfoCache> cache_;
  std::string project_;
  std::shared_ptr<AddonRunTargets> addon_runs_;
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

template <typename Interface>
std::unique_ptr<Interface> MakeCaching(
    std::shared_ptr<Interface> child,
    std::shared_ptr<cache::FileInfoCache> cache, std::string project_name) {
  return std::make_unique<Wrapped<Interface, FileInfoRunner>>(
      std::move(child),
      FileInfoRunner(std::move(cache), std::move(project_name)));
}

#define UCGATE_INSTANTIATE_CACHING(Interface, RPCS)                      \
  template std::unique_ptr<Interface> MakeCaching<Interface>(            \
      std::shared_ptr<Interface>, std::shared_ptr<cache::FileInfoCache>, \
      std::string);
UCGATE_OPERATIONS_INTERFACES(UCGATE_INSTANTIATE_CACHING)
#undef UCGATE_INSTANTIATE_CACHING

}  // namespace ucgate::upstream
