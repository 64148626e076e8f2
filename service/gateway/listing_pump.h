// Turns a paged upstream listing (files, groups) into a stream of batches,
// independent of gRPC so it is unit-testable: the caller asks for one message
// at a time (Next), the pump fetches upstream pages on the executor, at most
// one page ahead of the caller. At most two pages are held: the one being
// drained and the next one, fetched once the caller has taken half of the
// current page (a slow reader holds one page, not two). While the caller
// waits for a page, the page after it is requested as soon as the upstream's
// answer names it, before that answer is mapped (CallContext::
// on_next_page_token), so mapping overlaps the next upstream round trip.
//
// With a StreamMemoryBudget every page is reserved before it is fetched and
// given back as the caller drains it: a page fetched ahead is fetched only if
// it fits now, a page the caller waits for waits for memory (suspended, up to
// memory_wait) and the stream ends RESOURCE_EXHAUSTED if none comes.
//
// Each message carries a resume token: the page token of the page its last
// item came from plus how many items of that page were delivered, so a
// restarted stream continues right after that item.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/api/page_token.h"
#include "service/common/status.h"
#include "service/gateway/call_plumbing.h"
#include "service/gateway/stream_memory_budget.h"
#include "service/upstream/operations.h"

namespace ucgate::gateway {

// `Listing` describes one kind of listing:
//   using Page = ...;      // e.g. v1::ListFilesResponse
//   using Message = ...;   // e.g. v1::StreamFilesResponse
//   static RepeatedPtrField<Item>* Items(Page*);
//   static RepeatedPtrField<Item>* Items(Message*);
// Page has next_page_token() and total_size(); Message has set_resume_token
// and set_total_size.
template <typename Listing>
class ListingPump : public std::enable_shared_from_this<ListingPump<Listing>> {
 public:
  using Page = typename Listing::Page;
  using Message = typename Listing::Message;
  // Blocking: the page at `page_token` (empty: the first page).
  using FetchPage = std::function<absl::StatusOr<Page>(
      const upstream::CallContext& context, const std::string& page_token)>;
  // Runs a blocking task elsewhere; false when it cannot (overloaded).
  using Schedule = std::function<bool(std::function<void()>)>;
  // The next message; nullopt when the listing is complete; an error status
  // when the upstream failed or the stream was cancelled.
  using Ready = std::function<void(absl::StatusOr<std::optional<Message>>)>;

  struct Options {
    // Largest number of items in one message.
    int max_items_per_message = 100;
    // Bounds every upstream call (the caller's deadline).
    absl::Time deadline = absl::InfiniteFuture();
    uint64_t fingerprint = 0;
    // The stream's call as observed (may be null): its upstream attempts.
    std::shared_ptr<observability::CallObservation> observation;
    // Stream memory (null: not accounted) and what a page is reserved at
    // before it is fetched: its body and its mapping, until a page of this
    // stream has been measured.
    std::shared_ptr<StreamMemoryBudget> memory;
    int64_t page_bytes_estimate = 0;
    // How long a page the caller waits for may wait for memory.
    absl::Duration memory_wait = absl::Seconds(10);
  };
  using Reservation = StreamMemoryBudget::Reservation;

  // `first_page`: the memory reserved for the first page when the stream
  // was admitted.
  ListingPump(api::ResumePoint start, FetchPage fetch, Schedule schedule,
              Options options, Reservation first_page = {})
      : start_(std::move(start)),
        fetch_(std::move(fetch)),
        schedule_(std::move(schedule)),
        options_(options),
        page_bytes_estimate_(options.page_bytes_estimate),
        first_page_(std::move(first_page)) {}

  // Starts fetching the first page.
  void Start() {
    absl::MutexLock lock(&mutex_);
    StartFetchLocked(start_.page_token);
  }

  // Asks for the next message: `ready` runs once, inline when the message is
  // at hand, else on the executor thread that fetched its page. One call at
  // a time: the next Next only after `ready` ran.
  void Next(Ready ready) {
    {
      absl::MutexLock lock(&mutex_);
      pending_ = std::move(ready);
    }
    Deliver();
  }

  // Stops fetching at once (an upstream call in flight is aborted through
  // its CallContext's cancellation); a pending Next gets CANCELLED.
  void Cancel() {
    cancellation_->Cancel();
    Deliver();
  }

  // Pages held: the one being drained (a drained page's items are already
  // freed), fetched ones, those in flight.
  int pages_held() {
    absl::MutexLock lock(&mutex_);
    return (CurrentDrainedLocked() ? 0 : 1) + (next_ ? 1 : 0) +
           static_cast<int>(arrived_.size()) + in_flight_;
  }
  int pages_fetched() const {
    absl::MutexLock lock(&mutex_);
    return pages_fetched_;
  }

  // What a mapped page holds, from every 16th item's SpaceUsedLong: the
  // whole page's costs nearly half as much CPU as mapping it (1.2 ms vs 2.7
  // ms for 1,000 files), a sample a sixteenth of that.
  static int64_t PageBytes(Page& page) {
    constexpr int kStride = 16;
    const auto& items = *Listing::Items(&page);
    int64_t sampled = 0;
    int count = 0;
    for (int i = 0; i < items.size(); i += kStride) {
      sampled += static_cast<int64_t>(items.Get(i).SpaceUsedLong());
      ++count;
    }
    const int64_t page_itself = static_cast<int64_t>(sizeof(Page));
    return count == 0 ? page_itself
                      : page_itself + sampled * items.size() / count;
  }

 private:
  struct HeldPage {
    Page page;
    // The token it was fetched with, for resume tokens.
    std::string token;
    int delivered = 0;
    // The page's memory, shrinking as its items are delivered.
    Reservation memory;
    int64_t bytes = 0;
    int items = 0;
  };

  // Starts fetching the page at `token`. `early`: started as soon as the
  // page before it named its token (see OnNextTokenKnown); when the executor
  // refuses, it is simply started later, on promotion, instead.
  void StartFetchLocked(std::string token, bool early = false)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (cancelled()) return;
    // The page's memory: reserved at admission (the first page), now if it
    // fits (a page fetched ahead: else it is fetched once the caller has
    // drained the current one), or in the fetch, waiting for it (nothing
    // else held).
    auto memory = std::make_shared<Reservation>();
    bool wait_for_memory = false;
    if (options_.memory != nullptr) {
      if (first_page_.bytes() > 0) {
        *memory = std::move(first_page_);
      } else if (HoldsPageLocked()) {
        std::optional<Reservation> fits =
            options_.memory->TryReserve(page_bytes_estimate_);
        if (!fits) return;
        *memory = *std::move(fits);
      } else {
        wait_for_memory = true;
      }
    }
    const int64_t sequence = next_sequence_to_start_;
    auto self = this->shared_from_this();
    const bool scheduled =
        schedule_([self, token, sequence, memory, wait_for_memory,
                   estimate = page_bytes_estimate_] {
          if (wait_for_memory) {
            const Options& options = self->options_;
            std::optional<Reservation> reserved = options.memory->Reserve(
                estimate,
                std::min(options.deadline, absl::Now() + options.memory_wait),
                self->cancellation_.get());
            if (!reserved) {
              self->OnFetched(
                  sequence, token,
                  StreamMemoryExhaustedError("the stream's next page"), {});
              return;
            }
            *memory = *std::move(reserved);
          }
          const std::weak_ptr<ListingPump> weak = self;
          upstream::CallContext context{self->options_.deadline,
                                        self->cancellation_,
                                        [weak](const std::string& next_token) {
                                          if (auto pump = weak.lock())
                                            pump->OnNextTokenKnown(next_token);
                                        },
                                        self->options_.observation};
          absl::StatusOr<Page> page = self->fetch_(context, token);
          // What the page holds, measured here in the fetch's fiber.
          if (page.ok() && self->options_.memory != nullptr) {
            memory->Resize(PageBytes(*page));
          }
          self->OnFetched(sequence, token, std::move(page), std::move(*memory));
        });
    if (!scheduled && early) return;
    ++next_sequence_to_start_;
    last_started_token_ = token;
    if (scheduled) {
      ++in_flight_;
    } else {
      arrived_.emplace(sequence, Fetched{GatewayOverloadedError(), token, {}});
      AdvanceLocked();
    }
  }

  // The page being fetched has named the next page's token before being
  // mapped. While the caller waits (nothing undelivered, nothing fetched
  // ahead), fetching the next page starts now, so that upstream latency and
  // mapping overlap; two pages are still the most a stream holds.
  void OnNextTokenKnown(const std::string& next_token) {
    absl::MutexLock lock(&mutex_);
    if (cancelled() || next_token == last_started_token_) return;
    const bool caller_waiting =
        CurrentDrainedLocked() && !next_ && arrived_.empty() && in_flight_ == 1;
    if (caller_waiting) StartFetchLocked(next_token, /*early=*/true);
  }

  void OnFetched(int64_t sequence, const std::string& token,
                 absl::StatusOr<Page> page, Reservation memory) {
    {
      absl::MutexLock lock(&mutex_);
      --in_flight_;
      ++pages_fetched_;
      if (cancelled()) return;
      if (page.ok() && memory.bytes() > 0) {
        // The next page is reserved at this one's size and its body, which
        // the transport holds while it is mapped.
        page_bytes_estimate_ = 2 * memory.bytes();
      }
      // An early fetch may end before the page before it is mapped.
      arrived_.emplace(sequence,
                       Fetched{std::move(page), token, std::move(memory)});
      AdvanceLocked();
    }
    Deliver();
  }

  struct Fetched {
    absl::StatusOr<Page> page;
    std::string token;
    Reservation memory;
  };

  // True while the stream holds or awaits a page besides the one a fetch
  // now would bring.
  bool HoldsPageLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return !CurrentDrainedLocked() || next_ || !arrived_.empty() ||
           in_flight_ > 0;
  }

  // Fetches the next page ahead once the caller has taken half of the
  // current one, or at once when it is drained and nothing is on its way.
  void FetchNextIfDueLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (!current_ || stalled_ || next_ || !arrived_.empty() || in_flight_ > 0)
      return;
    const std::string& next_token = current_->page.next_page_token();
    if (next_token.empty() || next_token == last_started_token_) return;
    const int items = Listing::Items(&current_->page)->size();
    const bool drained = current_->delivered >= items;
    if (drained || 2 * current_->delivered >= current_->items) {
      StartFetchLocked(next_token);
    }
  }

  // True when every item of the current page has been delivered (or there
  // is no current page).
  bool CurrentDrainedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return !current_ ||
           current_->delivered >= Listing::Items(&current_->page)->size();
  }

  // Moves fetched pages, in order, into next_, and next_ on to current_
  // once the current page is drained.
  void AdvanceLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    while (true) {
      if (!next_) {
        auto arrived = arrived_.find(next_sequence_to_accept_);
        if (arrived == arrived_.end()) return;
        next_ = std::move(arrived->second);
        arrived_.erase(arrived);
        ++next_sequence_to_accept_;
      }
      if (!CurrentDrainedLocked() || !next_->page.ok()) return;
      current_.reset();
      PromoteLocked();
    }
  }

  // Makes the prefetched page current and, once due, fetches the one after
  // it (unless that started early).
  void PromoteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (!next_ || !next_->page.ok()) return;
    const bool first = !started_;
    started_ = true;
    const int items = Listing::Items(&*next_->page)->size();
    const int64_t bytes = next_->memory.bytes();
    current_ = HeldPage{*std::move(next_->page),
                        std::move(next_->token),
                        0,
                        std::move(next_->memory),
                        bytes,
                        items};
    next_.reset();
    if (first) {
      current_->delivered =
          static_cast<int>(std::min<int64_t>(start_.skip, current_->items));
    }
    const std::string& next_token = current_->page.next_page_token();
    // A page naming itself as the next one would be fetched forever (or,
    // as before, never again while the caller waits): end with an error.
    if (!next_token.empty() && next_token == current_->token) {
      stalled_ = true;
      return;
    }
    FetchNextIfDueLocked();
  }

  // Answers the pending Next if it can be answered now.
  void Deliver() {
    Ready ready;
    absl::StatusOr<std::optional<Message>> result = std::nullopt;
    {
      absl::MutexLock lock(&mutex_);
      if (!pending_) return;
      if (cancelled()) {
        result = absl::CancelledError("the caller cancelled the stream");
      } else if (!TakeMessageLocked(&result)) {
        return;
      }
      ready = std::move(pending_);
      pending_ = nullptr;
    }
    ready(std::move(result));
  }

  // False when the answer is not known yet (a page is on its way).
  bool TakeMessageLocked(absl::StatusOr<std::optional<Message>>* result)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    while (true) {
      if (current_) {
        auto* items = Listing::Items(&current_->page);
        if (current_->delivered < items->size()) {
          *result = TakeBatchLocked();
          return true;
        }
        if (current_->page.next_page_token().empty()) {
          *result = std::nullopt;  // The last page is drained: complete.
          return true;
        }
        if (stalled_) {
          *result = WithErrorInfo(
              absl::InternalError(
                  "upstream: the listing did not advance (a page named "
                  "itself as the next one); resume from the last "
                  "resume_token later"),
              "UPSTREAM_LISTING_STALLED");
          return true;
        }
      }
      if (!next_) {
        FetchNextIfDueLocked();
        return false;
      }
      if (!next_->page.ok()) {
        *result = next_->page.status();
        return true;
      }
      current_.reset();
      PromoteLocked();
      AdvanceLocked();
    }
  }

  Message TakeBatchLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    Message message;
    auto* items = Listing::Items(&current_->page);
    const int end = std::min<int>(
        items->size(), current_->delivered + options_.max_items_per_message);
    auto* out = Listing::Items(&message);
    out->Reserve(end - current_->delivered);
    for (int i = current_->delivered; i < end; ++i) {
      *out->Add() = std::move(*items->Mutable(i));
    }
    current_->delivered = end;
    message.set_total_size(current_->page.total_size());
    const std::string& next_token = current_->page.next_page_token();
    message.set_resume_token(
        api::EncodeResumeToken(end == items->size() && !next_token.empty()
                                   ? api::ResumePoint{next_token, 0}
                                   : api::ResumePoint{current_->token, end},
                               options_.fingerprint));
    if (end == items->size()) {
      // Frees the drained items now rather than with the next page.
      items->Clear();
      current_->delivered = 0;
      current_->memory.Release();
    } else if (current_->items > 0) {
      // What the delivered items held now belongs to the message.
      current_->memory.Resize(current_->bytes * (current_->items - end) /
                              current_->items);
    }
    FetchNextIfDueLocked();
    return message;
  }

  const api::ResumePoint start_;
  const FetchPage fetch_;
  bool cancelled() const { return cancellation_->IsCancelled(); }

  const Schedule schedule_;
  const Options options_;
  int64_t page_bytes_estimate_ ABSL_GUARDED_BY(mutex_);
  Reservation first_page_ ABSL_GUARDED_BY(mutex_);
  // Fired by Cancel(); shared with every fetch's CallContext, so that a
  // fetch in flight is aborted.
  const std::shared_ptr<Cancellation> cancellation_ =
      std::make_shared<Cancellation>();

  mutable absl::Mutex mutex_;
  Ready pending_ ABSL_GUARDED_BY(mutex_);
  std::optional<HeldPage> current_ ABSL_GUARDED_BY(mutex_);
  std::optional<Fetched> next_ ABSL_GUARDED_BY(mutex_);
  // Fetched pages not yet in next_, by sequence (out of order only when an
  // early fetch beat the mapping of the page before it).
  std::map<int64_t, Fetched> arrived_ ABSL_GUARDED_BY(mutex_);
  int in_flight_ ABSL_GUARDED_BY(mutex_) = 0;
  int64_t next_sequence_to_start_ ABSL_GUARDED_BY(mutex_) = 0;
  int64_t next_sequence_to_accept_ ABSL_GUARDED_BY(mutex_) = 0;
  std::string last_started_token_ ABSL_GUARDED_BY(mutex_);
  bool started_ ABSL_GUARDED_BY(mutex_) = false;
  // The current page's next token is its own (see PromoteLocked).
  bool stalled_ ABSL_GUARDED_BY(mutex_) = false;
  int pages_fetched_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace ucgate::gateway
