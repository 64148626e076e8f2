#include "service/restapi/conversion_json.h"

#include <utility>

#include "service/restapi/file_json.h"
#include "service/restapi/json_reader.h"
#include "service/restapi/json_writer.h"
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
  return ForEachRootFieldUnlessNull(
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
  return ForEachRootFieldUnlessNull(
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
  JsonWriter json(out);
  json.BeginObject().Key("result").BeginArray();
  for (const v1::ConversionJob& job : jobs) {
    json.BeginObject()
        .Key("original_source")
        .String(job.original_source())
        .Key("token")
        .Int(job.token())
        .Key("uuid")
        .String(job.uuid());
    if (!job.thumbnails_group_uuid().empty()) {
      json.Key("thumbnails_group_uuid").String(job.thumbnails_group_uuid());
    }
    json.EndObject();
  }
  json.EndArray().Key("problems").StringObject(problems).EndObject();
}

void AppendConversionStatusJson(const ConversionStatusAnswer& answer,
                                std::string* out) {
  JsonWriter json(out);
  json.BeginObject()
      .Key("status")
      .String(ConversionStatusName(answer.status))
      .Key("error")
      .StringOrNull(answer.error)
      .Key("result");
  if (answer.result_uuid.empty()) {
    json.Null();
  } else {
    json.BeginObject().Key("uuid").String(answer.result_uuid);
    if (!answer.thumbnails_group_uuid.empty()) {
      json.Key("thumbnails_group_uuid").String(answer.thumbnails_group_uuid);
    }
    json.EndObject();
  }
  json.EndObject();
}

void AppendDocumentConversionInfoJson(
    const v1::GetDocumentConversionInfoResponse& info, std::string* out) {
  JsonWriter json(out);
  json.BeginObject()
      .Key("error")
      .StringOrNull(info.error())
      .Key("format")
      .BeginObject()
      .Key("name")
      .String(info.format())
      .Key("conversion_formats")
      .BeginArray();
  for (const std::string& format : info.conversion_formats()) {
    json.BeginObject().Key("name").String(format).EndObject();
  }
  json.EndArray();
  if (!info.converted_groups().empty()) {
    json.Key("converted_groups").StringObject(info.converted_groups());
  }
  json.EndObject().EndObject();
}

}  // namespace ucgate::restapi
