// Conversion jobs and add-on runs of one emulated project. They move through
// their states on the emulator's clock (one step every kJobStep): a
// conversion is pending, then processing, then finished (its result file is
// created in the FileStore; a video's thumbnails become image files and the
// group the convert answer named) or failed (its source was removed
// meanwhile); an add-on run is in progress for one step, then done (its
// result lands in the target's appdata; remove_bg also creates the cut-out
// file).
//
// Settling is lazy but never late: the emulator settles a project's jobs
// before answering any of its requests (and before its test accessors read
// files or groups), so whatever reads files sees a result as soon as the
// clock has passed its finishing time.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/emulator/file_store.h"
#include "service/emulator/group_store.h"
#include "service/emulator/seed_data.h"
#include "uploadcare/gateway/v1/addon_service.pb.h"
#include "uploadcare/gateway/v1/conversion_service.pb.h"

namespace ucgate::emulator {

inline constexpr absl::Duration kJobStep = absl::Seconds(2);

enum class ConversionKind { kDocument, kVideo };

struct ConversionJobState {
  uploadcare::gateway::v1::ConversionStatus status =
      uploadcare::gateway::v1::CONVERSION_STATUS_UNSPECIFIED;
  std::string error;
  std::string result_uuid;            // set once finished
  std::string thumbnails_group_uuid;  // video jobs with thumbnails
};

struct AddonRunState {
  uploadcare::gateway::v1::AddonExecutionStatus status =
      uploadcare::gateway::v1::ADDON_EXECUTION_STATUS_UNSPECIFIED;
  std::string result_file_id;  // remove_bg, once done
};

class JobStore {
 public:
  explicit JobStore(uint64_t seed) : rng_(seed ^ 0x6a6f6273ULL) {}

  // Accepts a conversion of `source_uuid` into a file named
  // `result_filename` of `result_mime`; returns the job as the convert
  // answer shows it (token, result uuid, thumbnails group).
  uploadcare::gateway::v1::ConversionJob AddConversion(
      ConversionKind kind, std::string original_source, std::string source_uuid,
      std::string result_filename, std::string result_mime, bool store,
      int thumbnails, absl::Time now);
  // nullopt for an unknown token (or one of the other kind).
  std::optional<ConversionJobState> Conversion(ConversionKind kind,
                                               int64_t token) const;

  // Starts `addon` on `target`; ALREADY_EXISTS while a run of the same
  // add-on on the same file is in progress. Returns the request id.
  absl::StatusOr<std::string> StartAddon(
      const uploadcare::gateway::v1::ExecuteAddonRequest& request,
      absl::Time now);
  // nullopt for an unknown request id or one of another add-on.
  std::optional<AddonRunState> AddonRun(uploadcare::gateway::v1::Addon addon,
                                        absl::string_view request_id) const;

  // Moves every job whose time has come, creating result files and appdata
  // in `files` and thumbnail groups in `groups`. Cheap when nothing runs.
  void Settle(absl::Time now, FileStore& files, GroupStore& groups);

 private:
  struct ConversionRecord {
    ConversionKind kind;
    std::string source_uuid;
    std::string result_filename;
    std::string result_mime;
    bool store = false;
    int thumbnails = 0;
    absl::Time started;
    ConversionJobState state;
    std::string pending_result_uuid;
  };
  struct Run {
    uploadcare::gateway::v1::ExecuteAddonRequest request;
    absl::Time started;
    AddonRunState state;
  };

  std::string NewUuid() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void FinishConversion(ConversionRecord& job, absl::Time at, FileStore& files,
                        GroupStore& groups)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void AddThumbnails(const ConversionRecord& job,
                     const uploadcare::gateway::v1::File& source, absl::Time at,
                     FileStore& files, GroupStore& groups)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void FinishRun(Run& run, absl::Time at, FileStore& files)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  // Jobs and runs not yet finished: Settle returns at once without any.
  std::atomic<int> unsettled_{0};
  mutable absl::Mutex mutex_;
  SplitMix64 rng_ ABSL_GUARDED_BY(mutex_);
  int64_t next_token_ ABSL_GUARDED_BY(mutex_) = 21120391;
  std::map<int64_t, ConversionRecord> conversions_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, Run> runs_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace ucgate::emulator
