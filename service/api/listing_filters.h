// The filters a listing shares between its paged and its streamed request
// (ListFilesRequest / StreamFilesRequest, ListGroupsRequest /
// StreamGroupsRequest): one copy, usable in either direction, so that the
// gateway (stream -> upstream pages) and the client (paged walk -> stream)
// carry the same fields. Page tokens and resume tokens are not filters and
// are left alone.
#pragma once

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

}  // namespace ucgate::api
