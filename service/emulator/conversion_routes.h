// The conversion resource of the REST API (jobs in JobStore, moving on the
// emulator's clock):
//   POST /convert/document/                  start document conversions
//   GET  /convert/document/status/{token}/   a document job's state
//   GET  /convert/document/{uuid}/           what a document converts to
//   POST /convert/video/                     start video conversions
//   GET  /convert/video/status/{token}/      a video job's state
#pragma once

#include "service/emulator/router.h"

namespace ucgate::emulator {

void RegisterConversionRoutes(Router& router);

}  // namespace ucgate::emulator
