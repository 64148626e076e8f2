// Deterministic seed files for the emulator. Seeding is cheap: it fixes only
// what listing and lookups need (UUID, upload time, storage state, size) in a
// few dozen bytes per file; everything else (kind, name, image or video
// properties, metadata, appdata) is rebuilt on demand from (seed, index), so
// a project of a million files costs tens of megabytes, not gigabytes.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "uploadcare/gateway/v1/file.pb.h"

namespace ucgate::emulator {

struct Uuid128 {
  uint64_t hi = 0;
  uint64_t lo = 0;

  friend bool operator==(const Uuid128& a, const Uuid128& b) {
    return a.hi == b.hi && a.lo == b.lo;
  }
  template <typename H>
  friend H AbslHashValue(H h, const Uuid128& uuid) {
    return H::combine(std::move(h), uuid.hi, uuid.lo);
  }
};

// "2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6" (lower case).
std::string FormatUuid(const Uuid128& uuid);
// Accepts the canonical form in any case.
bool ParseUuid(absl::string_view text, Uuid128* uuid);

// SplitMix64: small, fast, and good enough for test data.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t state) : state_(state) {}
  uint64_t Next();
  // Uniform in [0, bound).
  uint64_t Below(uint64_t bound) { return Next() % bound; }
  // True with probability percent/100.
  bool Percent(int percent) {
    return Below(100) < static_cast<uint64_t>(percent);
  }

 private:
  uint64_t state_;
};

// A random version-4 UUID.
Uuid128 RandomUuid(SplitMix64& rng);

// What seeding fixes for file number `index`.
struct SeededBasics {
  Uuid128 uuid;
  int64_t uploaded_us = 0;  // microseconds since the Unix epoch
  int64_t stored_us = 0;    // 0: not stored
  int64_t removed_us = 0;   // 0: not removed
  int64_t size = 0;
};

// Generates the seed files in upload order. Uploads start on 2015-01-01 and
// are minutes apart; about one in twenty shares its predecessor's timestamp
// to the microsecond (so that cursor pagination must handle ties).
class SeedTimeline {
 public:
  explicit SeedTimeline(uint64_t seed);
  // Call with index 0, 1, 2, ... in turn.
  SeededBasics Next(uint32_t index);

 private:
  uint64_t seed_;
  SplitMix64 gaps_;
  int64_t uploaded_us_;
};

// Rebuilds the whole seed file number `index`: `basics` as Next returned
// them (storage times may since have changed: they are taken from `basics`),
// `base_url` for its `url` ("http://127.0.0.1:8080", no trailing slash).
void MaterializeSeededFile(uint64_t seed, uint32_t index,
                           const SeededBasics& basics,
                           absl::string_view base_url,
                           uploadcare::gateway::v1::File* file);

// Microseconds since the epoch <-> google.protobuf.Timestamp.
void SetTimestampMicros(int64_t micros, google::protobuf::Timestamp* timestamp);
int64_t TimestampMicros(const google::protobuf::Timestamp& timestamp);

}  // namespace ucgate::emulator
