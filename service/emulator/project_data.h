// Everything the emulator holds for one project. Each REST resource keeps its
// own store here (files today; groups, webhooks, conversions later), so route
// modules share one data model without knowing of each other.
#pragma once

#include "service/emulator/emulator.h"
#include "service/emulator/file_store.h"
#include "service/emulator/group_store.h"
#include "service/emulator/job_store.h"
#include "service/emulator/webhook_store.h"

namespace ucgate::emulator {

struct ProjectData {
  ProjectData(EmulatorProject project, const FileStoreOptions& file_options)
      : config(std::move(project)),
        files(file_options),
        groups(file_options),
        webhooks(NumberOf(config.public_key)),
        jobs(file_options.seed) {}

  const EmulatorProject config;
  FileStore files;
  GroupStore groups;
  WebhookStore webhooks;
  JobStore jobs;  // conversions and add-on runs

 private:
  // The project's number, as webhooks show it: stable for a public key.
  static int64_t NumberOf(absl::string_view public_key) {
    uint64_t hash = 1469598103934665603ULL;  // FNV-1a
    for (char c : public_key) {
      hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    }
    return static_cast<int64_t>(hash % 900000) + 100000;
  }
};

}  // namespace ucgate::emulator
