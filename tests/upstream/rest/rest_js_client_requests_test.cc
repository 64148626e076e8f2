// The REST stubs send what Uploadcare's official JS client (6.21) sends, byte
// for byte: method, path and query, Content-Type and body. The client's
// requests were recorded by tests/sdk/record_requests.mjs into
// tests/data/sdk/js_client_requests.json; each case here makes the same call
// through the gateway's stub and compares.
#include <simdjson.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/api/page_token.h"
#include "service/upstream/http/http_client.h"
#include "service/upstream/rest/rest_operations.h"
#include "tests/testing_util/fake_http_client.h"
#include "tests/testing_util/rest_stub_fixture.h"
#include "tests/testing_util/status_matchers.h"

#ifndef UCGATE_JS_CLIENT_REQUESTS
#error \
    "UCGATE_JS_CLIENT_REQUESTS must name tests/data/sdk/js_client_requests.json"
#endif

namespace ucgate::upstream {
namespace {

using ucgate::testing::HeaderValue;

constexpr char kUuid[] = "3c269810-c17b-4e2c-92b6-25622464d866";
constexpr char kOther[] = "8f64f313-e6b1-4731-96c0-6751f1e7a50a";

struct Recorded {
  std::string method, target, content_type, body;
};

std::map<std::string, Recorded> LoadRecorded() {
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.load(UCGATE_JS_CLIENT_REQUESTS).value();
  std::map<std::string, Recorded> recorded;
  for (simdjson::dom::element entry : root["requests"].get_array()) {
    simdjson::dom::element request = entry["request"];
    recorded[std::string(entry["name"].get_string().value())] =
        Recorded{std::string(request["method"].get_string().value()),
                 std::string(request["target"].get_string().value()),
                 std::string(request["content_type"].get_string().value()),
                 std::string(request["body"].get_string().value())};
  }
  return recorded;
}

class RestJsClientRequestsTest : public testing::RestStubTest {
 protected:
  void MakeStubs(std::shared_ptr<const RestClient> rest) override {
    files_ = MakeRestFileOperations(rest);
    conversions_ = MakeRestConversionOperations(rest);
    webhooks_ = MakeRestWebhookOperations(rest);
    addons_ = MakeRestAddonOperations(rest);
  }

  // Makes the call `name` through the stub (answered with `answer`) and
  // compares the request sent with the JS client's.
  void Expect(const std::string& name, int status, const std::string& answer,
              const std::function<absl::Status()>& call) {
    SCOPED_TRACE(name);
    auto found = recorded_.find(name);
    ASSERT_NE(found, recorded_.end()) << "not in the recording";
    const Recorded& js = found->second;
    SetUpAnswer(status, answer);
    ASSERT_THAT(call(), IsOk());
    http::HttpRequest sent = OnlyRequest();
    EXPECT_EQ(http::MethodName(sent.method), js.method);
    EXPECT_EQ(sent.url, absl::StrCat(kBaseUrl, js.target));
    EXPECT_EQ(sent.body, js.body);
    if (!js.body.empty()) {
      EXPECT_EQ(HeaderValue(sent, "Content-Type"), js.content_type);
    }
  }

  std::map<std::string, Recorded> recorded_ = LoadRecorded();
  std::unique_ptr<FileOperations> files_;
  std::unique_ptr<ConversionOperations> conversions_;
  std::unique_ptr<WebhookOperations> webhooks_;
  std::unique_ptr<AddonOperations> addons_;
};

constexpr char kTagsChange[] =
    R"({"tags":["dog"],"added":["dog"],"deleted":[]})";
constexpr char kEmptySearch[] =
    R"({"next":null,"previous":null,"total":0,"per_page":20,"results":[]})";

TEST_F(RestJsClientRequestsTest, TagsCallsAreTheClients) {
  Expect("get_tags", 200, R"({"tags":["cat"]})", [&] {
    v1::GetFileTagsRequest request;
    request.set_uuid(kUuid);
    return files_->GetFileTags(context_, request).status();
  });
  Expect("replace_tags", 200, kTagsChange, [&] {
    v1::ReplaceFileTagsRequest request;
    request.set_uuid(kUuid);
    request.add_tags("Cat");
    request.add_tags(" animal ");
    return files_->ReplaceFileTags(context_, request).status();
  });
  Expect("replace_tags_empty", 200, kTagsChange, [&] {
    v1::ReplaceFileTagsRequest request;
    request.set_uuid(kUuid);
    return files_->ReplaceFileTags(context_, request).status();
  });
  Expect("update_tags", 200, kTagsChange, [&] {
    v1::UpdateFileTagsRequest request;
    request.set_uuid(kUuid);
    request.add_add("dog");
    request.add_remove("cat");
    return files_->UpdateFileTags(context_, request).status();
  });
  Expect("update_tags_add_only", 200, kTagsChange, [&] {
    v1::UpdateFileTagsRequest request;
    request.set_uuid(kUuid);
    request.add_add("dog");
    return files_->UpdateFileTags(context_, request).status();
  });
  Expect("update_tags_delete_only", 200, kTagsChange, [&] {
    v1::UpdateFileTagsRequest request;
    request.set_uuid(kUuid);
    request.add_remove("dog");
    return files_->UpdateFileTags(context_, request).status();
  });
}

TEST_F(RestJsClientRequestsTest, SearchCallsAreTheClients) {
  Expect("search_query", 200, kEmptySearch, [&] {
    v1::SearchFilesRequest request;
    request.set_query("holiday");
    return files_->SearchFiles(context_, request).status();
  });
  Expect("search_everything", 200, kEmptySearch, [&] {
    v1::SearchFilesRequest request;
    request.set_query("beach");
    request.mutable_phrase()->set_original_filename("sunset");
    v1::SearchExact* exact = request.mutable_exact();
    exact->add_uuids(kUuid);
    exact->add_uuids(kOther);
    exact->add_detected_mime_types("image/png");
    v1::SearchMetadataValues* camera = exact->add_metadata();
    camera->set_key("camera");
    camera->add_values("Canon");
    camera->add_values("Nikon");
    v1::SearchMetadataValues* owner = exact->add_metadata();
    owner->set_key("owner");
    owner->add_values("ann");
    request.mutable_datetime_uploaded()->mutable_gte()->set_seconds(1714521600);
    request.mutable_datetime_uploaded()->mutable_lt()->set_seconds(1717245000);
    request.mutable_datetime_uploaded()->mutable_lt()->set_nanos(250000000);
    request.mutable_size()->set_gt(1024);
    request.mutable_size()->set_lte(1048576);
    request.set_is_image(true);
    request.set_fuzziness(true);
    request.mutable_tags()->add_any("cat");
    request.mutable_tags()->add_any("dog");
    request.mutable_tags()->add_all("pet");
    request.mutable_tags()->add_none("draft");
    v1::SearchSort* newest = request.add_sort();
    newest->set_field(v1::SEARCH_SORT_FIELD_DATETIME_UPLOADED);
    newest->set_descending(true);
    request.add_sort()->set_field(v1::SEARCH_SORT_FIELD_SIZE);
    request.add_sort()->set_field(v1::SEARCH_SORT_FIELD_SCORE);
    request.set_include_appdata(true);
    request.set_page_size(50);
    // The third page of 50: offset 100, carried by the page token.
    request.set_page_token(
        api::EncodePageToken(api::ListCursor{"", 100},
                             api::PagedRequestFingerprint("main", request)));
    return files_->SearchFiles(context_, request).status();
  });
  Expect("search_phrase_metadata", 200, kEmptySearch, [&] {
    v1::SearchFilesRequest request;
    request.mutable_phrase()->set_detected_mime_type("image");
    request.mutable_phrase()->set_metadata("vacation");
    request.set_is_image(false);
    request.set_page_size(10);
    return files_->SearchFiles(context_, request).status();
  });
}

// The fields a caller may leave unset are sent only when set.
TEST_F(RestJsClientRequestsTest, UnsetFieldsAreLeftOutAsTheClientDoes) {
  constexpr char kNoJobs[] = R"({"result":[],"problems":{}})";
  auto document = [](v1::ConvertDocumentRequest& request) {
    v1::DocumentConversion* conversion = request.add_conversions();
    conversion->set_uuid(kUuid);
    conversion->set_format(v1::DOCUMENT_FORMAT_PDF);
  };
  Expect("convert_document_unset", 200, kNoJobs, [&] {
    v1::ConvertDocumentRequest request;
    document(request);
    return conversions_->ConvertDocument(context_, request).status();
  });
  Expect("convert_document_set", 200, kNoJobs, [&] {
    v1::ConvertDocumentRequest request;
    document(request);
    request.set_store(false);
    request.set_save_in_group(true);
    return conversions_->ConvertDocument(context_, request).status();
  });
  Expect("convert_video_store", 200, kNoJobs, [&] {
    v1::ConvertVideoRequest request;
    request.add_conversions()->set_uuid(kUuid);
    request.set_store(true);
    return conversions_->ConvertVideo(context_, request).status();
  });
  const std::string copy_answer =
      absl::StrCat(R"({"type":"file","result":{"uuid":")", kUuid, R"("}})");
  Expect("local_copy_unset", 201, copy_answer, [&] {
    v1::CopyFileToLocalStorageRequest request;
    request.set_source(kUuid);
    return files_->CopyFileToLocalStorage(context_, request).status();
  });
  Expect("local_copy_store", 201, copy_answer, [&] {
    v1::CopyFileToLocalStorageRequest request;
    request.set_source(kUuid);
    request.set_store(false);
    return files_->CopyFileToLocalStorage(context_, request).status();
  });
  Expect("create_webhook_unset", 201,
         R"({"id":1,"event":"file.uploaded","target_url":)"
         R"("https://example.com/hook","is_active":true,"version":"0.7"})",
         [&] {
           v1::CreateWebhookRequest request;
           request.set_target_url("https://example.com/hook");
           request.set_event(v1::WEBHOOK_EVENT_FILE_UPLOADED);
           return webhooks_->CreateWebhook(context_, request).status();
         });
  Expect("clamav_without_params", 200,
         R"({"request_id":"8db3c8b4-2dea-4146-bcdb-63387e2b33c1"})", [&] {
           v1::ExecuteAddonRequest request;
           request.set_addon(v1::ADDON_UC_CLAMAV_VIRUS_SCAN);
           request.set_target(kUuid);
           request.mutable_clamav_virus_scan();
           return addons_->ExecuteAddon(context_, request).status();
         });
}

// Every recorded request has its case above.
TEST_F(RestJsClientRequestsTest, TheRecordingHasNoUncheckedRequests) {
  EXPECT_EQ(recorded_.size(), 16u);
}

}  // namespace
}  // namespace ucgate::upstream
