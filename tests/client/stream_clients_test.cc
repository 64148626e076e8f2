// The streaming calls of the client library: StreamFiles/StreamGroups (batch
// by batch, resumed after UNAVAILABLE from the last resume token, bounded),
// ForEachStreamedFile/Group, and the two watches.
#include <memory>
#include <string>
#include <vector>

#include "client/ucgate_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/fake_gateway.h"
#include "tests/testing_util/status_matchers.h"

namespace ucgate::client {
namespace {

namespace v1 = ::uploadcare::gateway::v1;
using ::testing::ElementsAre;
using testing::FakeServer;
using ::testing::SizeIs;

v1::StreamFilesResponse Batch(std::vector<std::string> uuids,
                              std::string token) {
  v1::StreamFilesResponse batch;
  for (const std::string& uuid : uuids) batch.add_files()->set_uuid(uuid);
  batch.set_resume_token(std::move(token));
  return batch;
}

class StreamClientsTest : public ::testing::Test {
 protected:
  FileClient Files() {
    ClientOptions options;
    options.project = "main";
    return FileClient(server_.InProcessChannel(), options);
  }
  std::vector<std::string> Methods() {
    std::vector<std::string> methods;
    for (const auto& call : server_.service().calls()) {
      methods.push_back(call.method);
    }
    return methods;
  }

  FakeServer server_;
};

TEST_F(StreamClientsTest, StreamFilesResumesAfterUnavailableFromTheLastToken) {
  server_.service()
      .AnswerStream<v1::StreamFilesRequest, v1::StreamFilesResponse>(
          "StreamFiles", [](const v1::StreamFilesRequest& request,
                            std::vector<v1::StreamFilesResponse>* out) {
            if (request.resume_token().empty()) {
              out->push_back(Batch({"a", "b"}, "r1"));
              out->push_back(Batch({"c"}, "r2"));
              return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                  "upstream: 503");
            }
            EXPECT_EQ(request.resume_token(), "r2");
            out->push_back(Batch({"d", "e"}, "r3"));
            return grpc::Status::OK;
          });
  std::vector<std::string> uuids;
  v1::StreamFilesRequest request;
  request.set_stored(true);
  ASSERT_THAT(Files().StreamFiles(request,
                                  [&](const v1::StreamFilesResponse& batch) {
                                    for (const auto& file : batch.files()) {
                                      uuids.push_back(file.uuid());
                                    }
                                    return true;
                                  }),
              IsOk());
  EXPECT_THAT(uuids, ElementsAre("a", "b", "c", "d", "e"));
  auto calls = server_.service().calls();
  ASSERT_THAT(calls, SizeIs(2));
  // The resumed call keeps the filters and the project; streams have no
  // deadline by default.
  EXPECT_TRUE(calls[1].As<v1::StreamFilesRequest>().stored());
  EXPECT_EQ(calls[1].project, "main");
  EXPECT_FALSE(calls[1].time_left.has_value());
}

TEST_F(StreamClientsTest,
       StreamFilesGivesUpAfterBoundedResumesWithoutProgress) {
  server_.service().SetStream(
      "StreamFiles", std::vector<v1::StreamFilesResponse>{},
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "upstream: 503"));
  absl::Status status =
      Files().StreamFiles(v1::StreamFilesRequest(),
                          [](const v1::StreamFilesResponse&) { return true; });
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  // The first call and max_stream_resumes (3) resumes.
  EXPECT_THAT(Methods(), SizeIs(4));
}

TEST_F(StreamClientsTest, OtherErrorsEndTheStreamAtOnce) {
  server_.service().SetStream(
      "StreamFiles", std::vector<v1::StreamFilesResponse>{Batch({"a"}, "r1")},
      grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "resume_token: bad"));
  std::vector<std::string> uuids;
  absl::Status status = Files().StreamFiles(
      v1::StreamFilesRequest(), [&](const v1::StreamFilesResponse& batch) {
        uuids.push_back(batch.files(0).uuid());
        return true;
      });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(uuids, ElementsAre("a"));
  EXPECT_THAT(Methods(), SizeIs(1));
}

TEST_F(StreamClientsTest, ForEachStreamedFileMapsTheListRequestAndStopsEarly) {
  server_.service().SetStream(
      "StreamFiles", std::vector<v1::StreamFilesResponse>{
                         Batch({"a", "b"}, "r1"), Batch({"c", "d"}, "r2")});
  v1::ListFilesRequest request;
  request.set_page_size(500);
  request.set_removed(true);
  request.set_ordering(v1::FILE_ORDERING_DATETIME_UPLOADED_DESC);
  request.set_from("2015-09-10T10:00:00Z");
  request.set_include_appdata(true);
  std::vector<std::string> uuids;
  ASSERT_THAT(Files().ForEachStreamedFile(request,
                                          [&](const v1::File& file) {
                                            uuids.push_back(file.uuid());
                                            return uuids.size() < 3;
                                          }),
              IsOk());
  EXPECT_THAT(uuids, ElementsAre("a", "b", "c"));
  const auto& sent = server_.service().calls()[0].As<v1::StreamFilesRequest>();
  EXPECT_EQ(sent.page_size(), 500);
  EXPECT_TRUE(sent.has_removed());
  EXPECT_TRUE(sent.removed());
  EXPECT_FALSE(sent.has_stored());
  EXPECT_EQ(sent.ordering(), v1::FILE_ORDERING_DATETIME_UPLOADED_DESC);
  EXPECT_EQ(sent.from(), "2015-09-10T10:00:00Z");
  EXPECT_TRUE(sent.include_appdata());
}

TEST_F(StreamClientsTest, StreamGroupsHandsEveryBatch) {
  v1::StreamGroupsResponse first, second;
  first.add_groups()->set_id("a~1");
  first.set_resume_token("r1");
  second.add_groups()->set_id("b~2");
  second.set_resume_token("r2");
  server_.service().SetStream(
      "StreamGroups", std::vector<v1::StreamGroupsResponse>{first, second});
  GroupClient groups(server_.InProcessChannel(), {});
  std::vector<std::string> ids;
  ASSERT_THAT(groups.ForEachStreamedGroup(v1::ListGroupsRequest(),
                                          [&](const v1::Group& group) {
                                            ids.push_back(group.id());
                                            return true;
                                          }),
              IsOk());
  EXPECT_THAT(ids, ElementsAre("a~1", "b~2"));
}

TEST_F(StreamClientsTest, WatchesHandEveryUpdateAndEndWithTheStatus) {
  v1::WatchConversionJobResponse pending, finished;
  pending.set_status(v1::CONVERSION_STATUS_PENDING);
  finished.set_status(v1::CONVERSION_STATUS_FINISHED);
  server_.service().SetStream(
      "WatchConversionJob",
      std::vector<v1::WatchConversionJobResponse>{pending, finished});
  ConversionClient conversions(server_.InProcessChannel(), {});
  v1::WatchConversionJobRequest request;
  request.set_kind(v1::CONVERSION_KIND_DOCUMENT);
  request.set_token(9);
  std::vector<v1::ConversionStatus> statuses;
  ASSERT_THAT(conversions.WatchConversionJob(
                  request,
                  [&](const v1::WatchConversionJobResponse& update) {
                    statuses.push_back(update.status());
                    return true;
                  }),
              IsOk());
  EXPECT_THAT(statuses, ElementsAre(v1::CONVERSION_STATUS_PENDING,
                                    v1::CONVERSION_STATUS_FINISHED));
  EXPECT_EQ(
      server_.service().calls()[0].As<v1::WatchConversionJobRequest>().token(),
      9);

  server_.service().SetStream(
      "WatchAddonExecution", std::vector<v1::WatchAddonExecutionResponse>{},
      grpc::Status(grpc::StatusCode::NOT_FOUND, "no such run"));
  AddonClient addons(server_.InProcessChannel(), {});
  absl::Status status = addons.WatchAddonExecution(
      v1::WatchAddonExecutionRequest(),
      [](const v1::WatchAddonExecutionResponse&) { return true; });
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  // Not a listing: no resume.
  EXPECT_THAT(Methods(), SizeIs(2));
}

}  // namespace
}  // namespace ucgate::client
