// ucgate-emulator: the in-memory Uploadcare REST API emulator as a
// standalone server (for the JS SDK tests, manual use and benchmarks).
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "service/common/command_line.h"
#include "service/common/log.h"
#include "service/emulator/emulator.h"

namespace {

constexpr char kDemoPublicKey[] = "demopublickey";
constexpr char kDemoSecretKey[] = "demosecretkey";

std::string EnvOr(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

// "HOST:PORT" or "[V6]:PORT".
absl::Status ParseListen(const std::string& text, std::string* host,
                         int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen expects HOST:PORT, got '", text, "'"));
  }
  *host = text.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  if (!absl::SimpleAtoi(text.substr(colon + 1), port) || *port < 0 ||
      *port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen expects a port 0..65535, got '", text, "'"));
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:8080";
  std::string tls_cert;
  std::string tls_key;
  int64_t seed_files = 2500;
  int64_t seed = 1;
  std::string public_base_url;
  std::string log_level = "info";

  ucgate::CommandLine command_line(
      "ucgate-emulator", "ucgate-emulator [--listen HOST:PORT] [options]",
      "An in-memory emulator of the Uploadcare REST API (files resource, API "
      "versions 0.6 and 0.7)\nfor tests and demos. It checks the Accept "
      "version and both authentication schemes as the\nservice does, and "
      "serves seeded files with the service's pagination and errors.");
  command_line.AddString("listen", "HOST:PORT",
                         "Address to serve on (default 127.0.0.1:8080; port "
                         "0 picks a free one).",
                         &listen);
  command_line.AddString("tls-cert", "FILE",
                         "PEM certificate chain: serve HTTPS (with --tls-key).",
                         &tls_cert);
  command_line.AddString("tls-key", "FILE", "PEM private key for --tls-cert.",
                         &tls_key);
  command_line.AddInt("seed-files", "N",
                      "Files seeded into the project (default 2500).",
                      &seed_files);
  command_line.AddInt("seed", "N",
                      "Seed of the generated files (default 1); the same "
                      "seed gives the same files.",
                      &seed);
  command_line.AddString(
      "public-base-url", "URL",
      "Base of absolute URLs in answers (next, previous, "
      "url); default: the emulator's own scheme://host:port.",
      &public_base_url);
  command_line.AddString("log-level", "LEVEL",
                         "debug (one line per request), info, warning or "
                         "error (default info).",
                         &log_level);
  command_line.AddEpilog(
      "Environment:\n"
      "  UCGATE_EMULATOR_PUBLIC_KEY  public key of the emulated project "
      "(default \"demopublickey\")\n"
      "  UCGATE_EMULATOR_SECRET_KEY  its secret key (default "
      "\"demosecretkey\")\n"
      "  When the keys are the demo defaults they are printed at start; a "
      "secret taken from the\n  environment is never printed.");
  command_line.AddEpilog(
      "Test-only HTTP endpoints (no authentication; the emulator is meant for "
      "loopback):\n"
      "  GET    /__emulator/health   {\"status\":\"ok\"}\n"
      "  POST   /__emulator/faults   add a fault, JSON: {\"method\", "
      "\"path_prefix\", \"latency_ms\",\n"
      "                              \"status\", \"body\", "
      "\"retry_after_seconds\", \"reset_connection\", "
      "\"reset_after_processing\",\n"
      "                              \"malformed_body\", \"truncated_body\", "
      "\"slow_body_ms\",\n"
      "                              \"oversized_body_bytes\", \"times\"} "
      "(all optional)\n"
      "  DELETE /__emulator/faults   remove every fault");
  command_line.AddEpilog(
      "At start it prints \"listening on <base URL>\" on standard output; "
      "SIGINT or SIGTERM stops it.");

  if (absl::Status parsed = command_line.Parse(argc, argv, 1, nullptr);
      !parsed.ok()) {
    return command_line.UsageError(parsed);
  }
  if (command_line.help_requested()) {
    std::fputs(command_line.Help().c_str(), stdout);
    return 0;
  }

  ucgate::emulator::EmulatorOptions options;
  if (absl::Status status = ParseListen(listen, &options.host, &options.port);
      !status.ok()) {
    return command_line.UsageError(status);
  }
  if (tls_cert.empty() != tls_key.empty()) {
    return command_line.UsageError(
        absl::InvalidArgumentError("--tls-cert and --tls-key go together"));
  }
  if (!tls_cert.empty()) {
    options.tls = ucgate::emulator::TlsFiles{tls_cert, tls_key};
  }
  if (seed_files < 0 || seed_files > 10000000) {
    return command_line.UsageError(
        absl::InvalidArgumentError("--seed-files expects 0..10000000"));
  }
  options.seed_files = static_cast<int>(seed_files);
  options.seed = static_cast<uint64_t>(seed);
  options.public_base_url = public_base_url;
  ucgate::LogLevel level;
  if (!ucgate::ParseLogLevel(log_level, &level)) {
    return command_line.UsageError(absl::InvalidArgumentError(
        absl::StrCat("--log-level expects debug, info, warning or error, got '",
                     log_level, "'")));
  }
  ucgate::SetLogLevel(level);

  ucgate::emulator::EmulatorProject project;
  project.public_key = EnvOr("UCGATE_EMULATOR_PUBLIC_KEY", kDemoPublicKey);
  project.secret_key = EnvOr("UCGATE_EMULATOR_SECRET_KEY", kDemoSecretKey);
  options.projects.push_back(project);

  // Signals are taken by sigwait below, not by whichever thread they hit.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto emulator = ucgate::emulator::Emulator::Start(options);
  if (!emulator.ok()) {
    std::fprintf(stderr, "ucgate-emulator: %s\n",
                 std::string(emulator.status().message()).c_str());
    return 1;
  }
  std::printf("ucgate-emulator: project \"%s\", public key \"%s\"\n",
              project.name.c_str(), project.public_key.c_str());
  if (project.secret_key == kDemoSecretKey) {
    // Printed only because it is the well-known demo key.
    std::printf("ucgate-emulator: demo secret key \"%s\"\n", kDemoSecretKey);
  }
  std::printf("ucgate-emulator: %d seeded files, custom storage \"%s\"\n",
              options.seed_files, project.custom_storage.c_str());
  if (options.host != "127.0.0.1" && options.host != "::1" &&
      options.host != "localhost") {
    UCGATE_LOG(kWarning, "ucgate-emulator: serving on ", options.host,
               ", not loopback: anyone who can reach it can use the demo "
               "keys and the unauthenticated /__emulator/ endpoints");
  }
  std::printf("listening on %s\n", (*emulator)->base_url().c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  UCGATE_LOG(kInfo, "ucgate-emulator: stopping on signal ", signal_number);
  emulator->reset();
  return 0;
}
