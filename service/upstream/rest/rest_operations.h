// The bottom of the stack: every service over the REST API. Each stub turns
// requests into signed REST calls (URL, query and JSON body as the project's
// API version wants them, through the project's RestClient, which signs every
// attempt) and maps the answers back with restapi's JSON mapping.
#pragma once

#include <memory>

#include "service/upstream/operations.h"
#include "service/upstream/rest/rest_client.h"

namespace ucgate::upstream {

// rest_file_operations.cc
std::unique_ptr<FileOperations> MakeRestFileOperations(
    std::shared_ptr<const RestClient> rest);

// rest_group_operations.cc. v0.7 dropped the group store: StoreGroup stores
// the group's files with `batch_files`'s BatchStoreFiles (the project's
// batch-splitting layer), then answers the group as it is now.
std::unique_ptr<GroupOperations> MakeRestGroupOperations(
    std::shared_ptr<const RestClient> rest,
    std::shared_ptr<FileOperations> batch_files);

// rest_project_operations.cc
std::unique_ptr<ProjectOperations> MakeRestProjectOperations(
    std::shared_ptr<const RestClient> rest);

// rest_webhook_operations.cc
std::unique_ptr<WebhookOperations> MakeRestWebhookOperations(
    std::shared_ptr<const RestClient> rest);

// rest_conversion_operations.cc: typed conversions become upstream paths
// (restapi/conversion_paths.h), POSTed to /convert/document/ or
// /convert/video/; per-path problems come back per path.
std::unique_ptr<ConversionOperations> MakeRestConversionOperations(
    std::shared_ptr<const RestClient> rest);

// rest_addon_operations.cc: POST /addons/{name}/execute/ with typed params,
// GET /addons/{name}/execute/status/?request_id=.
std::unique_ptr<AddonOperations> MakeRestAddonOperations(
    std::shared_ptr<const RestClient> rest);

}  // namespace ucgate::upstream
