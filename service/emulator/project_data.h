// Everything the emulator holds for one project. Each REST resource keeps its
// own store here (files today; groups, webhooks, conversions later), so route
// modules share one data model without knowing of each other.
#pragma once

#include "service/emulator/emulator.h"
#include "service/emulator/file_store.h"
#include "service/emulator/job_store.h"

namespace ucgate::emulator {

struct ProjectData {
  ProjectData(EmulatorProject project, FileStoreOptions file_options)
      : config(std::move(project)),
        jobs(file_options.seed),
        files(std::move(file_options)) {}

  const EmulatorProject config;
  JobStore jobs;  // conversions and add-on runs
  FileStore files;
};

}  // namespace ucgate::emulator
