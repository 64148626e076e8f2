// Upstream JSON of groups, the project and webhooks (same conventions as
// file_json.h: parse errors are INTERNAL naming the JSON path, outputs are
// cleared on error, and the writers produce what the parsers read; the
// emulator uses them).
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "service/restapi/file_json.h"
#include "uploadcare/gateway/v1/group.pb.h"
#include "uploadcare/gateway/v1/group_service.pb.h"
#include "uploadcare/gateway/v1/project_service.pb.h"
#include "uploadcare/gateway/v1/webhook_service.pb.h"

namespace ucgate::restapi {

namespace v1 = ::uploadcare::gateway::v1;

// GET /groups/{id}/: the group with its `files`; a null entry (a removed
// file) becomes GroupFile{index, removed = true}.
absl::Status ParseGroup(const std::string& body, v1::Group* group);

// One page of GET /groups/. Fills groups and total_size of `page` (not
// next_page_token) and sets `next_url` to the upstream's `next` (empty when
// null); `on_next_url` (may be empty) hears it early (see NextUrlListener).
absl::Status ParseGroupListPage(const std::string& body,
                                v1::ListGroupsResponse* page,
                                std::string* next_url,
                                const NextUrlListener& on_next_url = {});

// GET /project/. `collaborators` may be null (none).
absl::Status ParseProject(const std::string& body, v1::Project* project);

// One webhook object (POST /webhooks/, PUT /webhooks/{id}/). A
// `signing_secret` in the answer only sets has_signing_secret: the secret is
// never copied.
absl::Status ParseWebhook(const std::string& body, v1::Webhook* webhook);

// GET /webhooks/: a plain JSON array of webhook objects.
absl::Status ParseWebhookList(
    const std::string& body,
    google::protobuf::RepeatedPtrField<v1::Webhook>* webhooks);

// "file.uploaded" <-> WEBHOOK_EVENT_FILE_UPLOADED. Unknown names map to
// WEBHOOK_EVENT_UNSPECIFIED; UNSPECIFIED maps to "".
v1::WebhookEvent WebhookEventFromName(absl::string_view name);
absl::string_view WebhookEventName(v1::WebhookEvent event);

// Writers. A group's `files` are written when `with_files` (GET
// /groups/{id}/), removed ones as null, the others as `file_options` says.
void AppendGroupJson(const v1::Group& group, bool with_files,
                     const FileJsonOptions& file_options, std::string* out);
void WriteGroupJson(const v1::Group& group, bool with_files,
                    const FileJsonOptions& file_options, JsonWriter& json);
void AppendProjectJson(const v1::Project& project, std::string* out);
// `signing_secret` is written when not empty (the service echoes it).
void AppendWebhookJson(const v1::Webhook& webhook,
                       absl::string_view signing_secret, std::string* out);

}  // namespace ucgate::restapi
