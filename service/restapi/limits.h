// The Uploadcare REST API's own limits and wording, as the REST stubs must
// respect them and the emulator enforces them.
#pragma once

namespace ucgate::restapi {

// UUIDs per PUT / DELETE /files/storage/ request.
inline constexpr int kMaxUuidsPerRequest = 100;
// `limit` of GET /files/, GET /groups/ and POST /files/search/.
inline constexpr int kMaxPageSize = 1000;
// Paths per POST /convert/document/ or /convert/video/ request.
inline constexpr int kMaxConversionPaths = 100;
// Metadata: key length, value length, keys per file (also tags per file).
inline constexpr int kMaxMetadataKeyLength = 64;
inline constexpr int kMaxMetadataValueLength = 512;
inline constexpr int kMaxMetadataKeys = 50;
// What a batch answers in `problems` for a UUID that is not one.
inline constexpr char kInvalidUuidProblem[] = "Invalid";

}  // namespace ucgate::restapi
