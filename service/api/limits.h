// The public API's limits: what callers may send. They mirror the upstream's
// limits (service/restapi/limits.h) where the gateway passes requests through,
// and go beyond them where the gateway does the work (batches of any size up
// to kMaxBatchUuids, split into upstream batches).
#pragma once

#include <cstddef>

namespace ucgate::api {

// page_size of listings and searches: 0 (kDefaultPageSize) to kMaxPageSize.
inline constexpr int kMaxPageSize = 1000;
inline constexpr int kDefaultPageSize = 100;
// Most UUIDs one BatchStoreFiles / BatchDeleteFiles call takes. 10,000 is 100
// upstream requests, about a megabyte of answer: beyond it a caller is better
// served by several calls (and deadlines stay meaningful).
inline constexpr int kMaxBatchUuids = 10000;
// Metadata keys and tags share one alphabet ([A-Za-z0-9_.:-]) and length;
// a file has at most kMaxMetadataKeys keys, and as many tags.
inline constexpr size_t kMaxMetadataKeyLength = 64;
inline constexpr size_t kMaxMetadataValueLength = 512;
inline constexpr int kMaxMetadataKeys = 50;
// Conversions per ConvertDocument / ConvertVideo call; thumbnails per video.
inline constexpr int kMaxConversions = 100;
inline constexpr int kMaxThumbnails = 50;
// Webhooks.
inline constexpr size_t kMaxTargetUrlLength = 255;
inline constexpr size_t kMaxSigningSecretLength = 32;

// Every string of a request (nested and repeated ones included) is at most
// kMaxStringLength bytes unless it has a limit of its own below or above:
// nothing unbounded goes upstream, and no error echoes it.
inline constexpr size_t kMaxStringLength = 2048;
// page_token / resume_token (the gateway's own, well under this).
inline constexpr size_t kMaxTokenLength = 4096;
// SearchFiles' filename filter (Uploadcare keeps names up to 255 bytes).
inline constexpr size_t kMaxFilenameLength = 255;
// CopyFileToRemoteStorage: the custom storage's name and the path pattern.
inline constexpr size_t kMaxStorageNameLength = 255;
inline constexpr size_t kMaxCopyPatternLength = 1024;

}  // namespace ucgate::api
