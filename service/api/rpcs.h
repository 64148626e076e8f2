// One row per RPC of the public API: the whole truth about it, from which the
// rest of the gateway is derived:
//  - the upstream operations interfaces, their decorators and test mocks
//    (service/upstream), and the client library's methods (client/);
//  - retries (`kIdempotent`: a call may be sent again after UNAVAILABLE; a
//    retried copy, conversion or webhook creation would happen twice);
//  - the file-info cache (what the call does to cached file info, below);
//  - version gates (which upstream API versions have it: the gateway refuses
//    it elsewhere with FAILED_PRECONDITION before anything is sent);
//  - the declaration of its request's validation (request_validation.h).
// The gRPC handlers (service/gateway/service_handlers.h) name every RPC once
// and fail to compile when a row has no handler; tests/api/rpc_rows_test.cc
// fails when a row is missing from, or extra to, the protos.
//
// A row is UNARY(Method, retry, file_info, versions) or
// STREAM(Method, versions) (a server-streaming RPC, served by the gateway
// from the unary operations it calls). Method names the proto RPC, whose
// messages are v1::MethodRequest and v1::MethodResponse.
#pragma once

#include "google/protobuf/descriptor.h"
#include "uploadcare/gateway/v1/addon_service.pb.h"
#include "uploadcare/gateway/v1/conversion_service.pb.h"
#include "uploadcare/gateway/v1/file_service.pb.h"
#include "uploadcare/gateway/v1/group_service.pb.h"
#include "uploadcare/gateway/v1/project_service.pb.h"
#include "uploadcare/gateway/v1/webhook_service.pb.h"

// clang-format off
#define UCGATE_FILE_SERVICE_RPCS(UNARY, STREAM)                                      \
  UNARY(ListFiles,               kIdempotent,    kListsFiles,   kAllVersions)        \
  UNARY(GetFile,                 kIdempotent,    kReadsFile,    kAllVersions)        \
  UNARY(StoreFile,               kIdempotent,    kChangesFile,  kAllVersions)        \
  UNARY(DeleteFile,              kIdempotent,    kChangesFile,  kAllVersions)        \
  UNARY(BatchStoreFiles,         kIdempotent,    kChangesFiles, kAllVersions)        \
  UNARY(BatchDeleteFiles,        kIdempotent,    kChangesFiles, kAllVersions)        \
  UNARY(CopyFileToLocalStorage,  kNotIdempotent, kAddsFile,     kAllVersions)        \
  UNARY(CopyFileToRemoteStorage, kNotIdempotent, kNoFileInfo,   kAllVersions)        \
  UNARY(GetFileMetadata,         kIdempotent,    kNoFileInfo,   V07Only("metadata")) \
  UNARY(GetFileMetadataKey,      kIdempotent,    kNoFileInfo,   V07Only("metadata")) \
  UNARY(UpdateFileMetadataKey,   kIdempotent,    kChangesFile,  V07Only("metadata")) \
  UNARY(DeleteFileMetadataKey,   kIdempotent,    kChangesFile,  V07Only("metadata")) \
  UNARY(GetFileTags,             kIdempotent,    kNoFileInfo,   kAllVersions)        \
  UNARY(ReplaceFileTags,         kIdempotent,    kChangesFile,  kAllVersions)        \
  UNARY(UpdateFileTags,          kIdempotent,    kChangesFile,  kAllVersions)        \
  UNARY(SearchFiles,             kIdempotent,    kListsFiles,   kAllVersions)        \
  STREAM(StreamFiles,                                           kAllVersions)

#define UCGATE_GROUP_SERVICE_RPCS(UNARY, STREAM)                                   \
  UNARY(ListGroups,   kIdempotent, kNoFileInfo,        kAllVersions)               \
  UNARY(GetGroup,     kIdempotent, kNoFileInfo,        kAllVersions)               \
  UNARY(DeleteGroup,  kIdempotent, kNoFileInfo,        V07Only("group deletions")) \
  UNARY(StoreGroup,   kIdempotent, kChangesGroupFiles, kAllVersions)               \
  STREAM(StreamGroups,                                 kAllVersions)

#define UCGATE_PROJECT_SERVICE_RPCS(UNARY, STREAM)          \
  UNARY(GetProject, kIdempotent, kNoFileInfo, kAllVersions)

#define UCGATE_WEBHOOK_SERVICE_RPCS(UNARY, STREAM)                \
  UNARY(ListWebhooks,  kIdempotent,    kNoFileInfo, kAllVersions) \
  UNARY(CreateWebhook, kNotIdempotent, kNoFileInfo, kAllVersions) \
  UNARY(UpdateWebhook, kIdempotent,    kNoFileInfo, kAllVersions) \
  UNARY(DeleteWebhook, kIdempotent,    kNoFileInfo, kAllVersions)

// Conversions add variations to their source file once they finish; the
// cache shows those after its TTL (see README "Configuration").
#define UCGATE_CONVERSION_SERVICE_RPCS(UNARY, STREAM)                                                     \
  UNARY(ConvertDocument,             kNotIdempotent, kNoFileInfo, kAllVersions)                           \
  UNARY(GetDocumentConversionStatus, kIdempotent,    kNoFileInfo, kAllVersions)                           \
  UNARY(GetDocumentConversionInfo,   kIdempotent,    kNoFileInfo, V07Only("document conversion details")) \
  UNARY(ConvertVideo,                kNotIdempotent, kNoFileInfo, kAllVersions)                           \
  UNARY(GetVideoConversionStatus,    kIdempotent,    kNoFileInfo, kAllVersions)                           \
  STREAM(WatchConversionJob,                                      kAllVersions)

#define UCGATE_ADDON_SERVICE_RPCS(UNARY, STREAM)                                          \
  UNARY(ExecuteAddon,            kNotIdempotent, kChangesAddonTarget, V07Only("add-ons")) \
  UNARY(GetAddonExecutionStatus, kIdempotent,    kReportsAddonRun,    V07Only("add-ons")) \
  STREAM(WatchAddonExecution,                                         V07Only("add-ons"))

// Every service: X(Service, RPCS), RPCS being the service's rows above.
#define UCGATE_SERVICES(X)                             \
  X(FileService,       UCGATE_FILE_SERVICE_RPCS)       \
  X(GroupService,      UCGATE_GROUP_SERVICE_RPCS)      \
  X(ProjectService,    UCGATE_PROJECT_SERVICE_RPCS)    \
  X(WebhookService,    UCGATE_WEBHOOK_SERVICE_RPCS)    \
  X(ConversionService, UCGATE_CONVERSION_SERVICE_RPCS) \
  X(AddonService,      UCGATE_ADDON_SERVICE_RPCS)
// clang-format on

// For the rows a consumer leaves out (e.g. STREAM rows when generating
// unary operations).
#define UCGATE_NO_ROW(...)

namespace ucgate::api {

namespace v1 = ::uploadcare::gateway::v1;

// The vocabulary of the rows (unscoped enumerators in their own namespace, so
// that a row reads `kIdempotent`).
namespace rpc {

enum Kind { kUnary, kServerStream };

enum Retry { kIdempotent, kNotIdempotent };

// What a call does to the file info the gateway caches; the cache's decorator
// (service/upstream/stack/caching_operations.h) acts on it. A call that
// changes a file but says kNoFileInfo serves stale GetFile answers for the
// cache's TTL: every change must say what it changes.
enum FileInfo {
  kNoFileInfo,          // reads or changes no file's info
  kReadsFile,           // GetFile: read through the cache
  kListsFiles,          // a listing: refreshes the entries it meets, adds none
  kAddsFile,            // answers a new file, which becomes an entry
  kChangesFile,         // changes the file request.uuid()
  kChangesFiles,        // changes the files request.uuids()
  kChangesGroupFiles,   // changes the files of the group it answers
  kChangesAddonTarget,  // starts an add-on run that changes request.target()
  kReportsAddonRun,     // reports a run, whose target changed once it ended
};

// The upstream API versions that have an RPC. `feature` names it in the
// FAILED_PRECONDITION of the others ("metadata exists only on ...").
struct Versions {
  bool v06;
  bool v07;
  const char* feature;
};
inline constexpr Versions kAllVersions{true, true, ""};
constexpr Versions V07Only(const char* feature) {
  return {false, true, feature};
}

struct Traits {
  const char* method;
  Kind kind;
  Retry retry;         // streams: kIdempotent (they only read)
  FileInfo file_info;  // streams: through the unary calls they make
  Versions versions;
  // The request message (v1::MethodRequest::descriptor).
  const google::protobuf::Descriptor* (*request)();
};

struct Service {
  const char* name;  // "FileService"
  const Traits* rpcs;
  int rpc_count;
};

}  // namespace rpc

#define UCGATE_API_UNARY_TRAITS(Method, retry, file_info, versions)  \
  rpc::Traits {                                                      \
#Method, rpc::kUnary, rpc::retry, rpc::file_info, rpc::versions, \
        &v1::Method##Request::descriptor                             \
  }
#define UCGATE_API_STREAM_TRAITS(Method, versions)                   \
  rpc::Traits {                                                      \
#Method, rpc::kServerStream, rpc::kIdempotent, rpc::kNoFileInfo, \
        rpc::versions, &v1::Method##Request::descriptor              \
  }

// RpcOf<v1::MethodRequest>::kTraits: the row of the RPC that takes it.
template <typename Request>
struct RpcOf;
#define UCGATE_API_RPC_OF_UNARY(Method, ...)          \
  template <>                                         \
  struct RpcOf<v1::Method##Request> {                 \
    static constexpr rpc::Traits kTraits =            \
        UCGATE_API_UNARY_TRAITS(Method, __VA_ARGS__); \
  };
#define UCGATE_API_RPC_OF_STREAM(Method, ...)          \
  template <>                                          \
  struct RpcOf<v1::Method##Request> {                  \
    static constexpr rpc::Traits kTraits =             \
        UCGATE_API_STREAM_TRAITS(Method, __VA_ARGS__); \
  };
#define UCGATE_API_RPC_OF(Name, RPCS) \
  RPCS(UCGATE_API_RPC_OF_UNARY, UCGATE_API_RPC_OF_STREAM)
UCGATE_SERVICES(UCGATE_API_RPC_OF)

// Every service's rows, in the order above.
#define UCGATE_API_UNARY_ROW(...) UCGATE_API_UNARY_TRAITS(__VA_ARGS__),
#define UCGATE_API_STREAM_ROW(...) UCGATE_API_STREAM_TRAITS(__VA_ARGS__),
#define UCGATE_API_SERVICE_ROWS(Name, RPCS)        \
  inline constexpr rpc::Traits k##Name##Rpcs[] = { \
      RPCS(UCGATE_API_UNARY_ROW, UCGATE_API_STREAM_ROW)};
UCGATE_SERVICES(UCGATE_API_SERVICE_ROWS)
#define UCGATE_API_SERVICE(Name, RPCS) \
  rpc::Service{#Name, k##Name##Rpcs,   \
               static_cast<int>(sizeof(k##Name##Rpcs) / sizeof(rpc::Traits))},
inline constexpr rpc::Service kServices[] = {
    UCGATE_SERVICES(UCGATE_API_SERVICE)};

#undef UCGATE_API_SERVICE
#undef UCGATE_API_SERVICE_ROWS
#undef UCGATE_API_STREAM_ROW
#undef UCGATE_API_UNARY_ROW
#undef UCGATE_API_RPC_OF
#undef UCGATE_API_RPC_OF_STREAM
#undef UCGATE_API_RPC_OF_UNARY

}  // namespace ucgate::api
