#include "service/emulator/cursor_pagination.h"

#include <algorithm>

namespace ucgate::emulator {
namespace {

// Positions and keys of a listing, with keys mapped so that they never
// decrease along positions (negated for descending orderings): `from`/`to`
// become binary searches.
class Walker {
 public:
  explicit Walker(const OrderedListing& listing) : listing_(listing) {}

  int64_t size() const { return listing_.size(); }
  int64_t Key(int64_t position) const { return listing_.Key(position); }
  int64_t DirectedKey(int64_t position) const { return Direct(Key(position)); }
  int64_t Direct(int64_t key) const {
    return listing_.descending() ? -key : key;
  }

  // First position whose key is after `key` in list order.
  int64_t After(int64_t key) const {
    int64_t directed = Direct(key);
    return PartitionPoint(
        [&](int64_t position) { return DirectedKey(position) <= directed; });
  }
  // First position whose key is at or after `key` in list order.
  int64_t AtOrAfter(int64_t key) const {
    int64_t directed = Direct(key);
    return PartitionPoint(
        [&](int64_t position) { return DirectedKey(position) < directed; });
  }

  // The first matching position >= `position`, or size().
  int64_t NextMatch(int64_t position) const {
    while (position < size() && !listing_.Matches(position)) ++position;
    return position;
  }
  // The last matching position < `position`, or -1.
  int64_t PreviousMatch(int64_t position) const {
    --position;
    while (position >= 0 && !listing_.Matches(position)) --position;
    return position;
  }

  // The `from` cursor whose page starts at matching position `start`.
  ListCursor CursorStartingAt(int64_t start) const {
    int64_t key = DirectedKey(start);
    int64_t ties = 0;
    for (int64_t p = PreviousMatch(start); p >= 0; p = PreviousMatch(p)) {
      if (DirectedKey(p) != key) return ListCursor{Key(p), ties};
      ++ties;
    }
    return ListCursor{std::nullopt, ties};
  }

  // The `to` cursor whose page ends just before position `end`; a matching
  // position precedes `end`.
  ListCursor CursorEndingAt(int64_t end) const {
    int64_t last = PreviousMatch(end);
    int64_t key = DirectedKey(last);
    int64_t ties = 0;
    for (int64_t p = NextMatch(end); p < size(); p = NextMatch(p + 1)) {
      if (DirectedKey(p) != key) return ListCursor{Key(p), ties};
      ++ties;
    }
    // The run of equal keys reaches the end: point just past that key.
    int64_t past = Key(last) + (listing_.descending() ? -1 : 1);
    return ListCursor{past, ties};
  }

 private:
  template <typename Predicate>
  int64_t PartitionPoint(Predicate before) const {
    int64_t low = 0;
    int64_t high = size();
    while (low < high) {
      int64_t mid = low + (high - low) / 2;
      if (before(mid)) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  const OrderedListing& listing_;
};

}  // namespace

CursorPage PageByCursor(const OrderedListing& listing,
                        const CursorQuery& query) {
  Walker view(listing);
  int limit = std::max(1, query.limit);

  // Matching positions of the page, in list order, and where the page sits
  // when it is empty.
  CursorPage result;
  std::vector<int64_t>& page = result.positions;
  int64_t anchor = 0;
  if (query.to && !query.from) {
    int64_t position = view.AtOrAfter(*query.to);
    for (int64_t skipped = 0;; ++skipped) {
      position = view.PreviousMatch(position);
      if (position < 0 || skipped == query.offset) break;
    }
    while (position >= 0 && static_cast<int>(page.size()) < limit) {
      page.push_back(position);
      position = view.PreviousMatch(position);
    }
    std::reverse(page.begin(), page.end());
  } else {
    int64_t position = query.from ? view.After(*query.from) : 0;
    position = view.NextMatch(position);
    for (int64_t skipped = 0; skipped < query.offset && position < view.size();
         ++skipped) {
      position = view.NextMatch(position + 1);
    }
    anchor = position;
    while (position < view.size() && static_cast<int>(page.size()) < limit) {
      page.push_back(position);
      position = view.NextMatch(position + 1);
    }
  }

  int64_t begin = page.empty() ? anchor : page.front();
  int64_t end = page.empty() ? anchor : page.back() + 1;
  int64_t following = view.NextMatch(end);
  if (following < view.size()) result.next = view.CursorStartingAt(following);
  if (view.PreviousMatch(begin) >= 0) {
    result.previous = view.CursorEndingAt(begin);
  }
  return result;
}

}  // namespace ucgate::emulator
