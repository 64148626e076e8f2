// An in-memory Uploadcare REST API over a real HTTP(S) server on loopback.
// Embedded in `ucgate --emulator`, standalone as `ucgate-emulator`, and the
// upstream of every integration test (with fault injection).
//
// Besides the API it serves test-only endpoints, without authentication, for
// tests outside C++: GET /__emulator/health, POST /__emulator/faults (a Fault
// as JSON: method, path_prefix, latency_ms, status, body,
// retry_after_seconds, reset_connection, malformed_body, times) and
// DELETE /__emulator/faults.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/common/clock.h"
#include "uploadcare/gateway/v1/file.pb.h"
#include "uploadcare/gateway/v1/group.pb.h"

namespace ucgate::emulator {

// One Uploadcare project the emulator serves, with its own files.
struct EmulatorProject {
  std::string public_key;
  std::string secret_key;
  std::string name = "Emulated project";
  // The project's one custom storage, the only valid `target` of
  // POST /files/remote_copy/.
  std::string custom_storage = "emulated-storage";
  // False for a plan without webhooks: every /webhooks/ route answers 403
  // {"detail": "You can't use webhooks"}, as the service does.
  bool webhooks_allowed = true;
  // The project's auto-store setting (the service's default is on): what a
  // conversion without `store` does with its result.
  bool autostore_enabled = true;
};

struct TlsFiles {
  std::string cert_file;  // PEM certificate (chain)
  std::string key_file;   // PEM private key
};

struct EmulatorOptions {
  std::string host = "127.0.0.1";
  int port = 0;                           // 0 picks a free port
  std::vector<EmulatorProject> projects;  // at least one
  std::optional<TlsFiles> tls;            // HTTPS when set
  int seed_files = 2500;                  // files seeded per project
  uint64_t seed = 1;                      // seeded data is a function of this
  // The service's clock, for the 15-minute signature window; system by default.
  std::shared_ptr<const Clock> clock;
  // Base of the absolute URLs in answers (`next`, `previous`, `url`); defaults
  // to the emulator's own scheme://host:port.
  std::string public_base_url;
};

// A fault injected into matching requests.
struct Fault {
  std::string method;       // "GET", ...; empty matches any
  std::string path_prefix;  // e.g. "/files/"; empty matches any
  absl::Duration latency = absl::ZeroDuration();  // added before answering
  int status = 0;    // answer with this status instead (0: normal)
  std::string body;  // body for `status` (default {"detail": ...})
  std::optional<int> retry_after_seconds;  // Retry-After header
  bool reset_connection = false;  // close the connection without an answer
  // Carry the request out (a conversion started, a webhook made), then reset
  // the connection: the client cannot know whether it was received.
  bool reset_after_processing = false;
  bool malformed_body = false;  // answer normally but with broken JSON
  // Answer normally, but announce the whole body (Content-Length) and close
  // the connection after half of it.
  bool truncated_body = false;
  // Answer normally, the body in 8 pieces spread over this long.
  absl::Duration slow_body = absl::ZeroDuration();
  // Answer normally, the JSON followed by this many bytes of whitespace (an
  // answer over the client's size limit, still valid JSON).
  int64_t oversized_body_bytes = 0;
  int times = -1;  // requests it applies to; -1: until cleared
};

// What the emulator received (for assertions in tests).
struct RecordedRequest {
  std::string method;
  std::string path_and_query;
  std::string authorization;  // as received
  std::string accept;
  std::string body;
  int status = 0;  // what it answered
};

class Emulator {
 public:
  static absl::StatusOr<std::unique_ptr<Emulator>> Start(
      EmulatorOptions options);
  virtual ~Emulator() = default;

  virtual int port() const = 0;
  // "http://127.0.0.1:PORT" or "https://localhost:PORT".
  virtual std::string base_url() const = 0;

  virtual void AddFault(Fault fault) = 0;
  virtual void ClearFaults() = 0;
  // Requests being held right now by a latency fault (so that a test can act
  // while one is in flight).
  virtual int requests_held() const = 0;

  virtual std::vector<RecordedRequest> requests() const = 0;
  virtual void ClearRequests() = 0;

  // Files of the project with this public key, oldest upload first (removed
  // ones included). Like every request, it first finishes the conversion
  // jobs and add-on runs whose time has come on the emulator's clock.
  virtual std::vector<uploadcare::gateway::v1::File> Files(
      absl::string_view public_key) const = 0;
  // Groups of the project with this public key, oldest first, without their
  // files (deleted ones are gone; finished jobs' thumbnail groups included).
  virtual std::vector<uploadcare::gateway::v1::Group> Groups(
      absl::string_view public_key) const = 0;
  // Adds a file (tests that need a known one); returns it as stored.
  virtual uploadcare::gateway::v1::File AddFile(
      absl::string_view public_key, uploadcare::gateway::v1::File file) = 0;
};

}  // namespace ucgate::emulator
