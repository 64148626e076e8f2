// The transport's HTTP/2 option against a real HTTP/2 server on loopback
// (Debian's nghttpd, TLS with ALPN, certificates made by the test): once a
// connection has told libcurl it multiplexes, every exchange in flight
// shares it; a cold burst (before the first handshake ends) opens
// connections, up to the per-host cap.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/upstream/http/http_client.h"
#include "tests/testing_util/test_certificates.h"

namespace ucgate::http {
namespace {

constexpr char kNghttpd[] = "/usr/sbin/nghttpd";
constexpr char kBody[] = R"({"uuid":"21975c81-7f57-4c7a-aef9-acfe28779f78"})";

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

bool Accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool connected =
      ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return connected;
}

// nghttpd serving one JSON document at /files/<uuid>/ over TLS.
class Http2Server {
 public:
  void Start() {
    if (::access(kNghttpd, X_OK) != 0) {
      GTEST_SKIP() << kNghttpd
                   << " missing (Debian's nghttp2-server; the test command "
                      "installs it)";
    }
    const std::string dir = ::testing::TempDir() + "/http2_test";
    ::mkdir(dir.c_str(), 0755);
    auto certificates = testing::WriteTestCertificates(dir);
    ASSERT_TRUE(certificates.ok()) << certificates.status();
    ca_file_ = certificates->ca_pem_file;
    const std::string docroot = dir + "/docroot";
    ::mkdir(docroot.c_str(), 0755);
    ::mkdir((docroot + "/files").c_str(), 0755);
    ::mkdir((docroot + "/files/doc").c_str(), 0755);
    std::ofstream(docroot + "/files/doc/index.html") << kBody;
    port_ = FreePort();
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string port = absl::StrCat(port_);
      const std::string docroot_flag = "--htdocs=" + docroot;
      ::execl(kNghttpd, kNghttpd, "--address=127.0.0.1", docroot_flag.c_str(),
              port.c_str(), certificates->key_file.c_str(),
              certificates->cert_file.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (!Accepts(port_)) {
      ASSERT_LT(absl::Now(), give_up) << "nghttpd did not start";
      absl::SleepFor(absl::Milliseconds(20));
    }
  }

  ~Http2Server() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  std::string Url() const {
    return absl::StrCat("https://localhost:", port_, "/files/doc/");
  }
  const std::string& ca_file() const { return ca_file_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string ca_file_;
};

struct Outcome {
  int answered = 0;
  int ok = 0;
  std::size_t most_connections = 0;
};

// `count` GETs started at once; waits for every answer.
// With `warm_up`, the first exchange completes alone before the others
// start at once.
Outcome SendAtOnce(const Http2Server& server, bool warm_up, int count,
                   std::size_t max_connections_per_host = 64) {
  CurlHttpClientOptions options;
  options.ca_file = server.ca_file();
  options.http2 = true;
  options.io_threads = 1;  // one pool: the connection count is the whole
  options.max_connections_per_host = max_connections_per_host;
  options.max_idle_connections = 64;
  auto client = MakeAsyncHttpClient(options);
  EXPECT_TRUE(client.ok()) << client.status();
  absl::Mutex mutex;
  absl::CondVar answered_all;
  Outcome outcome;
  for (int i = 0; i < count; ++i) {
    if (i == 1 && warm_up) {
      absl::MutexLock lock(&mutex);
      while (outcome.answered < 1) answered_all.Wait(&mutex);
    }
    RequestOptions request_options;
    request_options.deadline = absl::Now() + absl::Seconds(20);
    (*client)->Start({HttpMethod::kGet, server.Url(), {}, ""}, request_options,
                     [&](absl::StatusOr<HttpResponse> response) {
                       const std::size_t connections =
                           (*client)->open_connections();
                       absl::MutexLock lock(&mutex);
                       ++outcome.answered;
                       outcome.most_connections =
                           std::max(outcome.most_connections, connections);
                       if (response.ok() && response->status_code == 200 &&
                           response->body == kBody) {
                         ++outcome.ok;
                       } else if (!response.ok()) {
                         ADD_FAILURE() << response.status();
                       }
                       answered_all.SignalAll();
                     });
  }
  {
    absl::MutexLock lock(&mutex);
    while (outcome.answered < count) answered_all.Wait(&mutex);
  }
  (*client)->Shutdown(absl::Seconds(1));
  return outcome;
}

TEST(Http2Test, ExchangesInFlightShareOneMultiplexedConnection) {
  Http2Server server;
  server.Start();
  if (::testing::Test::IsSkipped() || ::testing::Test::HasFatalFailure()) {
    return;
  }
  // nghttpd allows 100 streams per connection.
  const Outcome outcome = SendAtOnce(server, /*warm_up=*/true, 100);
  EXPECT_EQ(outcome.ok, 100);
  EXPECT_EQ(outcome.most_connections, 1u);
}

TEST(Http2Test, AColdBurstStaysWithinTheConnectionCap) {
  Http2Server server;
  server.Start();
  if (::testing::Test::IsSkipped() || ::testing::Test::HasFatalFailure()) {
    return;
  }
  const Outcome outcome = SendAtOnce(server, /*warm_up=*/false, 200,
                                     /*max_connections_per_host=*/8);
  EXPECT_EQ(outcome.ok, 200);
  EXPECT_LE(outcome.most_connections, 8u);
}

}  // namespace
}  // namespace ucgate::http
