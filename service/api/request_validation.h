// Checks calls before anything is scheduled or sent upstream; the gateway runs
// ValidateCall on the reactor thread. Bad input is INVALID_ARGUMENT naming the
// field (google.rpc.BadRequest); an RPC the project's API version lacks is
// FAILED_PRECONDITION.
#pragma once

#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/map.h"
#include "service/api/listing_filters.h"
#include "service/api/page_token.h"
#include "service/api/rpcs.h"
#include "service/common/api_version.h"

namespace ucgate::api {

// ValidateRequest(const v1::MethodRequest&, ApiVersion): the request's own
// fields, for every row of rpcs.h (defined in <service>_request_validation.cc;
// a row without one fails to link).
#define UCGATE_API_DECLARE_VALIDATION(Method, ...)                 \
  absl::Status ValidateRequest(const v1::Method##Request& request, \
                               ApiVersion version);
#define UCGATE_API_DECLARE_SERVICE_VALIDATION(Name, RPCS) \
  RPCS(UCGATE_API_DECLARE_VALIDATION, UCGATE_API_DECLARE_VALIDATION)
UCGATE_SERVICES(UCGATE_API_DECLARE_SERVICE_VALIDATION)
#undef UCGATE_API_DECLARE_SERVICE_VALIDATION
#undef UCGATE_API_DECLARE_VALIDATION

// FAILED_PRECONDITION when `version` lacks the RPC of `traits`.
absl::Status CheckVersion(const rpc::Traits& traits, ApiVersion version);

// INVALID_ARGUMENT naming the first string field (path such as
// "conversions[2].paths[0]", map keys and values as "metadata key" /
// "metadata value") longer than its limit (limits.h), without quoting it.
absl::Status CheckStringLengths(const google::protobuf::Message& request);

// INVALID_ARGUMENT naming page_token when `request` (a paged request of
// `project`) carries a token issued for other filters or another project.
absl::Status CheckPageToken(absl::string_view project,
                            const google::protobuf::Message& request,
                            absl::string_view page_token);
// The same for a listing stream's resume_token, and for the page token
// inside it (which belongs to `page_request`, the stream's page requests).
absl::Status CheckResumeToken(absl::string_view project,
                              const google::protobuf::Message& request,
                              absl::string_view resume_token,
                              const google::protobuf::Message& page_request);

namespace internal {
template <typename Request, typename = void>
struct HasPageToken : std::false_type {};
template <typename Request>
struct HasPageToken<
    Request, std::void_t<decltype(std::declval<const Request&>().page_token())>>
    : std::true_type {};
template <typename Request, typename = void>
struct HasResumeToken : std::false_type {};
template <typename Request>
struct HasResumeToken<
    Request,
    std::void_t<decltype(std::declval<const Request&>().resume_token())>>
    : std::true_type {};
}  // namespace internal

// Everything checked before a call to `project` (of API `version`) is
// scheduled: that the version has the RPC, the request's fields, and the
// page or resume token it carries.
template <typename Request>
absl::Status ValidateCall(const Request& request, absl::string_view project,
                          ApiVersion version) {
  if (absl::Status status = CheckVersion(RpcOf<Request>::kTraits, version);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = CheckStringLengths(request); !status.ok()) {
    return status;
  }
  if (absl::Status status = ValidateRequest(request, version); !status.ok()) {
    return status;
  }
  if constexpr (internal::HasPageToken<Request>::value) {
    return CheckPageToken(project, request, request.page_token());
  } else if constexpr (internal::HasResumeToken<Request>::value) {
    return CheckResumeToken(project, request, request.resume_token(),
                            PageRequestOf(request));
  } else {
    return absl::OkStatus();
  }
}

// Checks the validators share (file_request_validation.cc).
// UUIDs in the canonical form; INVALID_ARGUMENT naming `field` otherwise.
absl::Status ValidateUuid(absl::string_view field, absl::string_view uuid);
// 0 (the default) up to kMaxPageSize.
absl::Status ValidatePageSize(int32_t page_size);
// Keys of 1..64 characters of [A-Za-z0-9_.:-]; values 1..512 characters; at
// most 50 keys.
absl::Status ValidateMetadata(
    absl::string_view field,
    const google::protobuf::Map<std::string, std::string>& metadata);

}  // namespace ucgate::api
