#include "tests/testing_util/emulator_test_client.h"

#include <httplib.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/restapi/signing.h"

namespace ucgate::emulator::testing {

EmulatorOptions TestOptions(int seed_files) {
  EmulatorOptions options;
  EmulatorProject project;
  project.public_key = kPublicKey;
  project.secret_key = kSecretKey;
  options.projects.push_back(project);
  options.seed_files = seed_files;
  return options;
}

rapidjson::Document CallResult::Json() const {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError()) doc.SetNull();
  return doc;
}

std::string StringMember(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return "";
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::string DetailOf(const CallResult& result) {
  return StringMember(result.Json(), "detail");
}

EmulatorClient::EmulatorClient(const Emulator& emulator, std::string public_key,
                               std::string secret_key, std::string ca_file)
    : base_url_(emulator.base_url()),
      public_key_(std::move(public_key)),
      secret_key_(std::move(secret_key)),
      client_(std::make_unique<httplib::Client>(base_url_)) {
  client_->set_keep_alive(true);
  client_->set_url_encode(false);  // sign and send the same bytes
  client_->set_tcp_nodelay(true);
  client_->set_read_timeout(std::chrono::seconds(30));
  if (!ca_file.empty()) {
    client_->set_ca_cert_path(ca_file.c_str());
    client_->enable_server_certificate_verification(true);
  }
}

EmulatorClient::~EmulatorClient() = default;

CallResult EmulatorClient::GetUrl(absl::string_view url,
                                  const CallOptions& options) {
  absl::string_view rest = url;
  if (absl::StartsWith(rest, base_url_)) rest.remove_prefix(base_url_.size());
  return Call("GET", rest, "", options);
}

CallResult EmulatorClient::Call(absl::string_view method,
                                absl::string_view path_and_query,
                                absl::string_view body,
                                const CallOptions& options) {
  httplib::Headers headers;
  headers.emplace(
      "Accept", options.accept ? *options.accept
                               : std::string(AcceptHeaderFor(options.version)));
  std::string date =
      restapi::FormatHttpDate(options.date.value_or(absl::Now()));
  switch (options.auth) {
    case AuthMode::kSignedDate:
    case AuthMode::kSignedXUploadcareDate: {
      std::string signature = restapi::HmacSha1Hex(
          secret_key_,
          restapi::BuildSignString(method, body, options.content_type, date,
                                   path_and_query));
      headers.emplace(
          options.auth == AuthMode::kSignedDate ? "Date" : "X-Uploadcare-Date",
          date);
      headers.emplace("Authorization",
                      absl::StrCat("Uploadcare ", public_key_, ":", signature));
      break;
    }
    case AuthMode::kSimple:
      headers.emplace(
          "Authorization",
          absl::StrCat("Uploadcare.Simple ", public_key_, ":", secret_key_));
      break;
    case AuthMode::kNone:
      break;
  }
  if (options.authorization) {
    headers.erase("Authorization");
    headers.emplace("Authorization", *options.authorization);
  }

  httplib::Request request;
  request.method = std::string(method);
  request.path = std::string(path_and_query);
  request.headers = std::move(headers);
  request.body = std::string(body);
  if (!options.content_type.empty()) {
    request.set_header("Content-Type", options.content_type);
  }
  httplib::Result result = client_->send(request);
  CallResult out;
  if (!result) {
    out.error = httplib::to_string(result.error());
    return out;
  }
  out.status = result->status;
  out.body = result->body;
  out.content_type = result->get_header_value("Content-Type");
  out.location = result->get_header_value("Location");
  out.retry_after = result->get_header_value("Retry-After");
  out.allow = result->get_header_value("Allow");
  return out;
}

}  // namespace ucgate::emulator::testing
