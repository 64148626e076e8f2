// The filters a listing shares between its paged and its streamed request
// (ListFilesRequest / StreamFilesRequest, ListGroupsRequest /
// StreamGroupsRequest): one copy, usable in either direction, so that the
// gateway (stream -> upstream pages) and the client (paged walk -> stream)
// carry the same fields. Page tokens and resume tokens are not filters and
// are left alone.
#pragma once

#include "uploadcare/gateway/v1/file_service.pb.h"
#include "uploadcare/gateway/v1/group_service.pb.h"

namespace ucgate::api {

template <typename From, typename To>
void CopyFileListingFilters(const From& from, To* to) {
  to->set_page_size(from.page_size());
  if (from.has_stored()) to->set_stored(from.stored());
  if (from.has_removed()) to->set_removed(from.removed());
  to->set_ordering(from.ordering());
  to->set_from(from.from());
  to->set_include_appdata(from.include_appdata());
  to->set_include_rekognition_info(from.include_rekognition_info());
}

template <typename From, typename To>
void CopyGroupListingFilters(const From& from, To* to) {
  to->set_page_size(from.page_size());
  to->set_ordering(from.ordering());
  to->set_from(from.from());
}

// The request of the pages a listing stream is made of (no page token).
inline ::uploadcare::gateway::v1::ListFilesRequest PageRequestOf(
    const ::uploadcare::gateway::v1::StreamFilesRequest& stream) {
  ::uploadcare::gateway::v1::ListFilesRequest page;
  CopyFileListingFilters(stream, &page);
  return page;
}
inline ::uploadcare::gateway::v1::ListGroupsRequest PageRequestOf(
    const ::uploadcare::gateway::v1::StreamGroupsRequest& stream) {
  ::uploadcare::gateway::v1::ListGroupsRequest page;
  CopyGroupListingFilters(stream, &page);
  return page;
}

}  // namespace ucgate::api
