#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/restapi/conversion_json.h"
#include "service/restapi/conversion_paths.h"
#include "service/restapi/json_writer.h"
#include "service/upstream/rest/rest_operations.h"

namespace ucgate::upstream {
namespace {

using http::HttpMethod;

// {"paths": [...][, "store": "true"|"false"][, "save_in_group": ...]}, as the
// official JS client writes it: the flags as strings, and only those the
// caller set, so an unset `store` leaves the result to the project's
// auto-store setting (the service's default) rather than to a 24-hour life.
template <typename Conversions, typename PathOf>
std::string ConvertBody(const Conversions& conversions, PathOf path_of,
                        std::optional<bool> store,
                        std::optional<bool> save_in_group) {
  std::string body;
  restapi::JsonWriter json(&body);
  json.BeginObject().Key("paths").BeginArray();
  for (const auto& conversion : conversions) json.String(path_of(conversion));
  json.EndArray();
  if (store) json.Key("store").String(*store ? "true" : "false");
  if (save_in_group) {
    json.Key("save_in_group").String(*save_in_group ? "true" : "false");
  }
  json.EndObject();
  return body;
}

template <typename Request>
std::optional<bool> StoreOf(const Request& request) {
  if (!request.has_store()) return std::nullopt;
  return request.store();
}

class RestConversionOperations final : public ConversionOperations {
 public:
  explicit RestConversionOperations(std::shared_ptr<const RestClient> rest)
      : rest_(std::move(rest)) {}

  absl::StatusOr<v1::ConvertDocumentResponse> ConvertDocument(
      const CallContext& context,
      const v1::ConvertDocumentRequest& request) override {
    std::string body =
        ConvertBody(request.conversions(), restapi::DocumentConversionPath,
                    StoreOf(request),
                    request.has_save_in_group()
                        ? std::optional<bool>(request.save_in_group())
                        : std::nullopt);
    return RespondWith<v1::ConvertDocumentResponse>([&](auto& result) {
      return Convert(context, "/convert/document/", std::move(body),
                     result.mutable_jobs(), result.mutable_problems());
    });
  }

  absl::StatusOr<v1::GetDocumentConversionStatusResponse>
  GetDocumentConversionStatus(
      const CallContext& context,
      const v1::GetDocumentConversionStatusRequest& request) override {
    absl::StatusOr<restapi::ConversionStatusAnswer> answer =
        Status(context,
               absl::StrCat("/convert/document/status/", request.token(), "/"));
    if (!answer.ok()) return answer.status();
    v1::GetDocumentConversionStatusResponse result;
    result.set_status(answer->status);
    result.set_error(std::move(answer->error));
    result.set_result_uuid(std::move(answer->result_uuid));
    return result;
  }

  absl::StatusOr<v1::GetDocumentConversionInfoResponse>
  GetDocumentConversionInfo(
      const CallContext& context,
      const v1::GetDocumentConversionInfoRequest& request) override {
    return RespondWith<v1::GetDocumentConversionInfoResponse>(
        [&](auto& result) {
          return rest_->CallAndParse(
              context, HttpMethod::kGet,
              absl::StrCat("/convert/document/", request.uuid(), "/"), "",
              restapi::ParseDocumentConversionInfo, &result);
        });
  }

  absl::StatusOr<v1::ConvertVideoResponse> ConvertVideo(
      const CallContext& context,
      const v1::ConvertVideoRequest& request) override {
    std::string body =
        ConvertBody(request.conversions(), restapi::VideoConversionPath,
                    StoreOf(request), std::nullopt);
    return RespondWith<v1::ConvertVideoResponse>([&](auto& result) {
      return Convert(context, "/convert/video/", std::move(body),
                     result.mutable_jobs(), result.mutable_problems());
    });
  }

  absl::StatusOr<v1::GetVideoConversionStatusResponse> GetVideoConversionStatus(
      const CallContext& context,
      const v1::GetVideoConversionStatusRequest& request) override {
    absl::StatusOr<restapi::ConversionStatusAnswer> answer = Status(
        context, absl::StrCat("/convert/video/status/", request.token(), "/"));
    if (!answer.ok()) return answer.status();
    v1::GetVideoConversionStatusResponse result;
    result.set_status(answer->status);
    result.set_error(std::move(answer->error));
    result.set_result_uuid(std::move(answer->result_uuid));
    result.set_thumbnails_group_uuid(std::move(answer->thumbnails_group_uuid));
    return result;
  }

 private:
  absl::Status Convert(
      const CallContext& context, absl::string_view path, std::string body,
      google::protobuf::RepeatedPtrField<v1::ConversionJob>* jobs,
      google::protobuf::Map<std::string, std::string>* problems) {
    return rest_->CallAndParse(
        context, HttpMethod::kPost, path, std::move(body),
        [problems](const std::string& answer, auto* jobs) {
          return restapi::ParseConversionJobs(answer, jobs, problems);
        },
        jobs);
  }

  absl::StatusOr<restapi::ConversionStatusAnswer> Status(
      const CallContext& context, const std::string& path) {
    return RespondWith<restapi::ConversionStatusAnswer>([&](auto& answer) {
      return rest_->CallAndParse(context, HttpMethod::kGet, path, "",
                                 restapi::ParseConversionStatus, &answer);
    });
  }

  std::shared_ptr<const RestClient> rest_;
};

}  // namespace

std::unique_ptr<ConversionOperations> MakeRestConversionOperations(
    std::shared_ptr<const RestClient> rest) {
  return std::make_unique<RestConversionOperations>(std::move(rest));
}

}  // namespace ucgate::upstream
