#include "service/restapi/conversion_json.h"

#include <utility>

#include "service/restapi/file_json.h"
#include "service/restapi/json_reader.h"
#include "service/restapi/metadata_json.h"

namespace ucgate::restapi {
namespace {

using namespace internal;  // NOLINT(build/namespaces): the reader toolkit.

constexpr std::pair<v1::ConversionStatus, absl::string_view> kStatusNames[] = {
    {v1::CONVERSION_STATUS_PENDING, "pending"},
    {v1::CONVERSION_STATUS_PROCESSING, "processing"},
    {v1::CONVERSION_STATUS_FINISHED, "finished"},
    {v1::CONVERSION_STATUS_FAILED, "failed"},
    {v1::CONVERSION_STATUS_CANCELLED, "cancelled"}};

bool ReadJob(od::value& value, v1::ConversionJob* job, ErrorTrail& trail) {
  return ForEachRootField(
      value, trail, [&](std::string_view key, od::value& field) {
        if (key == "original_source") {
          return ReadString(field, job->mutable_original_source(), trail);
        }
        if (key == "uuid") return ReadString(field, job->mutable_uuid(), trail);
        if (key == "thumbnails_group_uuid") {
          return ReadString(field, job->mutable_thumbnails_group_uuid(), trail);
        }
        if (key == "token") {
          int64_t token = 0;
          bool present = false;
          if (!ReadInt64(field, &token, &present, trail)) return false;
          job->set_token(token);
        }
        return true;
      });
}

bool ReadJobs(od::value& value,
              google::protobuf::RepeatedPtrField<v1::ConversionJob>* jobs,
              ErrorTrail& trail) {
  return ForEachArrayItemOrNull(value, trail, [&](od::value& item, size_t) {
    return ReadJob(item, jobs->Add(), trail);
  });
}

bool ReadStatusResult(od::value& value, ConversionStatusAnswer* answer,
                      ErrorTrail& trail) {
  bool is_null = false;
  if (!TakeIfNull(value, &is_null, trail)) return false;
  if (is_null) return true;
  return ForEachRootField(
      value, trail, [&](std::string_view key, od::value& field) {
        if (key == "uuid")
          return ReadString(field, &answer->result_uuid, trail);
        if (key == "thumbnails_group_uuid") {
          return ReadString(field, &answer->thumbnails_group_uuid, trail);
        }
        return true;
      });
}

bool ReadFormat(od::value& value, v1::GetDocumentConversionInfoResponse* info,
                ErrorTrail& trail) {
  bool is_null = false;
  if (!TakeIfNull(value, &is_null, trail)) return false;
  if (is_null) return true;
  return ForEachRootField(
      value, trail, [&](std::string_view key, od::value& field) {
        if (key == "name")
          return ReadString(field, info->mutable_format(), trail);
        // The service writes converted_groups inside "format".
        if (key == "converted_groups") {
          return ReadStringMap(field, info->mutable_converted_groups(), trail);
        }
        if (key != "conversion_formats") return true;
        return ForEachArrayItemOrNull(
            field, trail, [&](od::value& item, size_t) {
              std::string* name = info->add_conversion_formats();
              return ForEachRootField(
                  item, trail, [&](std::string_view item_key, od::value& v) {
                    return item_key != "name" || ReadString(v, name, trail);
                  });
            });
      });
}

// `value` is null or a JSON string.
void AppendNullableString(absl::string_view value, std::string* out) {
  if (value.empty()) {
    out->append("null");
  } else {
    AppendJsonString(value, out);
  }
}

}  // namespace

v1::ConversionStatus ConversionStatusFromName(absl::string_view name) {
  for (const auto& [status, status_name] : kStatusNames) {
    if (status_name == name) return status;
  }
  return v1::CONVERSION_STATUS_UNSPECIFIED;
}

absl::string_view ConversionStatusName(v1::ConversionStatus status) {
  for (const auto& [entry, name] : kStatusNames) {
    if (entry == status) return name;
  }
  return "";
}

absl::Status ParseConversionJobs(
    const std::string& body,
    google::protobuf::RepeatedPtrField<v1::ConversionJob>* jobs,
    google::protobuf::Map<std::string, std::string>* problems) {
  return ParseResultAndProblems(body, jobs, problems, ReadJobs);
}

absl::Status ParseConversionStatus(const std::string& body,
                                   ConversionStatusAnswer* answer) {
  *answer = ConversionStatusAnswer();
  absl::Status status =
      ParseDocument(body, [&](od::value& root, ErrorTrail& trail) {
        return ForEachRootField(
            root, trail, [&](std::string_view key, od::value& field) {
              if (key == "status") {
                std::string name;
                if (!ReadString(field, &name, trail)) return false;
                answer->status = ConversionStatusFromName(name);
                return true;
              }
              if (key == "error")
                return ReadString(field, &answer->error, trail);
              if (key == "result") {
                return ReadStatusResult(field, answer, trail);
              }
              return true;
            });
      });
  if (!status.ok()) *answer = ConversionStatusAnswer();
  return status;
}

absl::Status ParseDocumentConversionInfo(
    const std::string& body, v1::GetDocumentConversionInfoResponse* info) {
  info->Clear();
  absl::Status status =
      ParseDocument(body, [&](od::value& root, ErrorTrail& trail) {
        return ForEachRootField(
            root, trail, [&](std::string_view key, od::value& field) {
              if (key == "error") {
                return ReadString(field, info->mutable_error(), trail);
              }
              if (key == "format") return ReadFormat(field, info, trail);
              if (key == "converted_groups") {
                return ReadStringMap(field, info->mutable_converted_groups(),
                                     trail);
              }
              return true;
            });
      });
  if (!status.ok()) info->Clear();
  return status;
}

void AppendConversionJobsJson(
    const google::protobuf::RepeatedPtrField<v1::ConversionJob>& jobs,
    const google::protobuf::Map<std::string, std::string>& problems,
    std::string* out) {
  out->append("{\"result\":[");
  for (int i = 0; i < jobs.size(); ++i) {
    const v1::ConversionJob& job = jobs[i];
    if (i > 0) out->push_back(',');
    out->append("{\"original_source\":");
    AppendJsonString(job.original_source(), out);
    out->append(",\"token\":");
    out->append(std::to_string(job.token()));
    out->append(",\"uuid\":");
    AppendJsonString(job.uuid(), out);
    if (!job.thumbnails_group_uuid().empty()) {
      out->append(",\"thumbnails_group_uuid\":");
      AppendJsonString(job.thumbnails_group_uuid(), out);
    }
    out->push_back('}');
  }
  out->append("],\"problems\":");
  AppendStringObject(problems, out);
  out->push_back('}');
}

void AppendConversionStatusJson(const ConversionStatusAnswer& answer,
                                std::string* out) {
  out->append("{\"status\":");
  AppendJsonString(ConversionStatusName(answer.status), out);
  out->append(",\"error\":");
  AppendNullableString(answer.error, out);
  out->append(",\"result\":");
  if (answer.result_uuid.empty()) {
    out->append("null");
  } else {
    out->append("{\"uuid\":");
    AppendJsonString(answer.result_uuid, out);
    if (!answer.thumbnails_group_uuid.empty()) {
      out->append(",\"thumbnails_group_uuid\":");
      AppendJsonString(answer.thumbnails_group_uuid, out);
    }
    out->push_back('}');
  }
  out->push_back('}');
}

void AppendDocumentConversionInfoJson(
    const v1::GetDocumentConversionInfoResponse& info, std::string* out) {
  out->append("{\"error\":");
  AppendNullableString(info.error(), out);
  out->append(",\"format\":{\"name\":");
  AppendJsonString(info.format(), out);
  out->append(",\"conversion_formats\":[");
  for (int i = 0; i < info.conversion_formats_size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append("{\"name\":");
    AppendJsonString(info.conversion_formats(i), out);
    out->push_back('}');
  }
  out->push_back(']');
  if (!info.converted_groups().empty()) {
    out->append(",\"converted_groups\":");
    AppendStringObject(info.converted_groups(), out);
  }
  out->append("}}");
}

}  // namespace ucgate::restapi
