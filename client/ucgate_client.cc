#include "client/ucgate_client.h"

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "service/api/listing_filters.h"

namespace ucgate::client {

namespace v1 = ::uploadcare::gateway::v1;

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  // grpc::StatusCode and absl::StatusCode share the canonical numbering.
  absl::Status result(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
  google::rpc::Status details;
  if (!status.error_details().empty() &&
      details.ParseFromString(status.error_details())) {
    for (const google::protobuf::Any& detail : details.details()) {
      result.SetPayload(detail.type_url(), absl::Cord(detail.value()));
    }
  }
  return result;
}

namespace {

// The contents of `path`; errors name what it is and the path, never the
// contents.
absl::StatusOr<std::string> ReadClientFile(absl::string_view what,
                                           const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read ", what, " '", path, "'"));
  }
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

bool IsLoopbackTarget(absl::string_view target) {
  absl::ConsumePrefix(&target, "dns:");
  absl::ConsumePrefix(&target, "ipv4:");
  absl::ConsumePrefix(&target, "ipv6:");
  return absl::StartsWith(target, "127.") ||
         absl::StartsWith(target, "localhost:") ||
         absl::StartsWith(target, "[::1]:") ||
         absl::StartsWith(target, "unix:");
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> CreateChannel(
    const ClientOptions& options) {
  if (options.target.empty()) {
    return absl::InvalidArgumentError("no target given (HOST:PORT)");
  }
  const bool sends_token =
      !options.bearer_token.empty() || !options.token_file.empty();
  if (options.cert_file.empty() != options.key_file.empty()) {
    return absl::InvalidArgumentError(
        "a client certificate needs both its certificate and key files");
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.use_tls) {
    grpc::SslCredentialsOptions ssl;
    if (!options.ca_file.empty()) {
      absl::StatusOr<std::string> pem =
          ReadClientFile("CA file", options.ca_file);
      if (!pem.ok()) return pem.status();
      ssl.pem_root_certs = *std::move(pem);
    }
    if (!options.cert_file.empty()) {
      absl::StatusOr<std::string> chain =
          ReadClientFile("certificate file", options.cert_file);
      if (!chain.ok()) return chain.status();
      absl::StatusOr<std::string> key =
          ReadClientFile("key file", options.key_file);
      if (!key.ok()) return key.status();
      ssl.pem_cert_chain = *std::move(chain);
      ssl.pem_private_key = *std::move(key);
    }
    credentials = grpc::SslCredentials(ssl);
  } else {
    if (!options.cert_file.empty()) {
      return absl::InvalidArgumentError(
          "a client certificate needs TLS (use_tls / --tls)");
    }
    if (sends_token && !IsLoopbackTarget(options.target)) {
      return absl::InvalidArgumentError(
          "refusing to send a bearer token in plaintext to a host other "
          "than loopback; use TLS");
    }
    credentials = grpc::InsecureChannelCredentials();
  }
  return grpc::CreateChannel(options.target, credentials);
}

absl::Status LoadTokenFile(ClientOptions& options) {
  if (options.token_file.empty()) return absl::OkStatus();
  absl::StatusOr<std::string> read =
      ReadClientFile("token file", options.token_file);
  if (!read.ok()) return read.status();
  options.bearer_token = std::string(absl::StripAsciiWhitespace(*read));
  if (options.bearer_token.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("token file '", options.token_file, "' is empty"));
  }
  return absl::OkStatus();
}

void PrepareContext(const ClientOptions& options,
                    grpc::ClientContext& context) {
  if (options.timeout != absl::InfiniteDuration()) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + options.timeout));
  }
  if (!options.project.empty()) {
    context.AddMetadata(kProjectMetadataKey, options.project);
  }
  if (!options.bearer_token.empty()) {
    context.AddMetadata("authorization",
                        absl::StrCat("Bearer ", options.bearer_token));
  }
}

absl::Status FileClient::ForEachFile(
    ListFilesRequest request, const std::function<bool(const File&)>& visit) {
  return ForEachInPages<ListFilesRequest, v1::ListFilesResponse, File>(
      "ListFiles", std::move(request),
      [this](const ListFilesRequest& page) { return ListFiles(page); },
      &v1::ListFilesResponse::files, visit);
}

absl::Status FileClient::ForEachFoundFile(
    SearchFilesRequest request, const std::function<bool(const File&)>& visit) {
  return ForEachInPages<SearchFilesRequest, v1::SearchFilesResponse, File>(
      "SearchFiles", std::move(request),
      [this](const SearchFilesRequest& page) { return SearchFiles(page); },
      &v1::SearchFilesResponse::files, visit);
}

absl::Status GroupClient::ForEachGroup(
    ListGroupsRequest request, const std::function<bool(const Group&)>& visit) {
  return ForEachInPages<ListGroupsRequest, v1::ListGroupsResponse, Group>(
      "ListGroups", std::move(request),
      [this](const ListGroupsRequest& page) { return ListGroups(page); },
      &v1::ListGroupsResponse::groups, visit);
}

absl::Status FileClient::StreamFiles(
    v1::StreamFilesRequest request,
    const std::function<bool(const v1::StreamFilesResponse&)>& on_batch) {
  return ReadResumableStream(&Stub::StreamFiles, std::move(request), on_batch);
}

absl::Status FileClient::ForEachStreamedFile(
    ListFilesRequest request, const std::function<bool(const File&)>& visit) {
  if (!request.page_token().empty()) {
    return ForEachFile(std::move(request), visit);
  }
  v1::StreamFilesRequest stream;
  api::CopyFileListingFilters(request, &stream);
  return StreamFiles(std::move(stream),
                     [&](const v1::StreamFilesResponse& batch) {
                       return VisitEach(batch.files(), visit);
                     });
}

absl::Status GroupClient::StreamGroups(
    v1::StreamGroupsRequest request,
    const std::function<bool(const v1::StreamGroupsResponse&)>& on_batch) {
  return ReadResumableStream(&Stub::StreamGroups, std::move(request), on_batch);
}

absl::Status GroupClient::ForEachStreamedGroup(
    ListGroupsRequest request, const std::function<bool(const Group&)>& visit) {
  if (!request.page_token().empty()) {
    return ForEachGroup(std::move(request), visit);
  }
  v1::StreamGroupsRequest stream;
  api::CopyGroupListingFilters(request, &stream);
  return StreamGroups(std::move(stream),
                      [&](const v1::StreamGroupsResponse& batch) {
                        return VisitEach(batch.groups(), visit);
                      });
}

absl::Status ConversionClient::WatchConversionJob(
    const v1::WatchConversionJobRequest& request,
    const std::function<bool(const v1::WatchConversionJobResponse&)>&
        on_update) {
  return ReadStream(&Stub::WatchConversionJob, request, on_update);
}

absl::Status AddonClient::WatchAddonExecution(
    const v1::WatchAddonExecutionRequest& request,
    const std::function<bool(const v1::WatchAddonExecutionResponse&)>&
        on_update) {
  return ReadStream(&Stub::WatchAddonExecution, request, on_update);
}

}  // namespace ucgate::client
