// ucctl webhooks (WebhookService).
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/ucctl_command.h"
#include "client/ucctl_output.h"
#include "client/ucgate_client.h"
#include "service/common/command_line.h"

namespace ucgate::client {
namespace {

namespace v1 = ::uploadcare::gateway::v1;

constexpr char kEventHelp[] =
    "Event: file.uploaded, file.infected, file.stored, file.deleted or "
    "file.info_updated.";

// The options create and update share; `updating` leaves unset what was
// not given.
struct WebhookOptions {
  std::string target_url;
  std::string event_text;
  std::string signing_secret;
  bool inactive = false;

  void AddTo(CommandLine& flags, bool updating) {
    flags.AddString("target-url", "URL",
                    updating ? "New URL to deliver events to."
                             : "URL to deliver events to (required).",
                    &target_url);
    flags.AddString("event", "EVENT",
                    absl::StrCat(kEventHelp, updating ? "" : " (required)"),
                    &event_text);
    flags.AddFlag("inactive",
                  updating ? "Deactivate the webhook."
                           : "Create it inactive (default: active).",
                  &inactive);
    flags.AddString("signing-secret", "S",
                    "Secret to sign deliveries with (X-Uc-Signature), at most "
                    "32 characters.",
                    &signing_secret);
  }

  absl::StatusOr<v1::WebhookEvent> Event() const {
    if (event_text.empty()) return v1::WEBHOOK_EVENT_UNSPECIFIED;
    return ParseEnum<v1::WebhookEvent>("WEBHOOK_EVENT_", "--event", event_text);
  }
};

int WebhooksList(Command& command, const std::vector<std::string>& args) {
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(0, 0, "")) return *done;
  return command.Run<WebhookClient>(
      [](WebhookClient& client) {
        return client.ListWebhooks(v1::ListWebhooksRequest());
      },
      [&](const v1::ListWebhooksResponse& response) {
        PrintWebhookTable(command.out(), response);
      });
}

int WebhooksCreate(Command& command, const std::vector<std::string>& args) {
  WebhookOptions options;
  std::string version;
  options.AddTo(command.command_line(), /*updating=*/false);
  command.command_line().AddString(
      "version", "V", "Payload version (unset: the service's default, 0.7).",
      &version);
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(0, 0, "")) return *done;
  if (options.target_url.empty()) {
    return command.UsageError("--target-url URL is required");
  }
  if (options.event_text.empty()) {
    return command.UsageError("--event EVENT is required");
  }
  absl::StatusOr<v1::WebhookEvent> event = options.Event();
  if (!event.ok()) return command.UsageError(event.status());
  v1::CreateWebhookRequest request;
  request.set_target_url(options.target_url);
  request.set_event(*event);
  if (options.inactive) request.set_is_active(false);
  request.set_signing_secret(options.signing_secret);
  if (!version.empty()) request.set_version(version);
  return command.Run<WebhookClient>(
      [&](WebhookClient& client) { return client.CreateWebhook(request); });
}

int WebhooksUpdate(Command& command, const std::vector<std::string>& args) {
  WebhookOptions options;
  bool active = false;
  options.AddTo(command.command_line(), /*updating=*/true);
  command.command_line().AddFlag("active", "Activate the webhook.", &active);
  command.command_line().AddEpilog(
      "Only the options given change; the others keep their values.");
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(1, 1, "ID")) return *done;
  int64_t id = 0;
  if (!absl::SimpleAtoi(command.positional()[0], &id) || id <= 0) {
    return command.UsageError(absl::StrCat(
        "ID expects a positive number, got '", command.positional()[0], "'"));
  }
  if (active && options.inactive) {
    return command.UsageError("--active and --inactive exclude each other");
  }
  absl::StatusOr<v1::WebhookEvent> event = options.Event();
  if (!event.ok()) return command.UsageError(event.status());
  v1::UpdateWebhookRequest request;
  request.set_id(id);
  if (!options.target_url.empty()) request.set_target_url(options.target_url);
  request.set_event(*event);
  if (active || options.inactive) request.set_is_active(active);
  if (!options.signing_secret.empty()) {
    request.set_signing_secret(options.signing_secret);
  }
  return command.Run<WebhookClient>(
      [&](WebhookClient& client) { return client.UpdateWebhook(request); });
}

int WebhooksDelete(Command& command, const std::vector<std::string>& args) {
  std::string target_url;
  int64_t id = 0;
  command.command_line().AddString("target-url", "URL",
                                   "Deletes every webhook of this target URL.",
                                   &target_url);
  command.command_line().AddInt("id", "ID", "Deletes the webhook ID.", &id);
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(0, 0, "")) return *done;
  if (target_url.empty() == (id == 0)) {
    return command.UsageError("give --id ID or --target-url URL");
  }
  v1::DeleteWebhookRequest request;
  if (id != 0) {
    request.set_id(id);
  } else {
    request.set_target_url(target_url);
  }
  return command.Run<WebhookClient>(
      [&](WebhookClient& client) { return client.DeleteWebhook(request); });
}

constexpr Verb kWebhooksVerbs[] = {
    {"list", "", "Lists the project's webhooks.", WebhooksList},
    {"create", "", "Subscribes a URL to an event.", WebhooksCreate},
    {"update", "ID", "Changes a webhook.", WebhooksUpdate},
    {"delete", "", "Unsubscribes a URL (--target-url).", WebhooksDelete},
};

}  // namespace

const VerbGroup kWebhooksGroup = {
    "webhooks",
    "Lists, creates, changes and deletes the project's webhooks "
    "(WebhookService).",
    kWebhooksVerbs};

}  // namespace ucgate::client
