#include "service/emulator/webhook_store.h"

#include <algorithm>

#include "absl/status/status.h"
#include "service/emulator/seed_data.h"

namespace ucgate::emulator {

namespace v1 = ::uploadcare::gateway::v1;

std::vector<StoredWebhook> WebhookStore::List() const {
  absl::ReaderMutexLock lock(&mutex_);
  return webhooks_;
}

bool WebhookStore::Duplicates(const v1::Webhook& webhook) const {
  for (const StoredWebhook& other : webhooks_) {
    if (other.webhook.id() != webhook.id() &&
        other.webhook.target_url() == webhook.target_url() &&
        other.webhook.event() == webhook.event()) {
      return true;
    }
  }
  return false;
}

absl::StatusOr<StoredWebhook> WebhookStore::Create(StoredWebhook webhook,
                                                   absl::Time now) {
  absl::MutexLock lock(&mutex_);
  webhook.webhook.set_id(0);
  if (Duplicates(webhook.webhook)) {
    return absl::AlreadyExistsError("duplicate target_url and event");
  }
  webhook.webhook.set_id(next_id_++);
  webhook.webhook.set_project(project_id_);
  SetTimestampMicros(absl::ToUnixMicros(now),
                     webhook.webhook.mutable_created());
  *webhook.webhook.mutable_updated() = webhook.webhook.created();
  webhook.webhook.set_has_signing_secret(!webhook.signing_secret.empty());
  webhooks_.push_back(webhook);
  return webhook;
}

absl::StatusOr<StoredWebhook> WebhookStore::Update(
    int64_t id, const WebhookChanges& changes, absl::Time now) {
  absl::MutexLock lock(&mutex_);
  auto it = std::find_if(
      webhooks_.begin(), webhooks_.end(),
      [id](const StoredWebhook& stored) { return stored.webhook.id() == id; });
  if (it == webhooks_.end()) return absl::NotFoundError("Not found.");
  StoredWebhook updated = *it;
  v1::Webhook& webhook = updated.webhook;
  if (changes.target_url) webhook.set_target_url(*changes.target_url);
  if (changes.event) webhook.set_event(*changes.event);
  if (changes.is_active) webhook.set_is_active(*changes.is_active);
  if (changes.signing_secret) updated.signing_secret = *changes.signing_secret;
  webhook.set_has_signing_secret(!updated.signing_secret.empty());
  if (Duplicates(webhook)) {
    return absl::AlreadyExistsError("duplicate target_url and event");
  }
  SetTimestampMicros(absl::ToUnixMicros(now), webhook.mutable_updated());
  *it = updated;
  return updated;
}

bool WebhookStore::Unsubscribe(absl::string_view target_url) {
  absl::MutexLock lock(&mutex_);
  size_t before = webhooks_.size();
  webhooks_.erase(std::remove_if(webhooks_.begin(), webhooks_.end(),
                                 [&](const StoredWebhook& stored) {
                                   return stored.webhook.target_url() ==
                                          target_url;
                                 }),
                  webhooks_.end());
  return webhooks_.size() != before;
}

bool WebhookStore::Delete(int64_t id) {
  absl::MutexLock lock(&mutex_);
  auto found = std::find_if(
      webhooks_.begin(), webhooks_.end(),
      [&](const StoredWebhook& stored) { return stored.webhook.id() == id; });
  if (found == webhooks_.end()) return false;
  webhooks_.erase(found);
  return true;
}

}  // namespace ucgate::emulator
