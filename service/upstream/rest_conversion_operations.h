// ConversionService over the REST API: typed conversions become upstream
// paths (conversion_paths.h), POSTed to /convert/document/ or
// /convert/video/; per-path problems come back per path.
#pragma once

#include <memory>

#include "service/upstream/conversion_operations.h"
#include "service/upstream/rest_client.h"

namespace ucgate::upstream {

std::unique_ptr<ConversionOperations> MakeRestConversionOperations(
    std::shared_ptr<const RestClient> rest);

}  // namespace ucgate::upstream
