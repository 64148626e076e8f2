#include "service/emulator/file_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ucgate::emulator {

namespace v1 = ::uploadcare::gateway::v1;

// The project's files in one ordering, restricted to a filter. Positions index
// the whole ordering; `Matches` tells which belong to the filtered list.
class FileStore::View final : public OrderedListing {
 public:
  View(const std::vector<Record>& records, const std::vector<uint32_t>& order,
       FileOrdering ordering, const FileListQuery& query)
      : records_(records),
        order_(order),
        descending_(ordering == FileOrdering::kUploadedDesc ||
                    ordering == FileOrdering::kSizeDesc),
        by_size_(ordering == FileOrdering::kSizeAsc ||
                 ordering == FileOrdering::kSizeDesc),
        stored_(query.stored),
        removed_(query.removed) {}

  int64_t size() const override { return static_cast<int64_t>(order_.size()); }
  bool descending() const override { return descending_; }
  uint32_t Id(int64_t position) const {
    return descending_ ? order_[order_.size() - 1 - position]
                       : order_[position];
  }
  const Record& At(int64_t position) const { return records_[Id(position)]; }
  int64_t Key(int64_t position) const override {
    const Record& record = At(position);
    return by_size_ ? record.size : record.uploaded_us;
  }
  bool Matches(int64_t position) const override {
    const Record& record = At(position);
    if ((record.removed_us != 0) != removed_) return false;
    return !stored_ || (record.stored_us != 0) == *stored_;
  }

 private:
  const std::vector<Record>& records_;
  const std::vector<uint32_t>& order_;
  bool descending_;
  bool by_size_;
  std::optional<bool> stored_;
  bool removed_;
};

FileStore::FileStore(FileStoreOptions options)
    : options_(std::move(options)),
      uuid_rng_(options_.seed ^ 0xC0FFEE15C0FFEE15ULL) {
  absl::MutexLock lock(&mutex_);
  int count = std::max(0, options_.seed_files);
  records_.reserve(count);
  by_uploaded_.reserve(count);
  index_.reserve(count);
  SeedTimeline timeline(options_.seed);
  for (int i = 0; i < count; ++i) {
    SeededBasics basics = timeline.Next(static_cast<uint32_t>(i));
    Record record{basics.uuid,       basics.uploaded_us, basics.stored_us,
                  basics.removed_us, basics.size,        -1};
    // A 128-bit random collision would only drop a file from lookups.
    index_.emplace(record.uuid, static_cast<uint32_t>(i));
    Count(record, 1);
    records_.push_back(record);
    by_uploaded_.push_back(static_cast<uint32_t>(i));  // already in order
  }
}

void FileStore::Count(const Record& record, int delta) {
  counts_[record.removed_us != 0][record.stored_us != 0] += delta;
}

std::optional<uint32_t> FileStore::Find(absl::string_view uuid) const {
  Uuid128 key;
  if (!ParseUuid(uuid, &key)) return std::nullopt;
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

v1::File FileStore::Materialize(uint32_t id) const {
  const Record& record = records_[id];
  v1::File file;
  if (record.custom < 0) {
    SeededBasics basics{record.uuid, record.uploaded_us, record.stored_us,
                        record.removed_us, record.size};
    MaterializeSeededFile(options_.seed, id, basics, options_.base_url, &file);
    return file;
  }
  file = *custom_[record.custom];
  if (record.stored_us != 0) {
    SetTimestampMicros(record.stored_us, file.mutable_datetime_stored());
  } else {
    file.clear_datetime_stored();
  }
  if (record.removed_us != 0) {
    SetTimestampMicros(record.removed_us, file.mutable_datetime_removed());
  } else {
    file.clear_datetime_removed();
  }
  return file;
}

void FileStore::AppendJson(uint32_t id,
                           const restapi::FileJsonOptions& json_options,
                           std::string* out) const {
  restapi::AppendFileJson(Materialize(id), json_options, out);
}

void FileStore::EnsureSizeOrder() const {
  absl::MutexLock lock(&mutex_);
  if (by_size_valid_) return;
  by_size_ = by_uploaded_;
  std::sort(by_size_.begin(), by_size_.end(), [&](uint32_t a, uint32_t b) {
    const Record& x = records_[a];
    const Record& y = records_[b];
    return x.size != y.size ? x.size < y.size : a < b;
  });
  by_size_valid_ = true;
}

FileListPage FileStore::List(
    const FileListQuery& query,
    const restapi::FileJsonOptions& json_options) const {
  bool by_size = query.ordering == FileOrdering::kSizeAsc ||
                 query.ordering == FileOrdering::kSizeDesc;
  while (true) {
    if (by_size) EnsureSizeOrder();
    absl::ReaderMutexLock lock(&mutex_);
    // A file added between the two locks invalidates the size order again.
    if (by_size && !by_size_valid_) continue;
    return ListLocked(query, json_options, by_size);
  }
}

FileListPage FileStore::ListLocked(const FileListQuery& query,
                                   const restapi::FileJsonOptions& json_options,
                                   bool by_size) const {
  View view(records_, by_size ? by_size_ : by_uploaded_, query.ordering, query);
  CursorQuery cursor_query;
  cursor_query.from = query.from;
  cursor_query.to = query.to;
  cursor_query.offset = query.offset;
  cursor_query.limit = query.limit;
  CursorPage cursor_page = PageByCursor(view, cursor_query);
  const std::vector<int64_t>& page = cursor_page.positions;

  FileListPage result;
  result.next = cursor_page.next;
  result.previous = cursor_page.previous;
  result.results_json.push_back('[');
  for (size_t i = 0; i < page.size(); ++i) {
    if (i > 0) result.results_json.push_back(',');
    AppendJson(view.Id(page[i]), json_options, &result.results_json);
  }
  result.results_json.push_back(']');
  result.count = static_cast<int>(page.size());

  for (int stored = 0; stored < 2; ++stored) {
    if (!query.stored || *query.stored == (stored == 1)) {
      result.total += counts_[query.removed ? 1 : 0][stored];
    }
  }
  result.totals.removed = counts_[1][0] + counts_[1][1];
  result.totals.stored = counts_[0][1];
  result.totals.unstored = counts_[0][0];
  return result;
}

absl::Status FileStore::AppendFileJson(
    absl::string_view uuid, const restapi::FileJsonOptions& json_options,
    std::string* out) const {
  absl::ReaderMutexLock lock(&mutex_);
  std::optional<uint32_t> id = Find(uuid);
  if (!id) return absl::NotFoundError("Not found.");
  AppendJson(*id, json_options, out);
  return absl::OkStatus();
}

std::optional<v1::File> FileStore::Get(absl::string_view uuid) const {
  absl::ReaderMutexLock lock(&mutex_);
  std::optional<uint32_t> id = Find(uuid);
  if (!id) return std::nullopt;
  return Materialize(*id);
}

absl::Status FileStore::Store(absl::string_view uuid, absl::Time now) {
  absl::MutexLock lock(&mutex_);
  std::optional<uint32_t> id = Find(uuid);
  if (!id || records_[*id].removed_us != 0) {
    return absl::NotFoundError("Not found.");
  }
  Record& record = records_[*id];
  if (record.stored_us == 0) {
    Count(record, -1);
    record.stored_us = absl::ToUnixMicros(now);
    Count(record, 1);
  }
  return absl::OkStatus();
}

absl::Status FileStore::Delete(absl::string_view uuid, absl::Time now) {
  absl::MutexLock lock(&mutex_);
  std::optional<uint32_t> id = Find(uuid);
  if (!id) return absl::NotFoundError("Not found.");
  Record& record = records_[*id];
  if (record.removed_us != 0) return absl::OkStatus();
  Count(record, -1);
  record.removed_us = absl::ToUnixMicros(now);
  record.stored_us = 0;
  Count(record, 1);
  if (record.custom >= 0) custom_[record.custom]->clear_original_file_url();
  return absl::OkStatus();
}

Uuid128 FileStore::NewUuid() {
  while (true) {
    Uuid128 uuid = RandomUuid(uuid_rng_);
    if (!index_.contains(uuid)) return uuid;
  }
}

uint32_t FileStore::Insert(Record record, v1::File file) {
  auto existing = index_.find(record.uuid);
  if (existing != index_.end()) {
    // Replace in place: same id, possibly a new position in upload order.
    uint32_t id = existing->second;
    Record& old = records_[id];
    Count(old, -1);
    if (old.custom >= 0) {
      record.custom = old.custom;
      *custom_[old.custom] = std::move(file);
    } else {
      record.custom = static_cast<int32_t>(custom_.size());
      custom_.push_back(std::make_unique<v1::File>(std::move(file)));
    }
    by_uploaded_.erase(std::find(by_uploaded_.begin(), by_uploaded_.end(), id));
    old = record;
    Count(old, 1);
    auto at = std::upper_bound(by_uploaded_.begin(), by_uploaded_.end(), id,
                               [&](uint32_t a, uint32_t b) {
                                 const Record& x = records_[a];
                                 const Record& y = records_[b];
                                 return x.uploaded_us != y.uploaded_us
                                            ? x.uploaded_us < y.uploaded_us
                                            : a < b;
                               });
    by_uploaded_.insert(at, id);
    by_size_valid_ = false;
    return id;
  }
  uint32_t id = static_cast<uint32_t>(records_.size());
  record.custom = static_cast<int32_t>(custom_.size());
  custom_.push_back(std::make_unique<v1::File>(std::move(file)));
  records_.push_back(record);
  index_.emplace(record.uuid, id);
  Count(record, 1);
  // New ids are the largest, so they go after equal upload times.
  auto at =
      std::upper_bound(by_uploaded_.begin(), by_uploaded_.end(),
                       record.uploaded_us, [&](int64_t uploaded, uint32_t b) {
                         return uploaded < records_[b].uploaded_us;
                       });
  by_uploaded_.insert(at, id);
  by_size_valid_ = false;
  return id;
}

absl::StatusOr<v1::File> FileStore::CopyLocal(
    absl::string_view source_uuid, absl::string_view source_path, bool store,
    const std::map<std::string, std::string>& metadata, absl::Time now) {
  absl::MutexLock lock(&mutex_);
  std::optional<uint32_t> source_id = Find(source_uuid);
  if (!source_id) return absl::NotFoundError("source not found");
  if (records_[*source_id].removed_us != 0) {
    return absl::FailedPreconditionError("source removed");
  }
  v1::File source = Materialize(*source_id);

  Record record;
  record.uuid = NewUuid();
  record.uploaded_us = absl::ToUnixMicros(now);
  record.stored_us = store ? record.uploaded_us : 0;
  record.size = 0;

  std::string uuid = FormatUuid(record.uuid);
  v1::File copy;
  copy.set_uuid(uuid);
  copy.set_original_filename(source.original_filename());
  copy.set_size(0);
  copy.set_mime_type("application/octet-stream");
  copy.set_is_ready(true);
  SetTimestampMicros(record.uploaded_us, copy.mutable_datetime_uploaded());
  copy.set_url(absl::StrCat(options_.base_url, "/files/", uuid, "/"));
  copy.set_original_file_url(absl::StrCat("https://ucarecdn.com/", uuid, "/",
                                          source.original_filename()));
  copy.set_source(std::string(source_path));
  for (const auto& [key, value] : metadata)
    (*copy.mutable_metadata())[key] = value;
  uint32_t id = Insert(record, copy);
  return Materialize(id);
}

bool FileStore::RecordRemoteCopy(const std::string& key) {
  absl::MutexLock lock(&mutex_);
  return remote_copies_.insert(key).second;
}

v1::File FileStore::Add(v1::File file, absl::Time now) {
  absl::MutexLock lock(&mutex_);
  return AddLocked(std::move(file), now);
}

absl::StatusOr<v1::File> FileStore::Update(
    absl::string_view uuid, absl::FunctionRef<absl::Status(v1::File&)> mutate,
    absl::Time now) {
  absl::MutexLock lock(&mutex_);
  std::optional<uint32_t> id = Find(uuid);
  if (!id) return absl::NotFoundError("Not found.");
  v1::File file = Materialize(*id);
  if (absl::Status status = mutate(file); !status.ok()) return status;
  return AddLocked(std::move(file), now);
}

v1::File FileStore::AddLocked(v1::File file, absl::Time now) {
  Record record;
  if (!ParseUuid(file.uuid(), &record.uuid)) {
    record.uuid = NewUuid();
    file.set_uuid(FormatUuid(record.uuid));
  }
  file.set_uuid(FormatUuid(record.uuid));  // canonical lower case
  if (!file.has_datetime_uploaded()) {
    SetTimestampMicros(absl::ToUnixMicros(now),
                       file.mutable_datetime_uploaded());
  }
  if (file.url().empty()) {
    file.set_url(absl::StrCat(options_.base_url, "/files/", file.uuid(), "/"));
  }
  record.uploaded_us = TimestampMicros(file.datetime_uploaded());
  record.stored_us =
      file.has_datetime_stored() ? TimestampMicros(file.datetime_stored()) : 0;
  record.removed_us = file.has_datetime_removed()
                          ? TimestampMicros(file.datetime_removed())
                          : 0;
  record.size = file.size();
  uint32_t id = Insert(record, std::move(file));
  return Materialize(id);
}

std::vector<v1::File> FileStore::All() const {
  absl::ReaderMutexLock lock(&mutex_);
  std::vector<v1::File> files;
  files.reserve(by_uploaded_.size());
  for (uint32_t id : by_uploaded_) files.push_back(Materialize(id));
  return files;
}

}  // namespace ucgate::emulator
