// The rows of service/api/rpcs.h are the protos' RPCs: every RPC of every
// service the API's proto files declare has exactly one row, of its kind
// (unary or server-streaming) and request type, and no row names anything
// else. Everything the gateway derives from the rows (operations interfaces,
// decorators, mocks, client methods, validation, handlers) follows.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "service/api/request_validation.h"
#include "service/api/rpcs.h"

#ifndef UCGATE_SERVICE_PROTOS
#error "UCGATE_SERVICE_PROTOS must list the proto files that declare services"
#endif

namespace ucgate::api {
namespace {

using ::google::protobuf::DescriptorPool;
using ::google::protobuf::FileDescriptor;
using ::google::protobuf::MethodDescriptor;
using ::google::protobuf::ServiceDescriptor;

std::string Describe(absl::string_view service, absl::string_view method,
                     bool streaming, absl::string_view request) {
  return absl::StrCat(service, ".", method,
                      streaming ? " (server stream)" : " (unary)", " takes ",
                      request);
}

// Every RPC of the services in the proto files, described as above.
std::vector<std::string> ProtoRpcs() {
  std::vector<std::string> rpcs;
  for (absl::string_view file :
       absl::StrSplit(UCGATE_SERVICE_PROTOS, ',', absl::SkipEmpty())) {
    const FileDescriptor* descriptor =
        DescriptorPool::generated_pool()->FindFileByName(std::string(file));
    EXPECT_NE(descriptor, nullptr) << file << " is not linked in";
    if (descriptor == nullptr) continue;
    for (int s = 0; s < descriptor->service_count(); ++s) {
      const ServiceDescriptor* service = descriptor->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        const MethodDescriptor* method = service->method(m);
        EXPECT_FALSE(method->client_streaming())
            << method->full_name() << ": no row kind for client streams";
        rpcs.push_back(Describe(service->name(), method->name(),
                                method->server_streaming(),
                                method->input_type()->full_name()));
      }
    }
  }
  return rpcs;
}

std::vector<std::string> Rows() {
  std::vector<std::string> rows;
  for (const rpc::Service& service : kServices) {
    for (int i = 0; i < service.rpc_count; ++i) {
      const rpc::Traits& row = service.rpcs[i];
      rows.push_back(Describe(service.name, row.method,
                              row.kind == rpc::kServerStream,
                              row.request()->full_name()));
    }
  }
  return rows;
}

std::vector<std::string> Missing(const std::vector<std::string>& from,
                                 const std::set<std::string>& in) {
  std::vector<std::string> missing;
  for (const std::string& item : from) {
    if (in.count(item) == 0) missing.push_back(item);
  }
  return missing;
}

TEST(RpcRowsTest, EveryProtoRpcHasOneRowAndEveryRowIsAProtoRpc) {
  const std::vector<std::string> proto = ProtoRpcs();
  const std::vector<std::string> rows = Rows();
  // 32 unary RPCs and 4 streams at the time of writing.
  EXPECT_GE(proto.size(), 36u);
  const std::set<std::string> proto_set(proto.begin(), proto.end());
  const std::set<std::string> row_set(rows.begin(), rows.end());
  EXPECT_EQ(row_set.size(), rows.size()) << "an RPC has two rows";
  EXPECT_THAT(Missing(proto, row_set), ::testing::IsEmpty())
      << "RPCs without a row in service/api/rpcs.h";
  EXPECT_THAT(Missing(rows, proto_set), ::testing::IsEmpty())
      << "rows of service/api/rpcs.h that are no RPC of the protos";
}

TEST(RpcRowsTest, RowsReadByRequestTypeAreTheirServicesRows) {
  EXPECT_STREQ(RpcOf<v1::GetFileRequest>::kTraits.method, "GetFile");
  EXPECT_EQ(RpcOf<v1::GetFileRequest>::kTraits.file_info, rpc::kReadsFile);
  EXPECT_EQ(RpcOf<v1::CopyFileToLocalStorageRequest>::kTraits.retry,
            rpc::kNotIdempotent);
  EXPECT_EQ(RpcOf<v1::StreamFilesRequest>::kTraits.kind, rpc::kServerStream);
  EXPECT_FALSE(RpcOf<v1::ExecuteAddonRequest>::kTraits.versions.v06);
}

// Every row whose RPC changes files says so: the cache would serve stale
// answers otherwise. The RPCs whose names say they change something and that
// change no file info are listed here, each for a reason.
TEST(RpcRowsTest, RowsThatChangeSomethingSayWhatTheyDoToFileInfo) {
  const std::set<std::string> change_no_file_info = {
      "CopyFileToRemoteStorage",  // copies to another storage
      "DeleteGroup",              // the files stay
      "CreateWebhook",
      "UpdateWebhook",
      "DeleteWebhook",
      "ConvertDocument",
      "ConvertVideo",  // variations show after the TTL
  };
  for (const rpc::Service& service : kServices) {
    for (int i = 0; i < service.rpc_count; ++i) {
      const rpc::Traits& row = service.rpcs[i];
      if (row.kind != rpc::kUnary || row.file_info != rpc::kNoFileInfo) {
        continue;
      }
      const std::string method = row.method;
      const bool reads = absl::StartsWith(method, "Get") ||
                         absl::StartsWith(method, "List") ||
                         absl::StartsWith(method, "Search");
      EXPECT_TRUE(reads || change_no_file_info.count(method) > 0)
          << service.name << "." << method
          << " changes something but its row says kNoFileInfo";
    }
  }
}

TEST(RpcRowsTest, VersionGatesRefuseWithTheFeatureNamed) {
  EXPECT_TRUE(
      CheckVersion(RpcOf<v1::GetFileRequest>::kTraits, ApiVersion::kV06).ok());
  absl::Status refused = CheckVersion(
      RpcOf<v1::GetFileMetadataRequest>::kTraits, ApiVersion::kV06);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.message(),
            "metadata exist only on API v0.7 upstreams; this project uses "
            "v0.6");
  EXPECT_TRUE(
      CheckVersion(RpcOf<v1::GetFileMetadataRequest>::kTraits, ApiVersion::kV07)
          .ok());
}

// The v0.6 reference has neither DELETE /groups/{id}/ nor
// GET /convert/document/{uuid}/ (README's operation table says so too).
TEST(RpcRowsTest, OperationsTheV06ReferenceLacksAreV07Only) {
  EXPECT_EQ(
      CheckVersion(RpcOf<v1::DeleteGroupRequest>::kTraits, ApiVersion::kV06)
          .message(),
      "group deletions exist only on API v0.7 upstreams; this project "
      "uses v0.6");
  EXPECT_EQ(CheckVersion(RpcOf<v1::GetDocumentConversionInfoRequest>::kTraits,
                         ApiVersion::kV06)
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(
      CheckVersion(RpcOf<v1::DeleteGroupRequest>::kTraits, ApiVersion::kV07)
          .ok());
}

}  // namespace
}  // namespace ucgate::api
