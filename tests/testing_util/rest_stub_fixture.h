// What every REST stub test starts from: a project ("main") of a fake
// upstream (FakeHttpClient) at https://api.example.test, signing with test
// keys at a fixed time. A test's fixture says which stubs it makes
// (MakeStubs); SetUpStack, SetUpAnswer or SetUpAnswers then build them over a
// fresh transport.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "service/common/api_version.h"
#include "service/common/clock.h"
#include "service/common/secret.h"
#include "service/upstream/auth/request_signer.h"
#include "service/upstream/operations.h"
#include "service/upstream/rest/rest_client.h"
#include "tests/testing_util/fake_http_client.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::testing {

class RestStubTest : public ::testing::Test {
 protected:
  static constexpr char kBaseUrl[] = "https://api.example.test";

  // Makes the stubs under test from the project's RestClient.
  virtual void MakeStubs(std::shared_ptr<const upstream::RestClient> rest) = 0;

  // The stubs over a transport that answers with `handler`.
  void SetUpStack(FakeHttpClient::Handler handler,
                  ApiVersion version = ApiVersion::kV07,
                  std::string base_url = kBaseUrl,
                  std::string project = "main") {
    http_ = std::make_shared<FakeHttpClient>(std::move(handler));
    clock_ = std::make_shared<ManualClock>(absl::FromUnixSeconds(1541423681));
    std::shared_ptr<const auth::RequestSigner> signer =
        auth::MakeRequestSigner(auth::AuthScheme::kSigned,
                                {"testpk", Secret("demoprivatekey")}, clock_);
    absl::StatusOr<std::shared_ptr<upstream::RestClient>> rest =
        upstream::RestClient::Create(
            {std::move(project), std::move(base_url), version}, http_, signer,
            clock_);
    ASSERT_THAT(rest.status(), IsOk());
    MakeStubs(*std::move(rest));
  }

  // The stubs over a transport that answers every request alike.
  void SetUpAnswer(int status, std::string body,
                   ApiVersion version = ApiVersion::kV07) {
    SetUpStack(
        [status, body = std::move(body)](const http::HttpRequest&,
                                         const http::RequestOptions&) {
          return FakeHttpClient::Json(status, body);
        },
        version);
  }

  // The stubs over a transport that serves `answers` in order, one per
  // request, and INTERNAL after the last.
  void SetUpAnswers(std::vector<http::HttpResponse> answers,
                    std::string project = "main") {
    auto queue =
        std::make_shared<std::vector<http::HttpResponse>>(std::move(answers));
    auto next = std::make_shared<size_t>(0);
    SetUpStack(
        [queue, next](const http::HttpRequest&, const http::RequestOptions&)
            -> absl::StatusOr<http::HttpResponse> {
          if (*next >= queue->size()) {
            return absl::InternalError("no more answers");
          }
          return (*queue)[(*next)++];
        },
        ApiVersion::kV07, kBaseUrl, std::move(project));
  }

  // The one request sent.
  http::HttpRequest OnlyRequest() {
    std::vector<http::HttpRequest> requests = http_->requests();
    EXPECT_EQ(requests.size(), 1u);
    return requests.empty() ? http::HttpRequest() : requests.front();
  }
  // The last request sent.
  http::HttpRequest LastRequest() {
    std::vector<http::HttpRequest> requests = http_->requests();
    EXPECT_FALSE(requests.empty());
    return requests.empty() ? http::HttpRequest() : requests.back();
  }

  upstream::CallContext context_;
  std::shared_ptr<FakeHttpClient> http_;
  std::shared_ptr<ManualClock> clock_;
};

}  // namespace ucgate::testing
