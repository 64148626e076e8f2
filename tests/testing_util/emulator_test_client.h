// A small HTTP client for the emulator tests: signs requests with the same
// functions the gateway uses (or sends Simple / no / garbled credentials),
// over plain HTTP or verified HTTPS, with one keep-alive connection.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "service/common/api_version.h"
#include "service/emulator/emulator.h"

namespace httplib {
class Client;
}

namespace ucgate::emulator::testing {

enum class AuthMode {
  kSignedDate,             // Date header, as the gateway and most clients
  kSignedXUploadcareDate,  // X-Uploadcare-Date, as the JS client
  kSimple,
  kNone,
};

struct CallOptions {
  AuthMode auth = AuthMode::kSignedDate;
  ApiVersion version = ApiVersion::kV07;
  std::optional<std::string> accept;  // overrides the version's Accept
  std::string content_type = "application/json";
  // The date to sign with; the client's clock otherwise.
  std::optional<absl::Time> date;
  std::optional<std::string> authorization;  // sent verbatim when set
};

struct CallResult {
  int status = 0;     // 0 when the exchange failed (reset, ...)
  std::string error;  // httplib's error when status is 0
  std::string body;
  std::string content_type;
  std::string location;
  std::string retry_after;
  std::string allow;

  // The body parsed (an empty document when it is not JSON).
  rapidjson::Document Json() const;
};

class EmulatorClient {
 public:
  // `ca_file`: trust anchor for an HTTPS emulator.
  EmulatorClient(const Emulator& emulator, std::string public_key,
                 std::string secret_key, std::string ca_file = "");
  ~EmulatorClient();

  CallResult Call(absl::string_view method, absl::string_view path_and_query,
                  absl::string_view body = "", const CallOptions& options = {});
  CallResult Get(absl::string_view path_and_query,
                 const CallOptions& options = {}) {
    return Call("GET", path_and_query, "", options);
  }
  // GET of an absolute URL the emulator answered with (next/previous).
  CallResult GetUrl(absl::string_view url, const CallOptions& options = {});

 private:
  std::string base_url_;
  std::string public_key_;
  std::string secret_key_;
  std::unique_ptr<httplib::Client> client_;
};

inline constexpr char kPublicKey[] = "testpublickey";
inline constexpr char kSecretKey[] = "testsecretkey";

// One project with the test keys and a small seed (fast to start).
EmulatorOptions TestOptions(int seed_files = 300);

// The "detail" of an error answer, "" when there is none.
std::string DetailOf(const CallResult& result);

// The JSON text of a string member, "" when absent or not a string.
std::string StringMember(const rapidjson::Value& object, const char* name);

// The fixture most emulator tests share: an emulator started with the
// test's options and a client signed with the test keys.
class EmulatorTest : public ::testing::Test {
 protected:
  void StartEmulator(EmulatorOptions options) {
    auto started = Emulator::Start(std::move(options));
    ASSERT_TRUE(started.ok()) << started.status();
    emulator_ = *std::move(started);
    client_ =
        std::make_unique<EmulatorClient>(*emulator_, kPublicKey, kSecretKey);
  }

  std::unique_ptr<Emulator> emulator_;
  std::unique_ptr<EmulatorClient> client_;
};

}  // namespace ucgate::emulator::testing

// The names every emulator test uses, where the tests live.
namespace ucgate::emulator {
namespace v1 = ::uploadcare::gateway::v1;
using testing::AuthMode;
using testing::CallOptions;
using testing::CallResult;
using testing::DetailOf;
using testing::EmulatorClient;
using testing::kPublicKey;
using testing::kSecretKey;
using testing::StringMember;
using testing::TestOptions;
}  // namespace ucgate::emulator
