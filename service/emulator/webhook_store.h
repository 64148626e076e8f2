// The webhook subscriptions of one emulated project. Ids increase from 1;
// a signing secret is kept beside the webhook (the service echoes it in
// answers; the Webhook message never carries it). Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "uploadcare/gateway/v1/webhook_service.pb.h"

namespace ucgate::emulator {

struct StoredWebhook {
  uploadcare::gateway::v1::Webhook webhook;
  std::string signing_secret;  // empty: none
};

// A partial update: unset fields stay as they are.
struct WebhookChanges {
  std::optional<std::string> target_url;
  std::optional<uploadcare::gateway::v1::WebhookEvent> event;
  std::optional<bool> is_active;
  std::optional<std::string> signing_secret;
};

class WebhookStore {
 public:
  // `project_id`: the `project` number every webhook of this project shows.
  explicit WebhookStore(int64_t project_id) : project_id_(project_id) {}

  // Oldest first.
  std::vector<StoredWebhook> List() const;
  // Assigns id, project, created and updated. ALREADY_EXISTS when a webhook
  // with the same target_url and event exists.
  absl::StatusOr<StoredWebhook> Create(StoredWebhook webhook, absl::Time now);
  // NOT_FOUND for an unknown id; ALREADY_EXISTS when the change would
  // duplicate another webhook's target_url and event.
  absl::StatusOr<StoredWebhook> Update(int64_t id,
                                       const WebhookChanges& changes,
                                       absl::Time now);
  // Removes every webhook with this target_url; false when none matched.
  bool Unsubscribe(absl::string_view target_url);
  // Removes the webhook `id`; false when there is none.
  bool Delete(int64_t id);

 private:
  bool Duplicates(const uploadcare::gateway::v1::Webhook& webhook) const
      ABSL_SHARED_LOCKS_REQUIRED(mutex_);

  const int64_t project_id_;
  mutable absl::Mutex mutex_;
  std::vector<StoredWebhook> webhooks_ ABSL_GUARDED_BY(mutex_);
  int64_t next_id_ ABSL_GUARDED_BY(mutex_) = 1;
};

}  // namespace ucgate::emulator
