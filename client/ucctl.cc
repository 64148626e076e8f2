#include "client/ucctl.h"

#include <cmath>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "client/ucctl_command.h"
#include "service/common/command_line.h"

namespace ucgate::client {
namespace {

constexpr char kDefaultTarget[] = "127.0.0.1:50051";
constexpr char kOutputHelp[] =
    "Output format: json (default; one JSON document, proto field names) or "
    "text (a compact table, or the answer's fields).";

// The resources: `ucctl <name> ...` runs the group.
struct Resource {
  const char* name;
  const VerbGroup* group;
};

const Resource kResources[] = {
    {"files", &kFilesGroup},     {"groups", &kGroupsGroup},
    {"project", &kProjectGroup}, {"webhooks", &kWebhooksGroup},
    {"convert", &kConvertGroup}, {"addons", &kAddonsGroup},
};

absl::StatusOr<absl::Duration> ParseTimeout(absl::string_view text) {
  double seconds = 0;
  if (!absl::SimpleAtod(text, &seconds) || !std::isfinite(seconds) ||
      seconds <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--timeout expects a positive number of seconds, got '", text, "'"));
  }
  return absl::Seconds(seconds);
}

}  // namespace

namespace {

int RunUcctlCommand(const std::vector<std::string>& args, std::ostream& out,
                    std::ostream& err) {
  Invocation invocation(out, err);
  const char* env_target = std::getenv("UCCTL_TARGET");
  const char* env_project = std::getenv("UCCTL_PROJECT");
  std::string target = env_target != nullptr && *env_target != '\0'
                           ? env_target
                           : kDefaultTarget;
  std::string project = env_project != nullptr ? env_project : "";
  std::string timeout_text = "30";
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string token_file;
  bool tls = false;

  CommandLine top("ucctl",
                  "ucctl [connection options] <resource> <command> "
                  "[arguments] [options]",
                  "Calls the ucgate gateway (the gRPC API of Uploadcare) and "
                  "prints the answers, as JSON by default.");
  top.AddString("target", "HOST:PORT",
                "Gateway address (default: $UCCTL_TARGET, else "
                "127.0.0.1:50051).",
                &target);
  top.AddString("project", "NAME",
                "Uploadcare project to act on, sent as x-ucgate-project "
                "(default: $UCCTL_PROJECT; unset: the gateway's only project).",
                &project);
  top.AddString("timeout", "SECONDS",
                "Deadline of each call, fractions allowed (default: 30).",
                &timeout_text);
  top.AddFlag("tls",
              "Connect with TLS, verifying the gateway with the system root "
              "certificates (or --ca-file).",
              &tls);
  top.AddString("ca-file", "FILE",
                "PEM root certificates to verify the gateway with; implies "
                "--tls.",
                &ca_file);
  top.AddString("cert-file", "FILE",
                "Client certificate (PEM chain) for gateways that require "
                "one (mTLS); with --key-file; implies --tls.",
                &cert_file);
  top.AddString("key-file", "FILE", "Private key (PEM) of --cert-file.",
                &key_file);
  top.AddString("token-file", "FILE",
                "File holding a bearer token (static token or JWT), sent as "
                "'authorization: Bearer'. Only over TLS or to loopback.",
                &token_file);
  top.AddString("output", "FORMAT", kOutputHelp, &invocation.output_name);
  std::string resources =
      "Resources (ucctl <resource> --help lists its commands):";
  for (const Resource& resource : kResources) {
    absl::StrAppend(&resources, absl::StrFormat("\n  %-28s %s", resource.name,
                                                resource.group->summary));
  }
  absl::StrAppend(
      &resources,
      absl::StrFormat("\n  %-28s %s", "health [SERVICE]", kHealthSummary));
  top.AddEpilog(resources);
  top.AddEpilog(
      "Environment:\n"
      "  UCCTL_TARGET                 Default for --target.\n"
      "  UCCTL_PROJECT                Default for --project.");
  top.AddEpilog(
      "Exit status: 0 on success; 1 when the call failed, printed to stderr "
      "as 'ucctl: CODE: message' followed by the field violations, retry "
      "delay and reason the gateway sent; 2 on a usage error (one line).");
  top.AddEpilog(
      "Examples:\n"
      "  ucctl --target 127.0.0.1:50051 files list --page-size 5 --output "
      "text\n"
      "  ucctl files list --all --stored true\n"
      "  ucctl --project demo files get "
      "2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6\n"
      "  ucctl files copy-local 2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6 --store "
      "--metadata owner=docs\n"
      "  ucctl files tags add 2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6 invoice\n"
      "  ucctl groups list --all --output text\n"
      "  ucctl convert document 2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6 --to pdf\n"
      "  ucctl addons run remove_bg 2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6 "
      "--crop true\n"
      "  ucctl webhooks create --target-url https://example.com/hook "
      "--event file.uploaded\n"
      "  ucctl --target ucgate.ucgate.svc:50051 health");
  invocation.top_level = &top;

  std::vector<std::string> rest;
  if (absl::Status status = top.Parse(args, &rest, /*stop_at_positional=*/true);
      !status.ok()) {
    return PrintUsageError(top, status, err);
  }
  if (top.help_requested()) {
    out << top.Help();
    return 0;
  }
  absl::StatusOr<absl::Duration> timeout = ParseTimeout(timeout_text);
  if (!timeout.ok()) return PrintUsageError(top, timeout.status(), err);
  if (target.empty()) {
    return PrintUsageError(
        top, absl::InvalidArgumentError("--target expects HOST:PORT"), err);
  }
  invocation.client_options.target = target;
  invocation.client_options.project = project;
  invocation.client_options.timeout = *timeout;
  invocation.client_options.use_tls =
      tls || !ca_file.empty() || !cert_file.empty();
  invocation.client_options.ca_file = ca_file;
  invocation.client_options.cert_file = cert_file;
  invocation.client_options.key_file = key_file;
  invocation.client_options.token_file = token_file;
  if (absl::Status loaded = LoadTokenFile(invocation.client_options);
      !loaded.ok()) {
    return PrintUsageError(top, loaded, err);
  }

  std::string known;
  for (const Resource& resource : kResources) {
    absl::StrAppend(&known, known.empty() ? "" : ", ", resource.name);
  }
  absl::StrAppend(&known, ", health");
  if (rest.empty()) {
    return PrintUsageError(top,
                           absl::InvalidArgumentError(
                               absl::StrCat("missing resource (", known, ")")),
                           err);
  }
  if (rest[0] == "health") {
    return RunHealth(std::vector<std::string>(rest.begin() + 1, rest.end()),
                     invocation);
  }
  for (const Resource& resource : kResources) {
    if (rest[0] != resource.name) continue;
    return RunVerbGroup(*resource.group,
                        std::vector<std::string>(rest.begin() + 1, rest.end()),
                        invocation);
  }
  return PrintUsageError(
      top,
      absl::InvalidArgumentError(absl::StrCat("unknown resource '", rest[0],
                                              "' (known: ", known, ")")),
      err);
}

}  // namespace

int RunUcctl(const std::vector<std::string>& args, std::ostream& out,
             std::ostream& err) {
  ResetUnprintableAnswers();
  const int code = RunUcctlCommand(args, out, err);
  // An answer that could not be printed is a failure even if the call
  // succeeded: scripts must not take the placeholder for the answer.
  if (code == 0 && UnprintableAnswers() > 0) {
    err << "ucctl: " << UnprintableAnswers()
        << " answer(s) could not be printed as JSON\n";
    return kRpcErrorExitCode;
  }
  return code;
}

}  // namespace ucgate::client
