// Groups, project and webhooks: parsers on the shared on-demand readers
// (json_reader.h), and the writers the emulator answers with.
#include "service/restapi/group_json.h"

#include <array>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/restapi/json_reader.h"
#include "service/restapi/json_time.h"
#include "service/restapi/json_writer.h"

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

void WriteGroupJson(const v1::Group& group, bool with_files,
                    const FileJsonOptions& file_options, JsonWriter& json) {
  json.BeginObject()
      .Key("id")
      .String(group.id())
      .Key("datetime_created")
      .TimestampOrNull(group.has_datetime_created(), group.datetime_created())
      .Key("datetime_stored")
      .TimestampOrNull(group.has_datetime_stored(), group.datetime_stored())
      .Key("files_count")
      .Int(group.files_count())
      .Key("cdn_url")
      .String(group.cdn_url())
      .Key("url")
      .String(group.url());
  if (with_files) {
    json.Key("files").BeginArray();
    for (const v1::GroupFile& entry : group.files()) {
      if (entry.removed()) {
        json.Null();
      } else {
        WriteFileJson(entry.file(), file_options, json);
      }
    }
    json.EndArray();
  }
  json.EndObject();
}

void AppendGroupJson(const v1::Group& group, bool with_files,
                     const FileJsonOptions& file_options, std::string* out) {
  JsonWriter json(out);
  WriteGroupJson(group, with_files, file_options, json);
}

void AppendProjectJson(const v1::Project& project, std::string* out) {
  JsonWriter json(out);
  json.BeginObject().Key("collaborators").BeginArray();
  for (const v1::Collaborator& collaborator : project.collaborators()) {
    json.BeginObject()
        .Key("email")
        .String(collaborator.email())
        .Key("name")
        .String(collaborator.name())
        .EndObject();
  }
  json.EndArray()
      .Key("name")
      .String(project.name())
      .Key("pub_key")
      .String(project.pub_key())
      .Key("autostore_enabled")
      .Bool(project.autostore_enabled())
      .EndObject();
}

void AppendWebhookJson(const v1::Webhook& webhook,
                       absl::string_view signing_secret, std::string* out) {
  JsonWriter json(out);
  json.BeginObject()
      .Key("id")
      .Int(webhook.id())
      .Key("created")
      .TimestampOrNull(webhook.has_created(), webhook.created())
      .Key("updated")
      .TimestampOrNull(webhook.has_updated(), webhook.updated())
      .Key("event")
      .String(WebhookEventName(webhook.event()))
      .Key("target_url")
      .String(webhook.target_url())
      .Key("project")
      .Int(webhook.project())
      .Key("is_active")
      .Bool(webhook.is_active());
  if (!webhook.version().empty()) json.Key("version").String(webhook.version());
  if (!signing_secret.empty())
    json.Key("signing_secret").String(signing_secret);
  json.EndObject();
}

}  // namespace ucgate::restapi
