#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "service/api/limits.h"
#include "service/api/page_token.h"
#include "service/common/status.h"
#include "service/common/url.h"
#include "service/common/uuid.h"
#include "service/restapi/file_json.h"
#include "service/restapi/json_writer.h"
#include "service/restapi/limits.h"
#include "service/restapi/metadata_json.h"
#include "service/upstream/http/upstream_error.h"
#include "service/upstream/rest/listing_page.h"
#include "service/upstream/rest/rest_operations.h"

namespace ucgate::upstream {
namespace {

using http::HttpMethod;

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

class RestFileOperations final : public FileOperations {
 public:
  explicit RestFileOperations(std::shared_ptr<const RestClient> rest)
      : rest_(std::move(rest)) {}

  absl::StatusOr<v1::ListFilesResponse> ListFiles(
      const CallContext& context,
      const v1::ListFilesRequest& request) override {
    const uint64_t fingerprint =
        api::PagedRequestFingerprint(rest_->options().project_name, request);
    QueryParams query;
    AppendLimit(request.page_size(), api::kDefaultPageSize, query);
    if (const char* ordering = OrderingParam(request.ordering())) {
      query.emplace_back("ordering", ordering);
    }
    if (request.has_stored()) {
      query.emplace_back("stored", request.stored() ? "true" : "false");
    }
    if (request.has_removed()) {
      query.emplace_back("removed", request.removed() ? "true" : "false");
    }
    if (absl::Status status = AppendListingPosition(
            request.page_token(), fingerprint, request.from(), query);
        !status.ok()) {
      return status;
    }
    AppendIncludeParams(request.include_appdata(),
                        request.include_rekognition_info(), query);

    return GetListingPage<v1::ListFilesResponse>(*rest_, context, "/files/",
                                                 query, fingerprint,
                                                 restapi::ParseFileListPage);
  }

  absl::StatusOr<v1::GetFileResponse> GetFile(
      const CallContext& context, const v1::GetFileRequest& request) override {
    QueryParams query;
    AppendIncludeParams(request.include_appdata(),
                        request.include_rekognition_info(), query);
    return RespondWith<v1::GetFileResponse>([&](auto& result) {
      return CallForFile(
          context, HttpMethod::kGet,
          WithQuery(absl::StrCat("/files/", request.uuid(), "/"), query),
          result.mutable_file());
    });
  }

  absl::StatusOr<v1::StoreFileResponse> StoreFile(
      const CallContext& context,
      const v1::StoreFileRequest& request) override {
    return RespondWith<v1::StoreFileResponse>([&](auto& result) {
      return CallForFile(context, HttpMethod::kPut,
                         absl::StrCat("/files/", request.uuid(), "/storage/"),
                         result.mutable_file());
    });
  }

  absl::StatusOr<v1::DeleteFileResponse> DeleteFile(
      const CallContext& context,
      const v1::DeleteFileRequest& request) override {
    // v0.6's documented delete is DELETE /files/{uuid}/ (the live v0.6
    // service also answers DELETE .../storage/ with 200 and the file).
    std::string path =
        rest_->api_version() == ApiVersion::kV06
            ? absl::StrCat("/files/", request.uuid(), "/")
            : absl::StrCat("/files/", request.uuid(), "/storage/");
    return RespondWith<v1::DeleteFileResponse>([&](auto& result) {
      return CallForFile(context, HttpMethod::kDelete, path,
                         result.mutable_file());
    });
  }

  absl::StatusOr<v1::BatchStoreFilesResponse> BatchStoreFiles(
      const CallContext& context,
      const v1::BatchStoreFilesRequest& request) override {
    return RespondWith<v1::BatchStoreFilesResponse>([&](auto& result) {
      return CallBatch(context, HttpMethod::kPut, request.uuids(),
                       result.mutable_files(), result.mutable_problems());
    });
  }

  absl::StatusOr<v1::BatchDeleteFilesResponse> BatchDeleteFiles(
      const CallContext& context,
      const v1::BatchDeleteFilesRequest& request) override {
    return RespondWith<v1::BatchDeleteFilesResponse>([&](auto& result) {
      return CallBatch(context, HttpMethod::kDelete, request.uuids(),
                       result.mutable_files(), result.mutable_problems());
    });
  }

  absl::StatusOr<v1::CopyFileToLocalStorageResponse> CopyFileToLocalStorage(
      const CallContext& context,
      const v1::CopyFileToLocalStorageRequest& request) override {
    std::string body;
    restapi::JsonWriter json(&body);
    json.BeginObject().Key("source").String(request.source());
    // Only when the caller set it, as a JSON boolean (as the official JS
    // client sends it); unset leaves the service's default.
    if (request.has_store()) json.Key("store").Bool(request.store());
    if (!request.metadata().empty()) {
      json.Key("metadata").StringObject(request.metadata());
    }
    json.EndObject();
    return RespondWith<v1::CopyFileToLocalStorageResponse>([&](auto& result) {
      return rest_->CallAndParse(
          context, HttpMethod::kPost, "/files/local_copy/", std::move(body),
          restapi::ParseLocalCopyResult, result.mutable_file());
    });
  }

  absl::StatusOr<v1::CopyFileToRemoteStorageResponse> CopyFileToRemoteStorage(
      const CallContext& context,
      const v1::CopyFileToRemoteStorageRequest& request) override {
    std::string body;
    restapi::JsonWriter json(&body);
    json.BeginObject()
        .Key("source")
        .String(request.source())
        .Key("target")
        .String(request.target());
    if (request.has_make_public()) {
      json.Key("make_public").Bool(request.make_public());
    }
    if (!request.pattern().empty()) {
      json.Key("pattern").String(request.pattern());
    }
    json.EndObject();
    absl::StatusOr<http::HttpResponse> response = Call(
        context, HttpMethod::kPost, "/files/remote_copy/", std::move(body));
    if (!response.ok()) return response.status();
    v1::CopyFileToRemoteStorageResponse result;
    if (absl::Status status = restapi::ParseRemoteCopyResult(
            response->body, result.mutable_url());
        !status.ok()) {
      return status;
    }
    // 201: copied now; 200: the file was already there.
    result.set_already_existed(response->status_code == 200);
    return result;
  }

  // Metadata (v0.7 only: requests for a v0.6 upstream are refused with
  // FAILED_PRECONDITION by ValidateRequest, before anything is sent). Keys
  // are validated to [A-Za-z0-9_.:-], so they go into the path as they are.
  absl::StatusOr<v1::GetFileMetadataResponse> GetFileMetadata(
      const CallContext& context,
      const v1::GetFileMetadataRequest& request) override {
    return RespondWith<v1::GetFileMetadataResponse>([&](auto& result) {
      return rest_->CallAndParse(
          context, HttpMethod::kGet,
          absl::StrCat("/files/", request.uuid(), "/metadata/"), "",
          restapi::ParseStringObject, result.mutable_metadata());
    });
  }

  absl::StatusOr<v1::GetFileMetadataKeyResponse> GetFileMetadataKey(
      const CallContext& context,
      const v1::GetFileMetadataKeyRequest& request) override {
    return RespondWith<v1::GetFileMetadataKeyResponse>([&](auto& result) {
      return CallForBareString(context, HttpMethod::kGet,
                               MetadataKeyPath(request), "",
                               result.mutable_value());
    });
  }

  // PUT answers 200 or 201 (201 even for an existing key) with the value.
  absl::StatusOr<v1::UpdateFileMetadataKeyResponse> UpdateFileMetadataKey(
      const CallContext& context,
      const v1::UpdateFileMetadataKeyRequest& request) override {
    std::string body;
    restapi::JsonWriter(&body).String(request.value());
    return RespondWith<v1::UpdateFileMetadataKeyResponse>([&](auto& result) {
      return CallForBareString(context, HttpMethod::kPut,
                               MetadataKeyPath(request), std::move(body),
                               result.mutable_value());
    });
  }

  // 204 with no body.
  absl::StatusOr<v1::DeleteFileMetadataKeyResponse> DeleteFileMetadataKey(
      const CallContext& context,
      const v1::DeleteFileMetadataKeyRequest& request) override {
    absl::StatusOr<http::HttpResponse> response =
        Call(context, HttpMethod::kDelete, MetadataKeyPath(request), "");
    if (!response.ok()) return response.status();
    return v1::DeleteFileMetadataKeyResponse();
  }

  // Tags and search (v0.7, the service's "2026 additions"): the requests are
  // the official JS client's (6.21) byte for byte, see
  // tests/upstream/rest/rest_tags_search_test.cc.
  //   GET   /files/{uuid}/tags/  -> {"tags": [...]}
  //   PUT   /files/{uuid}/tags/  {"tags": [...]} -> {"tags", "added",
  //   "deleted"} PATCH /files/{uuid}/tags/  {"add": [...], "delete": [...]} ->
  //   the same
  // Tags go as the caller wrote them (the service normalizes them) and come
  // back in the order the service keeps them.
  absl::StatusOr<v1::GetFileTagsResponse> GetFileTags(
      const CallContext& context,
      const v1::GetFileTagsRequest& request) override {
    return RespondWith<v1::GetFileTagsResponse>([&](auto& result) {
      return CallForTags(context, HttpMethod::kGet, request.uuid(), "",
                         restapi::TagsAnswer{result.mutable_tags()});
    });
  }

  absl::StatusOr<v1::ReplaceFileTagsResponse> ReplaceFileTags(
      const CallContext& context,
      const v1::ReplaceFileTagsRequest& request) override {
    std::string body;
    restapi::JsonWriter(&body)
        .BeginObject()
        .Key("tags")
        .StringArray(request.tags())
        .EndObject();
    return RespondWith<v1::ReplaceFileTagsResponse>([&](auto& result) {
      return CallForTags(context, HttpMethod::kPut, request.uuid(),
                         std::move(body), ChangeAnswer(result));
    });
  }

  absl::StatusOr<v1::UpdateFileTagsResponse> UpdateFileTags(
      const CallContext& context,
      const v1::UpdateFileTagsRequest& request) override {
    // Only the lists that have tags, as the JS client leaves out the ones
    // it was not given.
    std::string body;
    restapi::JsonWriter json(&body);
    json.BeginObject();
    if (!request.add().empty()) json.Key("add").StringArray(request.add());
    if (!request.remove().empty()) {
      json.Key("delete").StringArray(request.remove());
    }
    json.EndObject();
    return RespondWith<v1::UpdateFileTagsResponse>([&](auto& result) {
      return CallForTags(context, HttpMethod::kPatch, request.uuid(),
                         std::move(body), ChangeAnswer(result));
    });
  }

  // POST /files/search/?limit=&offset=&include=appdata with the conditions
  // as the JSON body (restapi::SearchFilesBody). The service pages by
  // limit/offset; the offset of the next page travels in the page token,
  // bound to the conditions as ListFiles' cursor is. `offset + limit` must
  // stay under 1,000 (the service's ceiling): the last reachable page is
  // shortened to fit and has no next token.
  absl::StatusOr<v1::SearchFilesResponse> SearchFiles(
      const CallContext& context,
      const v1::SearchFilesRequest& request) override {
    const uint64_t fingerprint =
        api::PagedRequestFingerprint(rest_->options().project_name, request);
    int64_t offset = 0;
    if (!request.page_token().empty()) {
      absl::StatusOr<api::ListCursor> cursor =
          api::DecodePageToken(request.page_token(), fingerprint);
      if (!cursor.ok()) return cursor.status();
      offset = cursor->offset;
    }
    const int64_t page_size = request.page_size() > 0
                                  ? request.page_size()
                                  : api::kDefaultSearchPageSize;
    const int64_t limit =
        std::min(page_size, api::kMaxSearchResults - 1 - offset);
    QueryParams query;
    // Like the JS client: limit and offset only when they are not the
    // service's defaults as the caller left them.
    if (request.page_size() > 0 || limit != page_size) {
      query.emplace_back("limit", absl::StrCat(limit));
    }
    if (offset > 0) query.emplace_back("offset", absl::StrCat(offset));
    if (request.include_appdata()) query.emplace_back("include", "appdata");
    absl::StatusOr<http::HttpResponse> response =
        Call(context, HttpMethod::kPost, WithQuery("/files/search/", query),
             restapi::SearchFilesBody(request));
    if (!response.ok()) return response.status();
    v1::SearchFilesResponse page;
    bool has_next = false;
    if (absl::Status status =
            restapi::ParseFileSearchPage(response->body, &page, &has_next);
        !status.ok()) {
      return status;
    }
    const int64_t next_offset = offset + limit;
    if (has_next && next_offset < api::kMaxSearchResults - 1) {
      page.set_next_page_token(
          api::EncodePageToken(api::ListCursor{"", next_offset}, fingerprint));
    }
    return page;
  }

 private:
  void AppendIncludeParams(bool appdata, bool rekognition_info,
                           QueryParams& query) const {
    if (appdata) query.emplace_back("include", "appdata");
    if (rekognition_info) query.emplace_back("add_fields", "rekognition_info");
  }

  absl::StatusOr<http::HttpResponse> Call(const CallContext& context,
                                          HttpMethod method,
                                          absl::string_view relative_path,
                                          std::string body) {
    return rest_->Call(context, method, relative_path, std::move(body));
  }

  absl::Status CallForFile(const CallContext& context, HttpMethod method,
                           absl::string_view relative_path, v1::File* file) {
    return rest_->CallAndParse(context, method, relative_path, "",
                               restapi::ParseFile, file);
  }

  template <typename Request>
  static std::string MetadataKeyPath(const Request& request) {
    return absl::StrCat("/files/", request.uuid(), "/metadata/", request.key(),
                        "/");
  }

  absl::Status CallForBareString(const CallContext& context, HttpMethod method,
                                 absl::string_view relative_path,
                                 std::string body, std::string* value) {
    return rest_->CallAndParse(context, method, relative_path, std::move(body),
                               restapi::ParseBareString, value);
  }

  absl::Status CallForTags(const CallContext& context, HttpMethod method,
                           absl::string_view uuid, std::string body,
                           const restapi::TagsAnswer& answer) {
    return rest_->CallAndParse(
        context, method, absl::StrCat("/files/", uuid, "/tags/"),
        std::move(body),
        [](const std::string& answer_body, const restapi::TagsAnswer* into) {
          return restapi::ParseTagsAnswer(answer_body, *into);
        },
        &answer);
  }

  template <typename Response>
  static restapi::TagsAnswer ChangeAnswer(Response& response) {
    return restapi::TagsAnswer{response.mutable_tags(),
                               response.mutable_added(),
                               response.mutable_deleted()};
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
        local_problems[uuid] = restapi::kInvalidUuidProblem;
      }
    }
    if (!valid.empty()) {
      std::string body;
      restapi::JsonWriter json(&body);
      json.BeginArray();
      for (const std::string* uuid : valid) json.String(*uuid);
      json.EndArray();
      absl::StatusOr<http::HttpResponse> response =
          Call(context, method, "/files/storage/", std::move(body));
      if (!response.ok()) return response.status();
      if (absl::Status status =
              restapi::ParseBatchResult(response->body, files, problems);
          !status.ok()) {
        return status;
      }
    }
    for (auto& [uuid, reason] : local_problems)
      (*problems)[uuid] = std::move(reason);
    return absl::OkStatus();
  }

  std::shared_ptr<const RestClient> rest_;
};

}  // namespace

std::unique_ptr<FileOperations> MakeRestFileOperations(
    std::shared_ptr<const RestClient> rest) {
  return std::make_unique<RestFileOperations>(std::move(rest));
}

}  // namespace ucgate::upstream
