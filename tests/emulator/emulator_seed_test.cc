// The seeded data and the file store behind the emulator, without HTTP.
#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "service/emulator/file_store.h"
#include "service/emulator/seed_data.h"

namespace ucgate::emulator {
namespace {

namespace v1 = ::uploadcare::gateway::v1;

FileStoreOptions Seeded(int files, uint64_t seed = 1) {
  FileStoreOptions options;
  options.seed = seed;
  options.seed_files = files;
  options.base_url = "http://127.0.0.1:1";
  return options;
}

TEST(SeedDataTest, IsAFunctionOfTheSeed) {
  FileStore first(Seeded(500, 7));
  FileStore again(Seeded(500, 7));
  FileStore other(Seeded(500, 8));
  std::vector<v1::File> a = first.All();
  std::vector<v1::File> b = again.All();
  std::vector<v1::File> c = other.All();
  ASSERT_EQ(a.size(), 500u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a[i], b[i]))
        << i;
  }
  EXPECT_NE(a[0].uuid(), c[0].uuid());
}

TEST(SeedDataTest, UuidsRoundTrip) {
  SplitMix64 rng(3);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    Uuid128 uuid = RandomUuid(rng);
    std::string text = FormatUuid(uuid);
    EXPECT_EQ(text[14], '4');  // version 4
    EXPECT_TRUE(seen.insert(text).second);
    Uuid128 parsed;
    ASSERT_TRUE(ParseUuid(text, &parsed));
    EXPECT_EQ(parsed, uuid);
  }
  Uuid128 parsed;
  EXPECT_TRUE(ParseUuid("2E17F5D1-D423-4DE6-8EE5-6773CC4A7FA6", &parsed));
  EXPECT_EQ(FormatUuid(parsed), "2e17f5d1-d423-4de6-8ee5-6773cc4a7fa6");
  EXPECT_FALSE(ParseUuid("nonexistent", &parsed));
}

TEST(SeedDataTest, HoldsVariedFiles) {
  FileStore store(Seeded(2500));
  std::map<std::string, int> mimes;
  int geo = 0, orientation = 0, datetime_original = 0, sequences = 0;
  int videos_with_audio = 0, videos_without_audio = 0;
  int stored = 0, unstored = 0, removed = 0;
  int metadata = 0, virus_scans = 0, labels = 0, rekognition = 0;
  int64_t previous_upload = 0;
  int ties = 0;
  for (const v1::File& file : store.All()) {
    ++mimes[file.mime_type()];
    const v1::ContentInfo& info = file.content_info();
    EXPECT_EQ(info.mime().mime(), file.mime_type());
    EXPECT_EQ(file.is_image(), info.has_image()) << file.uuid();
    if (info.has_image()) {
      geo += info.image().has_geo_location();
      orientation += info.image().has_orientation();
      datetime_original += !info.image().datetime_original().empty();
      sequences += info.image().sequence();
    }
    if (info.has_video()) {
      EXPECT_EQ(info.video().video_size(), 1);
      (info.video().audio_size() > 0 ? videos_with_audio
                                     : videos_without_audio)++;
    }
    if (file.has_datetime_removed()) {
      ++removed;
      EXPECT_FALSE(file.has_datetime_stored());
      EXPECT_TRUE(file.original_file_url().empty());
    } else if (file.has_datetime_stored()) {
      ++stored;
    } else {
      ++unstored;
    }
    metadata += !file.metadata().empty();
    virus_scans += file.appdata().count("uc_clamav_virus_scan");
    labels += file.appdata().count("aws_rekognition_detect_labels");
    rekognition += !file.rekognition_info().empty();
    EXPECT_EQ(file.url(),
              absl::StrCat("http://127.0.0.1:1/files/", file.uuid(), "/"));
    int64_t uploaded = TimestampMicros(file.datetime_uploaded());
    EXPECT_GE(uploaded, previous_upload);
    ties += uploaded == previous_upload;
    previous_upload = uploaded;
  }
  for (const char* mime :
       {"image/jpeg", "image/png", "image/webp", "image/gif", "video/mp4",
        "video/webm", "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml."
        "document",
        "text/plain", "application/zip"}) {
    EXPECT_GT(mimes[mime], 10) << mime;
  }
  EXPECT_GT(geo, 20);
  EXPECT_GT(orientation, 50);
  EXPECT_GT(datetime_original, 50);
  EXPECT_GT(sequences, 5);
  EXPECT_GT(videos_with_audio, 20);
  EXPECT_GT(videos_without_audio, 5);
  EXPECT_GT(removed, 10);
  EXPECT_GT(stored, unstored);
  EXPECT_GT(unstored, 100);
  EXPECT_GT(metadata, 300);
  EXPECT_GT(virus_scans, 50);
  EXPECT_GT(labels, 50);
  EXPECT_EQ(rekognition, labels);
  EXPECT_GT(ties, 50);
}

TEST(SeedDataTest, SeedingIsCheap) {
  absl::Time start = absl::Now();
  FileStore small(Seeded(2500));
  absl::Duration small_time = absl::Now() - start;
  start = absl::Now();
  FileStore large(Seeded(1000000));
  absl::Duration large_time = absl::Now() - start;
  std::printf("seeding: 2,500 files in %s, 1,000,000 files in %s\n",
              absl::FormatDuration(small_time).c_str(),
              absl::FormatDuration(large_time).c_str());
  // Generous bounds (a shared, loaded machine); typical figures are printed.
  EXPECT_LT(small_time, absl::Milliseconds(250));
  EXPECT_LT(large_time, absl::Seconds(10));
  FileListQuery query;
  query.limit = 1000;
  query.ordering = FileOrdering::kUploadedDesc;
  FileListPage page = large.List(query, {});
  EXPECT_EQ(page.count, 1000);
  EXPECT_EQ(page.totals.removed + page.totals.stored + page.totals.unstored,
            1000000);
}

TEST(FileStoreTest, CursorsNameTheNextAndPreviousPages) {
  FileStore store(Seeded(0));
  absl::Time now = absl::FromUnixSeconds(1600000000);
  // Keys (µs past `now`): 0, 1, 1, 1, 2.
  std::vector<std::string> uuids;
  for (int64_t offset : {0, 1, 1, 1, 2}) {
    v1::File file;
    SetTimestampMicros(absl::ToUnixMicros(now) + offset,
                       file.mutable_datetime_uploaded());
    uuids.push_back(store.Add(file, now).uuid());
  }
  int64_t base = absl::ToUnixMicros(now);
  FileListQuery query;
  query.limit = 2;
  FileListPage first = store.List(query, {});
  EXPECT_EQ(first.count, 2);
  ASSERT_TRUE(first.next.has_value());
  // The page ends inside the run at base+1: after base, skip one.
  EXPECT_EQ(first.next->key, base);
  EXPECT_EQ(first.next->offset, 1);
  EXPECT_FALSE(first.previous.has_value());

  query.from = first.next->key;
  query.offset = first.next->offset;
  FileListPage second = store.List(query, {});
  EXPECT_NE(second.results_json.find(uuids[2]), std::string::npos);
  EXPECT_NE(second.results_json.find(uuids[3]), std::string::npos);
  ASSERT_TRUE(second.next.has_value());
  EXPECT_EQ(second.next->key, base + 1);
  EXPECT_EQ(second.next->offset, 0);
  ASSERT_TRUE(second.previous.has_value());
  // Ends before the second file of the run at base+1: before base+2, after
  // stepping back over two files of that run.
  EXPECT_EQ(second.previous->key, base + 2);
  EXPECT_EQ(second.previous->offset, 2);

  FileListQuery back;
  back.limit = 2;
  back.to = second.previous->key;
  back.offset = second.previous->offset;
  FileListPage again = store.List(back, {});
  EXPECT_EQ(again.results_json, first.results_json);
}

TEST(FileStoreTest, StoresDeletesAndCounts) {
  FileStore store(Seeded(100));
  absl::Time now = absl::FromUnixSeconds(1700000000);
  v1::File unstored;
  for (const v1::File& file : store.All()) {
    if (!file.has_datetime_stored() && !file.has_datetime_removed()) {
      unstored = file;
      break;
    }
  }
  ASSERT_FALSE(unstored.uuid().empty());
  FileListPage before = store.List(FileListQuery(), {});
  ASSERT_TRUE(store.Store(unstored.uuid(), now).ok());
  FileListPage after = store.List(FileListQuery(), {});
  EXPECT_EQ(after.totals.stored, before.totals.stored + 1);
  EXPECT_EQ(after.totals.unstored, before.totals.unstored - 1);
  ASSERT_TRUE(store.Delete(unstored.uuid(), now).ok());
  std::optional<v1::File> deleted = store.Get(unstored.uuid());
  ASSERT_TRUE(deleted.has_value());
  EXPECT_EQ(TimestampMicros(deleted->datetime_removed()),
            absl::ToUnixMicros(now));
  EXPECT_FALSE(deleted->has_datetime_stored());
  EXPECT_TRUE(absl::IsNotFound(store.Store(unstored.uuid(), now)));
  EXPECT_TRUE(absl::IsNotFound(store.Delete("nonexistent", now)));
  FileListPage last = store.List(FileListQuery(), {});
  EXPECT_EQ(last.totals.removed, before.totals.removed + 1);
  EXPECT_EQ(last.total, before.total - 1);
}

}  // namespace
}  // namespace ucgate::emulator
