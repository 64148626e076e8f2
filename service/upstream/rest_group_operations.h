// GroupService, ProjectService and WebhookService over the REST API (one
// RestClient per project, which signs every attempt).
#pragma once

#include <memory>

#include "service/upstream/file_operations.h"
#include "service/upstream/group_operations.h"
#include "service/upstream/project_operations.h"
#include "service/upstream/rest_client.h"
#include "service/upstream/webhook_operations.h"

namespace ucgate::upstream {

// v0.7 StoreGroup stores the group's files through `batch_files`'s
// BatchStoreFiles (the batch-splitting layer of the project's file stack);
// when null, through batch splitting over the REST file stub, one chunk at a
// time.
std::unique_ptr<GroupOperations> MakeRestGroupOperations(
    std::shared_ptr<const RestClient> rest,
    std::shared_ptr<FileOperations> batch_files = nullptr);
std::unique_ptr<ProjectOperations> MakeRestProjectOperations(
    std::shared_ptr<const RestClient> rest);
std::unique_ptr<WebhookOperations> MakeRestWebhookOperations(
    std::shared_ptr<const RestClient> rest);

}  // namespace ucgate::upstream
