// Turns a paged upstream listing (files, groups) into a stream of batches,
// independent of gRPC so it is unit-testable: the caller asks for one message
// at a time (Next), the pump fetches upstream pages on the executor, one page
// ahead of the caller, and never more. At most two pages are held: the one
// being drained and the prefetched (or in-flight) next one. While the caller
// waits for a page, the page after it is requested as soon as the upstream's
// answer names it, before that answer is mapped (CallContext::
// on_next_page_token), so mapping overlaps the next upstream round trip.
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
  };

  ListingPump(api::ResumePoint start, FetchPage fetch, Schedule schedule,
              Options options)
      : start_(std::move(start)),
        fetch_(std::move(fetch)),
        schedule_(std::move(schedule)),
        options_(options) {}

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

 private:
  struct HeldPage {
    Page page;
    // The token it was fetched with, for resume tokens.
    std::string token;
    int delivered = 0;
  };

  // Starts fetching the page at `token`. `early`: started as soon as the
  // page before it named its token (see OnNextTokenKnown); when the executor
  // refuses, it is simply started later, on promotion, instead.
  void StartFetchLocked(std::string token, bool early = false)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (cancelled()) return;
    const int64_t sequence = next_sequence_to_start_;
    auto self = this->shared_from_this();
    const bool scheduled = schedule_([self, token, sequence] {
      const std::weak_ptr<ListingPump> weak = self;
      upstream::CallContext context{self->options_.deadline,
                                    self->cancellation_,
                                    [weak](const std::string& next_token) {
                                      if (auto pump = weak.lock())
                                        pump->OnNextTokenKnown(next_token);
                                    },
                                    self->options_.observation};
      absl::StatusOr<Page> page = self->fetch_(context, token);
      self->OnFetched(sequence, token, std::move(page));
    });
    if (!scheduled && early) return;
    ++next_sequence_to_start_;
    last_started_token_ = token;
    if (scheduled) {
      ++in_flight_;
    } else {
      arrived_.emplace(sequence, Fetched{GatewayOverloadedError(), token});
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
                 absl::StatusOr<Page> page) {
    {
      absl::MutexLock lock(&mutex_);
      --in_flight_;
      ++pages_fetched_;
      if (cancelled()) return;
      // An early fetch may end before the page before it is mapped.
      arrived_.emplace(sequence, Fetched{std::move(page), token});
      AdvanceLocked();
    }
    Deliver();
  }

  struct Fetched {
    absl::StatusOr<Page> page;
    std::string token;
  };

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

  // Makes the prefetched page current and starts fetching the one after it
  // (unless that started early).
  void PromoteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    if (!next_ || !next_->page.ok()) return;
    const bool first = !started_;
    started_ = true;
    current_ = HeldPage{*std::move(next_->page), std::move(next_->token), 0};
    next_.reset();
    if (first) {
      current_->delivered = static_cast<int>(std::min<int64_t>(
          start_.skip, Listing::Items(&current_->page)->size()));
    }
    const std::string& next_token = current_->page.next_page_token();
    // A page naming itself as the next one would be fetched forever (or,
    // as before, never again while the caller waits): end with an error.
    if (!next_token.empty() && next_token == current_->token) {
      stalled_ = true;
      return;
    }
    if (!next_token.empty() && next_token != last_started_token_) {
      StartFetchLocked(next_token);
    }
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
      if (!next_) return false;
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
    }
    return message;
  }

  const api::ResumePoint start_;
  const FetchPage fetch_;
  bool cancelled() const { return cancellation_->IsCancelled(); }

  const Schedule schedule_;
  const Options options_;
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
