#include "service/restapi/addon_json.h"

#include <utility>

#include "service/restapi/file_json.h"
#include "service/restapi/json_reader.h"
#include "service/restapi/json_writer.h"

namespace ucgate::restapi {
namespace {

using namespace internal;  // NOLINT(build/namespaces): the reader toolkit.

constexpr std::pair<v1::Addon, absl::string_view> kAddonNames[] = {
    {v1::ADDON_AWS_REKOGNITION_DETECT_LABELS, "aws_rekognition_detect_labels"},
    {v1::ADDON_AWS_REKOGNITION_DETECT_MODERATION_LABELS,
     "aws_rekognition_detect_moderation_labels"},
    {v1::ADDON_UC_CLAMAV_VIRUS_SCAN, "uc_clamav_virus_scan"},
    {v1::ADDON_REMOVE_BG, "remove_bg"}};

constexpr std::pair<v1::AddonExecutionStatus, absl::string_view>
    kStatusNames[] = {{v1::ADDON_EXECUTION_STATUS_IN_PROGRESS, "in_progress"},
                      {v1::ADDON_EXECUTION_STATUS_ERROR, "error"},
                      {v1::ADDON_EXECUTION_STATUS_DONE, "done"},
                      {v1::ADDON_EXECUTION_STATUS_UNKNOWN, "unknown"}};

template <typename Enum, size_t N>
Enum FromName(const std::pair<Enum, absl::string_view> (&table)[N],
              absl::string_view name) {
  for (const auto& [value, value_name] : table) {
    if (value_name == name) return value;
  }
  return Enum();
}

template <typename Enum, size_t N>
absl::string_view NameOf(const std::pair<Enum, absl::string_view> (&table)[N],
                         Enum value) {
  for (const auto& [entry, name] : table) {
    if (entry == value) return name;
  }
  return "";
}

// remove.bg's params: only the fields that are set.
void WriteRemoveBgParams(const v1::RemoveBgParams& params, JsonWriter& json) {
  json.BeginObject();
  auto boolean = [&](absl::string_view key, bool present, bool value) {
    if (present) json.Key(key).Bool(value);
  };
  auto text = [&](absl::string_view key, const std::string& value) {
    if (!value.empty()) json.Key(key).String(value);
  };
  boolean("crop", params.has_crop(), params.crop());
  text("crop_margin", params.crop_margin());
  text("scale", params.scale());
  boolean("add_shadow", params.has_add_shadow(), params.add_shadow());
  text("type_level", params.type_level());
  text("type", params.type());
  boolean("semitransparency", params.has_semitransparency(),
          params.semitransparency());
  text("channels", params.channels());
  text("roi", params.roi());
  text("position", params.position());
  json.EndObject();
}

bool ReadRemoveBgParams(od::value& value, v1::RemoveBgParams* params,
                        ErrorTrail& trail) {
  return ForEachRootField(
      value, trail, [&](std::string_view key, od::value& field) {
        bool flag = false, present = false;
        if (key == "crop" || key == "add_shadow" || key == "semitransparency") {
          if (!ReadBool(field, &flag, &present, trail)) return false;
          if (!present) return true;
          if (key == "crop") params->set_crop(flag);
          if (key == "add_shadow") params->set_add_shadow(flag);
          if (key == "semitransparency") params->set_semitransparency(flag);
          return true;
        }
        if (key == "crop_margin") {
          return ReadString(field, params->mutable_crop_margin(), trail);
        }
        if (key == "scale")
          return ReadString(field, params->mutable_scale(), trail);
        if (key == "type_level") {
          return ReadString(field, params->mutable_type_level(), trail);
        }
        if (key == "type")
          return ReadString(field, params->mutable_type(), trail);
        if (key == "channels") {
          return ReadString(field, params->mutable_channels(), trail);
        }
        if (key == "roi")
          return ReadString(field, params->mutable_roi(), trail);
        if (key == "position") {
          return ReadString(field, params->mutable_position(), trail);
        }
        return true;
      });
}

}  // namespace

v1::Addon AddonFromName(absl::string_view name) {
  return FromName(kAddonNames, name);
}
absl::string_view AddonName(v1::Addon addon) {
  return NameOf(kAddonNames, addon);
}
v1::AddonExecutionStatus AddonExecutionStatusFromName(absl::string_view name) {
  return FromName(kStatusNames, name);
}
absl::string_view AddonExecutionStatusName(v1::AddonExecutionStatus status) {
  return NameOf(kStatusNames, status);
}

absl::Status ParseAddonExecution(const std::string& body,
                                 v1::ExecuteAddonResponse* response) {
  response->Clear();
  absl::Status status =
      ParseDocument(body, [&](od::value& root, ErrorTrail& trail) {
        return ForEachRootField(
            root, trail, [&](std::string_view key, od::value& field) {
              return key != "request_id" ||
                     ReadString(field, response->mutable_request_id(), trail);
            });
      });
  if (!status.ok()) response->Clear();
  return status;
}

absl::Status ParseAddonExecutionStatus(
    const std::string& body, v1::GetAddonExecutionStatusResponse* response) {
  response->Clear();
  absl::Status status = ParseDocument(body, [&](od::value& root,
                                                ErrorTrail& trail) {
    return ForEachRootField(
        root, trail, [&](std::string_view key, od::value& field) {
          if (key == "status") {
            std::string name;
            if (!ReadString(field, &name, trail)) return false;
            response->set_status(AddonExecutionStatusFromName(name));
            return true;
          }
          if (key != "result") return true;
          bool is_null = false;
          if (!TakeIfNull(field, &is_null, trail)) return false;
          if (is_null) return true;
          return ForEachRootField(
              field, trail, [&](std::string_view result_key, od::value& v) {
                return result_key != "file_id" ||
                       ReadString(v, response->mutable_result_file_id(), trail);
              });
        });
  });
  if (!status.ok()) response->Clear();
  return status;
}

std::string AddonExecuteBody(const v1::ExecuteAddonRequest& request) {
  std::string body;
  JsonWriter json(&body);
  json.BeginObject().Key("target").String(request.target());
  switch (request.params_case()) {
    case v1::ExecuteAddonRequest::kClamavVirusScan:
      // Only when set; without params the service does not purge.
      if (request.clamav_virus_scan().has_purge_infected()) {
        json.Key("params")
            .BeginObject()
            .Key("purge_infected")
            .Bool(request.clamav_virus_scan().purge_infected())
            .EndObject();
      }
      break;
    case v1::ExecuteAddonRequest::kRemoveBg:
      json.Key("params");
      WriteRemoveBgParams(request.remove_bg(), json);
      break;
    default:
      break;
  }
  json.EndObject();
  return body;
}

absl::Status ParseAddonExecuteBody(const std::string& body, v1::Addon addon,
                                   v1::ExecuteAddonRequest* request) {
  request->Clear();
  request->set_addon(addon);
  absl::Status status =
      ParseDocument(body, [&](od::value& root, ErrorTrail& trail) {
        return ForEachRootField(
            root, trail, [&](std::string_view key, od::value& field) {
              if (key == "target") {
                return ReadString(field, request->mutable_target(), trail);
              }
              if (key != "params") return true;
              bool is_null = false;
              if (!TakeIfNull(field, &is_null, trail)) return false;
              if (is_null) return true;
              if (addon == v1::ADDON_REMOVE_BG) {
                return ReadRemoveBgParams(field, request->mutable_remove_bg(),
                                          trail);
              }
              if (addon == v1::ADDON_UC_CLAMAV_VIRUS_SCAN) {
                v1::ClamavVirusScanParams* params =
                    request->mutable_clamav_virus_scan();
                return ForEachRootField(
                    field, trail, [&](std::string_view param, od::value& v) {
                      if (param != "purge_infected") return true;
                      bool purge = false, present = false;
                      if (!ReadBool(v, &purge, &present, trail)) return false;
                      if (present) params->set_purge_infected(purge);
                      return true;
                    });
              }
              // The rekognition add-ons take no params; whatever is sent is
              // skipped, as the service does.
              od::object ignored;
              return GetObject(field, &ignored, trail);
            });
      });
  if (!status.ok()) {
    request->Clear();
    request->set_addon(addon);
  }
  return status;
}

void AppendAddonExecutionJson(const v1::ExecuteAddonResponse& response,
                              std::string* out) {
  JsonWriter(out)
      .BeginObject()
      .Key("request_id")
      .String(response.request_id())
      .EndObject();
}

void AppendAddonExecutionStatusJson(
    const v1::GetAddonExecutionStatusResponse& response, std::string* out) {
  JsonWriter json(out);
  json.BeginObject().Key("status").String(
      AddonExecutionStatusName(response.status()));
  if (!response.result_file_id().empty()) {
    json.Key("result")
        .BeginObject()
        .Key("file_id")
        .String(response.result_file_id())
        .EndObject();
  }
  json.EndObject();
}

}  // namespace ucgate::restapi
