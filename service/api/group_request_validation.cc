#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "service/api/limits.h"
#include "service/api/listing_filters.h"
#include "service/api/request_validation.h"
#include "service/common/status.h"
#include "service/common/uuid.h"

namespace ucgate::api {
namespace {

// "uuid~N" with N >= 1.
bool IsValidGroupId(absl::string_view id) {
  const size_t tilde = id.find('~');
  if (tilde == absl::string_view::npos || !IsValidUuid(id.substr(0, tilde))) {
    return false;
  }
  int64_t count = 0;
  return absl::SimpleAtoi(id.substr(tilde + 1), &count) && count >= 1 &&
         id.substr(tilde + 1).find_first_not_of("0123456789") ==
             absl::string_view::npos;
}

absl::Status ValidateGroupId(absl::string_view id) {
  if (id.empty()) return InvalidFieldError("id", "is required");
  if (!IsValidGroupId(id)) {
    return InvalidFieldError(
        "id",
        absl::StrCat(QuoteValue(id), " is not a group ID (expected UUID~N)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateRequest(const v1::ListGroupsRequest& request, ApiVersion) {
  if (absl::Status status = ValidatePageSize(request.page_size());
      !status.ok()) {
    return status;
  }
  if (!v1::GroupOrdering_IsValid(request.ordering())) {
    return InvalidFieldError("ordering", "unknown ordering");
  }
  if (!request.from().empty()) {
    absl::Time ignored;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, request.from(), &ignored,
                         &error) &&
        !absl::ParseTime("%Y-%m-%dT%H:%M:%E*S", request.from(), &ignored,
                         &error)) {
      return InvalidFieldError(
          "from", "must be an ISO-8601 date-time, e.g. 2015-09-10T10:00:00Z");
    }
  }
  return absl::OkStatus();
}

// A stream's filters are its page requests' filters.
absl::Status ValidateRequest(const v1::StreamGroupsRequest& request,
                             ApiVersion version) {
  return ValidateRequest(PageRequestOf(request), version);
}

absl::Status ValidateRequest(const v1::GetGroupRequest& request, ApiVersion) {
  return ValidateGroupId(request.id());
}

absl::Status ValidateRequest(const v1::DeleteGroupRequest& request,
                             ApiVersion) {
  return ValidateGroupId(request.id());
}

absl::Status ValidateRequest(const v1::StoreGroupRequest& request, ApiVersion) {
  return ValidateGroupId(request.id());
}

absl::Status ValidateRequest(const v1::GetProjectRequest&, ApiVersion) {
  return absl::OkStatus();
}

}  // namespace ucgate::api
