#include "service/upstream/rest_file_operations.h"

#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "service/common/status.h"
#include "service/common/uuid.h"
#include "service/upstream/file_request_validation.h"
#include "service/upstream/http/upstream_error.h"
#include "service/upstream/json/file_json.h"
#include "service/upstream/page_token.h"
#include "service/common/url.h"

namespace ucgate::upstream {
namespace {

using http::HttpMethod;

constexpr char kContentType[] = "application/json";

const char* OrderingParam(v1::FileOrdering ordering) {
  switch (ordering) {
    case v1::FILE_ORDERING_DATETIME_UPLOADED:
      return "datetime_uploaded";
    case v1::FILE_ORDERING_DATETIME_UPLOADED_DESC:
      return "-datetime_uploaded";
    case v1::FILE_ORDERING_SIZE:
      return "size";
    case v1::FILE_ORDERING_SIZE_DESC:
      return "-size";
    default:
      return nullptr;
  }
}

// JSON array of strings, for batch bodies.
std::string JsonStringArray(const std::vector<const std::string*>& items) {
  std::string body = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) body.push_back(',');
    json::AppendJsonString(*items[i], &body);
  }
  body.push_back(']');
  return body;
}

void AppendJsonField(absl::string_view name, absl::string_view value,
                     std::string* body) {
  if (body->size() > 1) body->push_back(',');
  json::AppendJsonString(name, body);
  body->push_back(':');
  body->append(value.data(), value.size());
}

void AppendJsonStringField(absl::string_view name, absl::string_view value,
                           std::string* body) {
  std::string quoted;
  json::AppendJsonString(value, &quoted);
  AppendJsonField(name, quoted, body);
}

class RestFileOperations final : public FileOperations {
 public:
  RestFileOperations(RestOptions options, BaseUrl base,
                     std::shared_ptr<http::HttpClient> http_client,
                     std::shared_ptr<const auth::RequestSigner> signer,
                     std::shared_ptr<const Clock> clock)
      : options_(std::move(options)),
        base_(std::move(base)),
        http_client_(std::move(http_client)),
        signer_(std::move(signer)),
        clock_(std::move(clock)) {}

  absl::StatusOr<v1::ListFilesResponse> ListFiles(
      const CallContext& context,
      const v1::ListFilesRequest& request) override {
    const uint64_t fingerprint =
        ListingFingerprint(options_.project_name, request);
    QueryParams query;
    query.emplace_back(
        "limit", absl::StrCat(request.page_size() > 0 ? request.page_size()
                                                      : kDefaultPageSize));
    if (const char* ordering = OrderingParam(request.ordering())) {
      query.emplace_back("ordering", ordering);
    }
    if (request.has_stored()) {
      query.emplace_back("stored", request.stored() ? "true" : "false");
    }
    if (request.has_removed()) {
      query.emplace_back("removed", request.removed() ? "true" : "false");
    }
    if (!request.page_token().empty()) {
      absl::StatusOr<ListCursor> cursor =
          DecodePageToken(request.page_token(), fingerprint);
      if (!cursor.ok()) return cursor.status();
      query.emplace_back("from", cursor->from);
      query.emplace_back("offset", absl::StrCat(cursor->offset));
    } else if (!request.from().empty()) {
      query.emplace_back("from", request.from());
    }
    AppendIncludeParams(request.include_appdata(),
                        request.include_rekognition_info(), query);

    absl::StatusOr<http::HttpResponse> response =
        Call(context, HttpMethod::kGet, WithQuery("/files/", query), "");
    if (!response.ok()) return response.status();
    v1::ListFilesResponse page;
    std::string next_url;
    if (absl::Status status =
            json::ParseFileListPage(response->body, &page, &next_url);
        !status.ok()) {
      return status;
    }
    if (!next_url.empty()) {
      absl::StatusOr<ListCursor> cursor = CursorOfNextUrl(next_url);
      if (!cursor.ok()) return cursor.status();
      page.set_next_page_token(EncodePageToken(*cursor, fingerprint));
    }
    return page;
  }

  absl::StatusOr<v1::GetFileResponse> GetFile(
      const CallContext& context, const v1::GetFileRequest& request) override {
    QueryParams query;
    AppendIncludeParams(request.include_appdata(),
                        request.include_rekognition_info(), query);
    v1::GetFileResponse result;
    if (absl::Status status = CallForFile(
            context, HttpMethod::kGet,
            WithQuery(absl::StrCat("/files/", request.uuid(), "/"), query),
            result.mutable_file());
        !status.ok()) {
      return status;
    }
    return result;
  }

  absl::StatusOr<v1::StoreFileResponse> StoreFile(
      const CallContext& context,
      const v1::StoreFileRequest& request) override {
    v1::StoreFileResponse result;
    if (absl::Status status =
            CallForFile(context, HttpMethod::kPut,
                        absl::StrCat("/files/", request.uuid(), "/storage/"),
                        result.mutable_file());
        !status.ok()) {
      return status;
    }
    return result;
  }

  absl::StatusOr<v1::DeleteFileResponse> DeleteFile(
      const CallContext& context,
      const v1::DeleteFileRequest& request) override {
    // v0.6 answers DELETE .../storage/ with a redirect; its delete is
    // DELETE /files/{uuid}/.
    std::string path =
        options_.api_version == ApiVersion::kV06
            ? absl::StrCat("/files/", request.uuid(), "/")
            : absl::StrCat("/files/", request.uuid(), "/storage/");
    v1::DeleteFileResponse result;
    if (absl::Status status = CallForFile(context, HttpMethod::kDelete, path,
                                          result.mutable_file());
        !status.ok()) {
      return status;
    }
    return result;
  }

  absl::StatusOr<v1::BatchStoreFilesResponse> BatchStoreFiles(
      const CallContext& context,
      const v1::BatchStoreFilesRequest& request) override {
    v1::BatchStoreFilesResponse result;
    if (absl::Status status =
            CallBatch(context, HttpMethod::kPut, request.uuids(),
                      result.mutable_files(), result.mutable_problems());
        !status.ok()) {
      return status;
    }
    return result;
  }

  absl::StatusOr<v1::BatchDeleteFilesResponse> BatchDeleteFiles(
      const CallContext& context,
      const v1::BatchDeleteFilesRequest& request) override {
    v1::BatchDeleteFilesResponse result;
    if (absl::Status status =
            CallBatch(context, HttpMethod::kDelete, request.uuids(),
                      result.mutable_files(), result.mutable_problems());
        !status.ok()) {
      return status;
    }
    return result;
  }

  absl::StatusOr<v1::CopyFileToLocalStorageResponse> CopyFileToLocalStorage(
      const CallContext& context,
      const v1::CopyFileToLocalStorageRequest& request) override {
    std::string body = "{";
    AppendJsonStringField("source", request.source(), &body);
    // The API takes "true"/"false" strings here.
    AppendJsonStringField("store", request.store() ? "true" : "false", &body);
    if (!request.metadata().empty()) {
      std::string metadata = "{";
      for (const auto& [key, value] : request.metadata()) {
        AppendJsonStringField(key, value, &metadata);
      }
      metadata.push_back('}');
      AppendJsonField("metadata", metadata, &body);
    }
    body.push_back('}');
    absl::StatusOr<http::HttpResponse> response =
        Call(context, HttpMethod::kPost, "/files/local_copy/", std::move(body));
    if (!response.ok()) return response.status();
    v1::CopyFileToLocalStorageResponse result;
    if (absl::Status status =
            json::ParseLocalCopyResult(response->body, result.mutable_file());
        !status.ok()) {
      return status;
    }
    return result;
  }

  absl::StatusOr<v1::CopyFileToRemoteStorageResponse> CopyFileToRemoteStorage(
      const CallContext& context,
      const v1::CopyFileToRemoteStorageRequest& request) override {
    std::string body = "{";
    AppendJsonStringField("source", request.source(), &body);
    AppendJsonStringField("target", request.target(), &body);
    if (request.has_make_public()) {
      AppendJsonField("make_public", request.make_public() ? "true" : "false",
                      &body);
    }
    if (!request.pattern().empty()) {
      AppendJsonStringField("pattern", request.pattern(), &body);
    }
    body.push_back('}');
    absl::StatusOr<http::HttpResponse> response = Call(
        context, HttpMethod::kPost, "/files/remote_copy/", std::move(body));
    if (!response.ok()) return response.status();
    v1::CopyFileToRemoteStorageResponse result;
    if (absl::Status status =
            json::ParseRemoteCopyResult(response->body, result.mutable_url());
        !status.ok()) {
      return status;
    }
    // 201: copied now; 200: the file was already there.
    result.set_already_existed(response->status_code == 200);
    return result;
  }

 private:
  void AppendIncludeParams(bool appdata, bool rekognition_info,
                           QueryParams& query) const {
    if (appdata) query.emplace_back("include", "appdata");
    if (rekognition_info) query.emplace_back("add_fields", "rekognition_info");
  }

  // One signed exchange; non-2xx answers come back as mapped errors.
  absl::StatusOr<http::HttpResponse> Call(const CallContext& context,
                                          HttpMethod method,
                                          absl::string_view relative_path,
                                          std::string body) {
    http::HttpRequest request;
    request.method = method;
    std::string path_and_query = absl::StrCat(base_.path_prefix, relative_path);
    request.url = absl::StrCat(base_.origin, path_and_query);
    request.headers.reserve(4);
    request.headers.push_back(
        {"Accept", std::string(AcceptHeaderFor(options_.api_version))});
    request.headers.push_back({"Content-Type", kContentType});
    signer_->Sign(method, path_and_query, kContentType, body, request.headers);
    request.body = std::move(body);
    absl::StatusOr<http::HttpResponse> response =
        http_client_->Send(request, {context.deadline, context.is_cancelled});
    if (!response.ok()) return response.status();
    if (absl::Status status =
            http::StatusFromHttpResponse(*response, clock_->Now());
        !status.ok()) {
      return status;
    }
    return response;
  }

  absl::Status CallForFile(const CallContext& context, HttpMethod method,
                           absl::string_view relative_path, v1::File* file) {
    absl::StatusOr<http::HttpResponse> response =
        Call(context, method, relative_path, "");
    if (!response.ok()) return response.status();
    return json::ParseFile(response->body, file);
  }

  // Malformed UUIDs are answered "Invalid" here, as the service would, without
  // sending them; the rest go upstream in one request.
  absl::Status CallBatch(
      const CallContext& context, HttpMethod method,
      const google::protobuf::RepeatedPtrField<std::string>& uuids,
      google::protobuf::RepeatedPtrField<v1::File>* files,
      google::protobuf::Map<std::string, std::string>* problems) {
    std::vector<const std::string*> valid;
    google::protobuf::Map<std::string, std::string> local_problems;
    for (const std::string& uuid : uuids) {
      if (IsValidUuid(uuid)) {
        valid.push_back(&uuid);
      } else {
        local_problems[uuid] = "Invalid";
      }
    }
    if (!valid.empty()) {
      absl::StatusOr<http::HttpResponse> response =
          Call(context, method, "/files/storage/", JsonStringArray(valid));
      if (!response.ok()) return response.status();
      if (absl::Status status =
              json::ParseBatchResult(response->body, files, problems);
          !status.ok()) {
        return status;
      }
    }
    for (auto& [uuid, reason] : local_problems)
      (*problems)[uuid] = std::move(reason);
    return absl::OkStatus();
  }

  static absl::StatusOr<ListCursor> CursorOfNextUrl(
      absl::string_view next_url) {
    absl::StatusOr<QueryParams> params = ParseQueryOfUrl(next_url);
    if (!params.ok()) {
      return absl::InternalError(absl::StrCat(
          "upstream: malformed next-page URL: ", params.status().message()));
    }
    ListCursor cursor;
    bool has_from = false;
    for (const auto& [key, value] : *params) {
      if (key == "from") {
        cursor.from = value;
        has_from = true;
      } else if (key == "offset" && !absl::SimpleAtoi(value, &cursor.offset)) {
        return absl::InternalError("upstream: next-page URL has a bad offset");
      }
    }
    if (!has_from) {
      return absl::InternalError(
          "upstream: next-page URL has no 'from' cursor");
    }
    return cursor;
  }

  RestOptions options_;
  BaseUrl base_;
  std::shared_ptr<http::HttpClient> http_client_;
  std::shared_ptr<const auth::RequestSigner> signer_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<FileOperations>> MakeRestFileOperations(
    RestOptions options, std::shared_ptr<http::HttpClient> http_client,
    std::shared_ptr<const auth::RequestSigner> signer,
    std::shared_ptr<const Clock> clock) {
  absl::StatusOr<BaseUrl> base = ParseBaseUrl(options.base_url);
  if (!base.ok()) return base.status();
  return std::make_unique<RestFileOperations>(
      std::move(options), *std::move(base), std::move(http_client),
      std::move(signer), std::move(clock));
}

}  // namespace ucgate::upstream
