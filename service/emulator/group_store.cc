#include "service/emulator/group_store.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "service/emulator/seed_data.h"

namespace ucgate::emulator {

namespace v1 = ::uploadcare::gateway::v1;

namespace {

constexpr int kFilesPerGroup = 20;  // one group per this many seed files
constexpr int kMaxGroupFiles = 10;
constexpr uint64_t kGroupStream = 0x6A09E667F3BCC908ULL;

// "<uuid>~<count>" in canonical (lower) case, or nullopt when malformed.
std::optional<std::string> CanonicalGroupId(absl::string_view id) {
  size_t tilde = id.find('~');
  if (tilde == absl::string_view::npos) return std::nullopt;
  Uuid128 uuid;
  int64_t count = 0;
  if (!ParseUuid(id.substr(0, tilde), &uuid) ||
      !absl::SimpleAtoi(id.substr(tilde + 1), &count) || count < 1) {
    return std::nullopt;
  }
  return absl::StrCat(FormatUuid(uuid), "~", count);
}

}  // namespace

class GroupStore::Listing final : public OrderedListing {
 public:
  Listing(const std::vector<Record>& records, bool descending)
      : records_(records), descending_(descending) {}
  int64_t size() const override {
    return static_cast<int64_t>(records_.size());
  }
  bool descending() const override { return descending_; }
  int64_t Key(int64_t position) const override {
    return records_[Index(position)].created_us;
  }
  bool Matches(int64_t) const override { return true; }
  size_t Index(int64_t position) const {
    return static_cast<size_t>(descending_ ? size() - 1 - position : position);
  }

 private:
  const std::vector<Record>& records_;
  bool descending_;
};

void GroupStore::DescribeGroup(absl::string_view id, Record& record) const {
  v1::Group& info = record.group;
  info.set_id(std::string(id));
  SetTimestampMicros(record.created_us, info.mutable_datetime_created());
  info.set_files_count(static_cast<int64_t>(record.file_uuids.size()));
  info.set_cdn_url(absl::StrCat("https://ucarecdn.com/", id, "/"));
  info.set_url(absl::StrCat(options_.base_url, "/groups/", id, "/"));
}

GroupStore::GroupStore(const FileStoreOptions& file_options)
    : options_(file_options) {}

void GroupStore::EnsureSeeded() const {
  absl::MutexLock lock(&mutex_);
  if (seeded_) return;
  seeded_ = true;
  int file_count = std::max(0, options_.seed_files);
  std::vector<SeededBasics> files;
  files.reserve(file_count);
  SeedTimeline timeline(options_.seed);
  for (int i = 0; i < file_count; ++i) {
    files.push_back(timeline.Next(static_cast<uint32_t>(i)));
  }
  SplitMix64 rng(options_.seed ^ kGroupStream);
  int64_t previous_created = 0;
  int latest_removed = -1;  // seed file index, or -1
  int scanned = 0;
  for (int group = 0; (group + 1) * kFilesPerGroup <= file_count; ++group) {
    // The group is made right after its newest file, from files uploaded
    // shortly before.
    int newest =
        group * kFilesPerGroup + static_cast<int>(rng.Below(kFilesPerGroup));
    for (; scanned <= newest; ++scanned) {
      if (files[scanned].removed_us != 0) latest_removed = scanned;
    }
    int count = 1 + static_cast<int>(rng.Below(kMaxGroupFiles));
    Record record;
    record.file_uuids.push_back(FormatUuid(files[newest].uuid));
    for (int i = 1; i < count; ++i) {
      int pick = newest - static_cast<int>(rng.Below(2 * kFilesPerGroup));
      record.file_uuids.push_back(FormatUuid(files[std::max(0, pick)].uuid));
    }
    // Every fourth group holds a removed file (when there is one yet), so
    // that listings and lookups show null entries.
    if (group % 4 == 1 && latest_removed >= 0) {
      record.file_uuids.back() = FormatUuid(files[latest_removed].uuid);
    }
    int64_t created = files[newest].uploaded_us + 1000000 +
                      static_cast<int64_t>(rng.Below(30000000));
    // Some groups share their predecessor's creation time to the
    // microsecond, so that cursors must handle ties.
    if (group % 9 == 4) created = previous_created;
    created = std::max(created, previous_created);
    previous_created = created;
    record.created_us = created;

    DescribeGroup(absl::StrCat(FormatUuid(RandomUuid(rng)), "~",
                               record.file_uuids.size()),
                  record);
    records_.push_back(std::move(record));
  }
}

const GroupStore::Record* GroupStore::Find(absl::string_view id) const {
  std::optional<std::string> canonical = CanonicalGroupId(id);
  if (!canonical) return nullptr;
  for (const Record& record : records_) {
    if (record.group.id() == *canonical) return &record;
  }
  return nullptr;
}

GroupListPage GroupStore::List(bool descending,
                               const CursorQuery& query) const {
  EnsureSeeded();
  absl::ReaderMutexLock lock(&mutex_);
  Listing listing(records_, descending);
  CursorPage page = PageByCursor(listing, query);
  GroupListPage result;
  result.next = page.next;
  result.previous = page.previous;
  result.total = listing.size();
  for (int64_t position : page.positions) {
    result.groups.push_back(records_[listing.Index(position)].group);
  }
  return result;
}

std::optional<v1::Group> GroupStore::Get(absl::string_view id,
                                         const FileStore& files) const {
  EnsureSeeded();
  v1::Group group;
  std::vector<std::string> uuids;
  {
    absl::ReaderMutexLock lock(&mutex_);
    const Record* record = Find(id);
    if (record == nullptr) return std::nullopt;
    group = record->group;
    uuids = record->file_uuids;
  }
  for (size_t i = 0; i < uuids.size(); ++i) {
    v1::GroupFile* entry = group.add_files();
    entry->set_index(static_cast<int32_t>(i));
    std::optional<v1::File> file = files.Get(uuids[i]);
    if (!file || file->has_datetime_removed()) {
      entry->set_removed(true);
    } else {
      *entry->mutable_file() = *std::move(file);
    }
  }
  return group;
}

std::vector<std::string> GroupStore::FileUuids(absl::string_view id) const {
  EnsureSeeded();
  absl::ReaderMutexLock lock(&mutex_);
  const Record* record = Find(id);
  return record ? record->file_uuids : std::vector<std::string>();
}

void GroupStore::Add(absl::string_view id, std::vector<std::string> file_uuids,
                     absl::Time created) {
  EnsureSeeded();
  Record record;
  record.created_us = absl::ToUnixMicros(created);
  record.file_uuids = std::move(file_uuids);
  DescribeGroup(id, record);
  absl::MutexLock lock(&mutex_);
  // Listings need creation order; a new group goes after its equals.
  auto position =
      std::upper_bound(records_.begin(), records_.end(), record.created_us,
                       [](int64_t created_us, const Record& other) {
                         return created_us < other.created_us;
                       });
  records_.insert(position, std::move(record));
}

bool GroupStore::Delete(absl::string_view id) {
  EnsureSeeded();
  absl::MutexLock lock(&mutex_);
  const Record* record = Find(id);
  if (record == nullptr) return false;
  records_.erase(records_.begin() + (record - records_.data()));
  return true;
}

bool GroupStore::MarkStored(absl::string_view id, absl::Time now) {
  EnsureSeeded();
  absl::MutexLock lock(&mutex_);
  const Record* found = Find(id);
  if (found == nullptr) return false;
  Record& record = records_[found - records_.data()];
  if (!record.group.has_datetime_stored()) {
    SetTimestampMicros(absl::ToUnixMicros(now),
                       record.group.mutable_datetime_stored());
  }
  return true;
}

std::vector<v1::Group> GroupStore::All() const {
  EnsureSeeded();
  absl::ReaderMutexLock lock(&mutex_);
  std::vector<v1::Group> groups;
  groups.reserve(records_.size());
  for (const Record& record : records_) groups.push_back(record.group);
  return groups;
}

}  // namespace ucgate::emulator
