// Groups, project and webhooks: parsers on the shared on-demand readers
// (json_reader.h), and the writers the emulator answers with.
#include "service/restapi/group_json.h"

#include <array>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/restapi/json_reader.h"
#include "service/restapi/json_time.h"

namespace ucgate::restapi {
namespace {

using internal::ErrorTrail;
namespace od = simdjson::ondemand;

constexpr std::array<std::pair<std::string_view, v1::WebhookEvent>, 5>
    kWebhookEvents = {{
        {"file.uploaded", v1::WEBHOOK_EVENT_FILE_UPLOADED},
        {"file.infected", v1::WEBHOOK_EVENT_FILE_INFECTED},
        {"file.stored", v1::WEBHOOK_EVENT_FILE_STORED},
        {"file.deleted", v1::WEBHOOK_EVENT_FILE_DELETED},
        {"file.info_updated", v1::WEBHOOK_EVENT_FILE_INFO_UPDATED},
    }};

// --- Groups ----------------------------------------------------------------

bool ReadGroupFiles(od::value& value, v1::Group* group, ErrorTrail& trail) {
  return internal::ForEachArrayItemOrNull(
      value, trail, [&](od::value& item, size_t index) {
        v1::GroupFile* entry = group->add_files();
        entry->set_index(static_cast<int>(index));
        bool is_null = false;
        if (!internal::TakeIfNull(item, &is_null, trail)) return false;
        if (is_null) {
          entry->set_removed(true);
          return true;
        }
        return internal::ReadFile(item, entry->mutable_file(), trail);
      });
}

bool ReadGroup(od::value& value, v1::Group* group, ErrorTrail& trail) {
  return internal::ForEachRootField(
      value, trail, [&](std::string_view key, od::value& field) {
        bool set = false;
        if (key == "id")
          return internal::ReadString(field, group->mutable_id(), trail);
        if (key == "datetime_created") {
          return internal::ReadTimestamp(
              field, [&] { return group->mutable_datetime_created(); }, trail);
        }
        if (key == "datetime_stored") {
          return internal::ReadTimestamp(
              field, [&] { return group->mutable_datetime_stored(); }, trail);
        }
        if (key == "files_count") {
          int64_t count = 0;
          if (!internal::ReadInt64(field, &count, &set, trail)) return false;
          group->set_files_count(count);
          return true;
        }
        if (key == "cdn_url") {
          return internal::ReadString(field, group->mutable_cdn_url(), trail);
        }
        if (key == "url")
          return internal::ReadString(field, group->mutable_url(), trail);
        if (key == "files") return ReadGroupFiles(field, group, trail);
        return true;
      });
}

// --- Project ---------------------------------------------------------------

bool ReadCollaborators(od::value& value, v1::Project* project,
                       ErrorTrail& trail) {
  return internal::ForEachArrayItemOrNull(
      value, trail, [&](od::value& item, size_t) {
        v1::Collaborator* collaborator = project->add_collaborators();
        return internal::ForEachRootField(
            item, trail, [&](std::string_view key, od::value& field) {
              if (key == "email") {
                return internal::ReadString(
                    field, collaborator->mutable_email(), trail);
              }
              if (key == "name") {
                return internal::ReadString(field, collaborator->mutable_name(),
                                            trail);
              }
              return true;
            });
      });
}

// --- Webhooks --------------------------------------------------------------

bool ReadWebhook(od::value& value, v1::Webhook* webhook, ErrorTrail& trail) {
  return internal::ForEachRootField(
      value, trail, [&](std::string_view key, od::value& field) {
        bool set = false;
        if (key == "id" || key == "project") {
          int64_t number = 0;
          if (!internal::ReadInt64(field, &number, &set, trail)) return false;
          if (key == "id") {
            webhook->set_id(number);
          } else {
            webhook->set_project(number);
          }
          return true;
        }
        if (key == "created") {
          return internal::ReadTimestamp(
              field, [&] { return webhook->mutable_created(); }, trail);
        }
        if (key == "updated") {
          return internal::ReadTimestamp(
              field, [&] { return webhook->mutable_updated(); }, trail);
        }
        if (key == "event") {
          std::string name;
          if (!internal::ReadString(field, &name, trail)) return false;
          webhook->set_event(WebhookEventFromName(name));
          return true;
        }
        if (key == "target_url") {
          return internal::ReadString(field, webhook->mutable_target_url(),
                                      trail);
        }
        if (key == "is_active") {
          bool active = false;
          if (!internal::ReadBool(field, &active, &set, trail)) return false;
          webhook->set_is_active(active);
          return true;
        }
        if (key == "version") {
          return internal::ReadString(field, webhook->mutable_version(), trail);
        }
        if (key == "signing_secret") {
          // Read into a local that dies here: the secret never reaches the
          // message.
          std::string secret;
          if (!internal::ReadString(field, &secret, trail)) return false;
          webhook->set_has_signing_secret(!secret.empty());
          return true;
        }
        return true;
      });
}

// --- Writing ---------------------------------------------------------------

void AppendKey(absl::string_view key, bool first, std::string* out) {
  if (!first) out->push_back(',');
  AppendJsonString(key, out);
  out->push_back(':');
}

void AppendTimestampOrNull(bool present,
                           const google::protobuf::Timestamp& timestamp,
                           std::string* out) {
  if (!present) {
    out->append("null");
    return;
  }
  out->push_back('"');
  internal::AppendTimestamp(timestamp.seconds(), timestamp.nanos(), out);
  out->push_back('"');
}

}  // namespace

v1::WebhookEvent WebhookEventFromName(absl::string_view name) {
  for (const auto& [event_name, event] : kWebhookEvents) {
    if (name == absl::string_view(event_name.data(), event_name.size())) {
      return event;
    }
  }
  return v1::WEBHOOK_EVENT_UNSPECIFIED;
}

absl::string_view WebhookEventName(v1::WebhookEvent event) {
  for (const auto& [event_name, known] : kWebhookEvents) {
    if (known == event) {
      return absl::string_view(event_name.data(), event_name.size());
    }
  }
  return "";
}

absl::Status ParseGroup(const std::string& body, v1::Group* group) {
  group->Clear();
  absl::Status status =
      internal::ParseDocument(body, [&](od::value& root, ErrorTrail& trail) {
        return ReadGroup(root, group, trail);
      });
  if (!status.ok()) group->Clear();
  return status;
}

absl::Status ParseGroupListPage(const std::string& body,
                                v1::ListGroupsResponse* page,
                                std::string* next_url,
                                const NextUrlListener& on_next_url) {
  page->Clear();
  next_url->clear();
  bool saw_results = false;
  absl::Status status =
      internal::ParseDocument(body, [&](od::value& root, ErrorTrail& trail) {
        if (!internal::ForEachRootField(
                root, trail, [&](std::string_view key, od::value& value) {
                  if (key == "next") {
                    return internal::ReadNextUrl(value, next_url, on_next_url,
                                                 trail);
                  }
                  if (key == "total") {
                    int64_t total = 0;
                    bool set = false;
                    if (!internal::ReadInt64(value, &total, &set, trail)) {
                      return false;
                    }
                    page->set_total_size(total);
                    return true;
                  }
                  if (key != "results") return true;
                  saw_results = true;
                  return internal::ForEachArrayItemOrNull(
                      value, trail, [&](od::value& item, size_t) {
                        return ReadGroup(item, page->add_groups(), trail);
                      });
                })) {
          return false;
        }
        return RequireKey(saw_results, "results", trail);
      });
  if (!status.ok()) {
    page->Clear();
    next_url->clear();
  }
  return status;
}

absl::Status ParseProject(const std::string& body, v1::Project* project) {
  project->Clear();
  absl::Status status = internal::ParseDocument(body, [&](od::value& root,
                                                          ErrorTrail& trail) {
    return internal::ForEachRootField(
        root, trail, [&](std::string_view key, od::value& field) {
          bool set = false;
          if (key == "name") {
            return internal::ReadString(field, project->mutable_name(), trail);
          }
          if (key == "pub_key") {
            return internal::ReadString(field, project->mutable_pub_key(),
                                        trail);
          }
          if (key == "autostore_enabled") {
            bool enabled = false;
            if (!internal::ReadBool(field, &enabled, &set, trail)) {
              return false;
            }
            project->set_autostore_enabled(enabled);
            return true;
          }
          if (key == "collaborators") {
            return ReadCollaborators(field, project, trail);
          }
          return true;
        });
  });
  if (!status.ok()) project->Clear();
  return status;
}

absl::Status ParseWebhook(const std::string& body, v1::Webhook* webhook) {
  webhook->Clear();
  absl::Status status =
      internal::ParseDocument(body, [&](od::value& root, ErrorTrail& trail) {
        return ReadWebhook(root, webhook, trail);
      });
  if (!status.ok()) webhook->Clear();
  return status;
}

absl::Status ParseWebhookList(
    const std::string& body,
    google::protobuf::RepeatedPtrField<v1::Webhook>* webhooks) {
  webhooks->Clear();
  absl::Status status = internal::ParseDocument(
      body,
      [&](od::value& root, ErrorTrail& trail) {
        return internal::ForEachArrayItem(
            root, trail, [&](od::value& item, size_t) {
              return ReadWebhook(item, webhooks->Add(), trail);
            });
      },
      od::json_type::array);
  if (!status.ok()) webhooks->Clear();
  return status;
}

void AppendGroupJson(const v1::Group& group, bool with_files,
                     const FileJsonOptions& file_options, std::string* out) {
  out->push_back('{');
  AppendKey("id", true, out);
  AppendJsonString(group.id(), out);
  AppendKey("datetime_created", false, out);
  AppendTimestampOrNull(group.has_datetime_created(), group.datetime_created(),
                        out);
  AppendKey("datetime_stored", false, out);
  AppendTimestampOrNull(group.has_datetime_stored(), group.datetime_stored(),
                        out);
  AppendKey("files_count", false, out);
  absl::StrAppend(out, group.files_count());
  AppendKey("cdn_url", false, out);
  AppendJsonString(group.cdn_url(), out);
  AppendKey("url", false, out);
  AppendJsonString(group.url(), out);
  if (with_files) {
    AppendKey("files", false, out);
    out->push_back('[');
    for (int i = 0; i < group.files_size(); ++i) {
      if (i > 0) out->push_back(',');
      const v1::GroupFile& entry = group.files(i);
      if (entry.removed()) {
        out->append("null");
      } else {
        AppendFileJson(entry.file(), file_options, out);
      }
    }
    out->push_back(']');
  }
  out->push_back('}');
}

void AppendProjectJson(const v1::Project& project, std::string* out) {
  out->push_back('{');
  AppendKey("collaborators", true, out);
  out->push_back('[');
  for (int i = 0; i < project.collaborators_size(); ++i) {
    if (i > 0) out->push_back(',');
    out->push_back('{');
    AppendKey("email", true, out);
    AppendJsonString(project.collaborators(i).email(), out);
    AppendKey("name", false, out);
    AppendJsonString(project.collaborators(i).name(), out);
    out->push_back('}');
  }
  out->push_back(']');
  AppendKey("name", false, out);
  AppendJsonString(project.name(), out);
  AppendKey("pub_key", false, out);
  AppendJsonString(project.pub_key(), out);
  AppendKey("autostore_enabled", false, out);
  out->append(project.autostore_enabled() ? "true" : "false");
  out->push_back('}');
}

void AppendWebhookJson(const v1::Webhook& webhook,
                       absl::string_view signing_secret, std::string* out) {
  out->push_back('{');
  AppendKey("id", true, out);
  absl::StrAppend(out, webhook.id());
  AppendKey("created", false, out);
  AppendTimestampOrNull(webhook.has_created(), webhook.created(), out);
  AppendKey("updated", false, out);
  AppendTimestampOrNull(webhook.has_updated(), webhook.updated(), out);
  AppendKey("event", false, out);
  AppendJsonString(WebhookEventName(webhook.event()), out);
  AppendKey("target_url", false, out);
  AppendJsonString(webhook.target_url(), out);
  AppendKey("project", false, out);
  absl::StrAppend(out, webhook.project());
  AppendKey("is_active", false, out);
  out->append(webhook.is_active() ? "true" : "false");
  if (!webhook.version().empty()) {
    AppendKey("version", false, out);
    AppendJsonString(webhook.version(), out);
  }
  if (!signing_secret.empty()) {
    AppendKey("signing_secret", false, out);
    AppendJsonString(signing_secret, out);
  }
  out->push_back('}');
}

}  // namespace ucgate::restapi
