// The service's cursor pagination, shared by every listing of the emulator
// (files, groups): a page is named by a key of the ordering and a count of
// matching items to skip past it.
//   from=K&offset=N: items strictly after K in list order, skipping N.
//   to=K&offset=N:   the page ending just before the items at or after K,
//                    after skipping N items back from there.
//   neither:         from the start, skipping N.
// Items sharing a key stay in one fixed order, so N counts them exactly and
// no item is skipped or repeated when pages split a run of equal keys.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace ucgate::emulator {

struct ListCursor {
  std::optional<int64_t> key;
  int64_t offset = 0;
};

// One listing in one ordering: positions 0..size()-1 whose keys never
// decrease along positions when ascending (never increase when descending).
// `Matches` tells which positions belong to the filtered list.
class OrderedListing {
 public:
  virtual ~OrderedListing() = default;
  virtual int64_t size() const = 0;
  virtual int64_t Key(int64_t position) const = 0;
  virtual bool Matches(int64_t position) const = 0;
  virtual bool descending() const = 0;
};

struct CursorQuery {
  std::optional<int64_t> from;
  std::optional<int64_t> to;  // ignored when `from` is set
  int64_t offset = 0;
  int limit = 100;
};

struct CursorPage {
  std::vector<int64_t> positions;      // matching positions, in list order
  std::optional<ListCursor> next;      // as `from`
  std::optional<ListCursor> previous;  // as `to`
};

CursorPage PageByCursor(const OrderedListing& listing,
                        const CursorQuery& query);

}  // namespace ucgate::emulator
