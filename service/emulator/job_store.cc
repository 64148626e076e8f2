#include "service/emulator/job_store.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "service/restapi/addon_json.h"

namespace ucgate::emulator {
namespace {

namespace v1 = ::uploadcare::gateway::v1;
using google::protobuf::Struct;
using google::protobuf::Value;

// Conversions: pending for one step, processing for one, then done.
constexpr int kConversionSteps = 2;
// Add-on runs: in progress for one step.
constexpr int kAddonSteps = 1;

void SetTimestamp(absl::Time at, google::protobuf::Timestamp* timestamp) {
  const int64_t micros = absl::ToUnixMicros(at);
  timestamp->set_seconds(micros / 1000000);
  timestamp->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
}

Value Label(absl::string_view name, double confidence) {
  Value label;
  Struct* fields = label.mutable_struct_value();
  (*fields->mutable_fields())["Name"].set_string_value(std::string(name));
  (*fields->mutable_fields())["Confidence"].set_number_value(confidence);
  (*fields->mutable_fields())["Parents"].mutable_list_value();
  (*fields->mutable_fields())["Instances"].mutable_list_value();
  return label;
}

// What each add-on leaves in appdata, shaped like the service's results.
v1::AppData AddonResult(v1::Addon addon, absl::Time at) {
  v1::AppData appdata;
  auto& data = *appdata.mutable_data()->mutable_fields();
  switch (addon) {
    case v1::ADDON_UC_CLAMAV_VIRUS_SCAN:
      data["infected"].set_bool_value(false);
      data["infected_with"].set_null_value(google::protobuf::NULL_VALUE);
      appdata.set_version("0.104.2");
      break;
    case v1::ADDON_AWS_REKOGNITION_DETECT_LABELS: {
      auto* labels = data["Labels"].mutable_list_value();
      *labels->add_values() = Label("Cat", 93.41);
      *labels->add_values() = Label("Pet", 87.2);
      data["LabelModelVersion"].set_string_value("2.0");
      appdata.set_version("2016-06-27");
      break;
    }
    case v1::ADDON_AWS_REKOGNITION_DETECT_MODERATION_LABELS:
      data["ModerationLabels"].mutable_list_value();
      data["ModerationModelVersion"].set_string_value("6.0");
      appdata.set_version("2016-06-27");
      break;
    case v1::ADDON_REMOVE_BG:
      data["foreground_type"].set_string_value("person");
      appdata.set_version("1.0");
      break;
    default:
      break;
  }
  SetTimestamp(at, appdata.mutable_datetime_created());
  SetTimestamp(at, appdata.mutable_datetime_updated());
  return appdata;
}

// A file a job made: ready at once.
v1::File MadeFile(std::string uuid, std::string filename, std::string mime,
                  int64_t size) {
  v1::File file;
  file.set_uuid(std::move(uuid));
  file.set_original_filename(std::move(filename));
  file.set_is_image(absl::StartsWith(mime, "image/"));
  file.set_mime_type(std::move(mime));
  file.set_size(size);
  file.set_is_ready(true);
  return file;
}

bool IsGone(const std::optional<v1::File>& file) {
  return !file.has_value() || file->has_datetime_removed();
}

}  // namespace

std::string JobStore::NewUuid() { return FormatUuid(RandomUuid(rng_)); }

v1::ConversionJob JobStore::AddConversion(ConversionKind kind,
                                          std::string original_source,
                                          std::string source_uuid,
                                          std::string result_filename,
                                          std::string result_mime, bool store,
                                          int thumbnails, absl::Time now) {
  absl::MutexLock lock(&mutex_);
  ConversionRecord job;
  job.kind = kind;
  job.source_uuid = std::move(source_uuid);
  job.result_filename = std::move(result_filename);
  job.result_mime = std::move(result_mime);
  job.store = store;
  job.thumbnails = kind == ConversionKind::kVideo ? thumbnails : 0;
  job.started = now;
  job.state.status = v1::CONVERSION_STATUS_PENDING;
  job.pending_result_uuid = NewUuid();
  v1::ConversionJob answer;
  answer.set_original_source(std::move(original_source));
  answer.set_uuid(job.pending_result_uuid);
  answer.set_token(next_token_++);
  if (job.thumbnails > 0) {
    // Named now, created with the thumbnails when the job finishes.
    job.state.thumbnails_group_uuid =
        absl::StrCat(NewUuid(), "~", job.thumbnails);
    answer.set_thumbnails_group_uuid(job.state.thumbnails_group_uuid);
  }
  conversions_.emplace(answer.token(), std::move(job));
  unsettled_.fetch_add(1);
  return answer;
}

std::optional<ConversionJobState> JobStore::Conversion(ConversionKind kind,
                                                       int64_t token) const {
  absl::MutexLock lock(&mutex_);
  auto it = conversions_.find(token);
  if (it == conversions_.end() || it->second.kind != kind) return std::nullopt;
  return it->second.state;
}

absl::StatusOr<std::string> JobStore::StartAddon(
    const v1::ExecuteAddonRequest& request, absl::Time now) {
  absl::MutexLock lock(&mutex_);
  for (const auto& [id, run] : runs_) {
    if (run.request.addon() == request.addon() &&
        run.request.target() == request.target() &&
        run.state.status == v1::ADDON_EXECUTION_STATUS_IN_PROGRESS) {
      return absl::AlreadyExistsError(
          absl::StrCat("Add-on ", restapi::AddonName(request.addon()),
                       " is already being executed on this file."));
    }
  }
  std::string request_id = NewUuid();
  Run run;
  run.request = request;
  run.started = now;
  run.state.status = v1::ADDON_EXECUTION_STATUS_IN_PROGRESS;
  runs_.emplace(request_id, std::move(run));
  unsettled_.fetch_add(1);
  return request_id;
}

std::optional<AddonRunState> JobStore::AddonRun(
    v1::Addon addon, absl::string_view request_id) const {
  absl::MutexLock lock(&mutex_);
  auto it = runs_.find(std::string(request_id));
  if (it == runs_.end() || it->second.request.addon() != addon) {
    return std::nullopt;
  }
  return it->second.state;
}

void JobStore::Settle(absl::Time now, FileStore& files, GroupStore& groups) {
  if (unsettled_.load() == 0) return;
  absl::MutexLock lock(&mutex_);
  for (auto& [token, job] : conversions_) {
    const v1::ConversionStatus status = job.state.status;
    if (status != v1::CONVERSION_STATUS_PENDING &&
        status != v1::CONVERSION_STATUS_PROCESSING) {
      continue;
    }
    const int64_t steps = (now - job.started) / kJobStep;
    if (steps >= kConversionSteps) {
      FinishConversion(job, job.started + kConversionSteps * kJobStep, files,
                       groups);
      unsettled_.fetch_sub(1);
    } else if (steps >= 1) {
      job.state.status = v1::CONVERSION_STATUS_PROCESSING;
    }
  }
  for (auto& [id, run] : runs_) {
    if (run.state.status == v1::ADDON_EXECUTION_STATUS_IN_PROGRESS &&
        now - run.started >= kAddonSteps * kJobStep) {
      FinishRun(run, run.started + kAddonSteps * kJobStep, files);
      unsettled_.fetch_sub(1);
    }
  }
}

void JobStore::FinishConversion(ConversionRecord& job, absl::Time at,
                                FileStore& files, GroupStore& groups) {
  const std::optional<v1::File> source = files.Get(job.source_uuid);
  if (IsGone(source)) {
    job.state.status = v1::CONVERSION_STATUS_FAILED;
    job.state.error = "The source file was removed before its conversion.";
    return;
  }
  v1::File result = MadeFile(job.pending_result_uuid, job.result_filename,
                             job.result_mime, source->size());
  if (job.store) SetTimestamp(at, result.mutable_datetime_stored());
  files.Add(std::move(result), at);
  if (job.thumbnails > 0) AddThumbnails(job, *source, at, files, groups);
  job.state.status = v1::CONVERSION_STATUS_FINISHED;
  job.state.result_uuid = job.pending_result_uuid;
}

void JobStore::AddThumbnails(const ConversionRecord& job,
                             const v1::File& source, absl::Time at,
                             FileStore& files, GroupStore& groups) {
  const std::string& name = source.original_filename();
  const std::string stem = name.substr(0, name.rfind('.'));
  std::vector<std::string> uuids;
  for (int i = 0; i < job.thumbnails; ++i) {
    v1::File thumbnail =
        MadeFile(NewUuid(), absl::StrCat(stem, "-thumb-", i, ".jpg"),
                 "image/jpeg", 4096 + 512 * i);
    if (job.store) SetTimestamp(at, thumbnail.mutable_datetime_stored());
    uuids.push_back(files.Add(std::move(thumbnail), at).uuid());
  }
  groups.Add(job.state.thumbnails_group_uuid, std::move(uuids), at);
}

void JobStore::FinishRun(Run& run, absl::Time at, FileStore& files) {
  const v1::Addon addon = run.request.addon();
  const std::string target = run.request.target();
  std::optional<v1::File> file = files.Get(target);
  if (IsGone(file)) {
    run.state.status = v1::ADDON_EXECUTION_STATUS_ERROR;
    return;
  }
  // Add replaces the stored file: the result joins its appdata.
  (*file->mutable_appdata())[std::string(restapi::AddonName(addon))] =
      AddonResult(addon, at);
  files.Add(*file, at);
  if (addon == v1::ADDON_REMOVE_BG) {
    const std::string& original = file->original_filename();
    run.state.result_file_id =
        files
            .Add(MadeFile(NewUuid(),
                          absl::StrCat(original.substr(0, original.rfind('.')),
                                       ".png"),
                          "image/png", file->size()),
                 at)
            .uuid();
  }
  run.state.status = v1::ADDON_EXECUTION_STATUS_DONE;
}

}  // namespace ucgate::emulator
