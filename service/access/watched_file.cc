#include "service/access/watched_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "service/common/log.h"

namespace ucgate::access {
namespace {

// How often a set is read again when it keeps changing under the reader.
constexpr int kConsistentReadAttempts = 3;
// File times tick coarsely: a stamp this close to the read may hide a later
// write of the same size.
constexpr int64_t kRacyWindowNs = 1000000000;

absl::Status FileError(const std::string& path, absl::string_view what) {
  return absl::FailedPreconditionError(absl::StrCat("'", path, "' ", what));
}

absl::StatusOr<FileStamp> StampOf(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    return FileError(path, absl::StrCat("cannot be read: ", strerror(errno)));
  }
  FileStamp stamp;
  stamp.device = info.st_dev;
  stamp.inode = info.st_ino;
  stamp.size = info.st_size;
  stamp.mtime_ns =
      int64_t{info.st_mtim.tv_sec} * 1000000000 + info.st_mtim.tv_nsec;
  stamp.ctime_ns =
      int64_t{info.st_ctim.tv_sec} * 1000000000 + info.st_ctim.tv_nsec;
  return stamp;
}

absl::StatusOr<std::vector<FileStamp>> StampsOf(
    const std::vector<std::string>& paths) {
  std::vector<FileStamp> stamps;
  for (const std::string& path : paths) {
    absl::StatusOr<FileStamp> stamp = StampOf(path);
    if (!stamp.ok()) return stamp.status();
    stamps.push_back(*stamp);
  }
  return stamps;
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return FileError(path, absl::StrCat("cannot be read: ", strerror(errno)));
  }
  std::string contents;
  char buffer[8192];
  absl::Status status;
  while (true) {
    const ssize_t got = ::read(fd, buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      status =
          FileError(path, absl::StrCat("cannot be read: ", strerror(errno)));
      break;
    }
    if (got == 0) break;
    contents.append(buffer, static_cast<size_t>(got));
    if (contents.size() > WatchedFiles::kMaxFileBytes) {
      status =
          FileError(path, absl::StrCat("is larger than ",
                                       WatchedFiles::kMaxFileBytes, " bytes"));
      break;
    }
  }
  ::close(fd);
  if (!status.ok()) return status;
  if (absl::StripAsciiWhitespace(contents).empty()) {
    return FileError(path, "is empty");
  }
  return contents;
}

}  // namespace

WatchedFiles::WatchedFiles(std::vector<std::string> paths)
    : paths_(std::move(paths)) {}

absl::StatusOr<std::optional<std::vector<std::string>>>
WatchedFiles::ReadIfChanged() {
  for (int attempt = 0; attempt < kConsistentReadAttempts; ++attempt) {
    absl::StatusOr<std::vector<FileStamp>> before = StampsOf(paths_);
    if (!before.ok()) return before.status();
    if (!racy_ && !stamps_.empty() && *before == stamps_) return std::nullopt;
    std::vector<std::string> contents;
    std::string digests;  // Of each file, so the set's digest is unambiguous.
    for (const std::string& path : paths_) {
      absl::StatusOr<std::string> content = ReadWholeFile(path);
      if (!content.ok()) return content.status();
      const Sha256Digest file_digest = Sha256(*content);
      digests.append(reinterpret_cast<const char*>(file_digest.data()),
                     file_digest.size());
      contents.push_back(*std::move(content));
    }
    absl::StatusOr<std::vector<FileStamp>> after = StampsOf(paths_);
    if (!after.ok()) return after.status();
    if (*after != *before) continue;

    const int64_t now_ns = absl::ToUnixNanos(absl::Now());
    racy_ = false;
    for (const FileStamp& stamp : *after) {
      racy_ = racy_ || stamp.mtime_ns > now_ns - kRacyWindowNs ||
              stamp.ctime_ns > now_ns - kRacyWindowNs;
    }
    stamps_ = *std::move(after);
    const Sha256Digest digest = Sha256(digests);
    if (digest_ == digest) return std::nullopt;
    digest_ = digest;
    return contents;
  }
  return absl::UnavailableError(absl::StrCat(
      "'", absl::StrJoin(paths_, "', '"), "' kept changing while being read"));
}

FileBackedValue::FileBackedValue(std::string description,
                                 std::vector<std::string> paths)
    : description_(std::move(description)), files_(std::move(paths)) {}

absl::Status FileBackedValue::LoadInitial() {
  absl::MutexLock lock(&poll_mutex_);
  absl::StatusOr<std::optional<std::vector<std::string>>> contents =
      files_.ReadIfChanged();
  absl::Status status = contents.ok() ? Accept(**contents) : contents.status();
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(description_, ": ", status.message()));
  }
  return absl::OkStatus();
}

bool FileBackedValue::Poll() {
  absl::MutexLock lock(&poll_mutex_);
  absl::StatusOr<std::optional<std::vector<std::string>>> contents =
      files_.ReadIfChanged();
  absl::Status status;
  if (!contents.ok()) {
    status = contents.status();
  } else if (!contents->has_value()) {
    return false;
  } else {
    status = Accept(**contents);
    // Contents that did not parse may be a half-written file: read again
    // on the next poll rather than wait for the next change.
    if (!status.ok()) files_.MarkStale();
  }
  if (reload_observer_) reload_observer_(status.ok());

  absl::MutexLock error_lock(&error_mutex_);
  if (status.ok()) {
    last_error_ = absl::OkStatus();
    UCGATE_LOG(kInfo, "reloaded ", description_, " from '",
               absl::StrJoin(files_.paths(), "', '"), "'");
    return true;
  }
  // One line per distinct error, not one per poll.
  if (status.message() != last_error_.message()) {
    UCGATE_LOG(kError, description_, ": ", status.message(),
               "; keeping the last good value");
  }
  last_error_ = status;
  return false;
}

void FileBackedValue::MarkStale() {
  absl::MutexLock lock(&poll_mutex_);
  files_.MarkStale();
}

absl::Status FileBackedValue::last_error() const {
  absl::MutexLock lock(&error_mutex_);
  return last_error_;
}

void FileReloader::Add(std::weak_ptr<Reloadable> value) {
  absl::MutexLock lock(&mutex_);
  values_.push_back(std::move(value));
}

int FileReloader::PollAll() {
  std::vector<std::shared_ptr<Reloadable>> live;
  {
    absl::MutexLock lock(&mutex_);
    std::vector<std::weak_ptr<Reloadable>> kept;
    for (std::weak_ptr<Reloadable>& weak : values_) {
      if (std::shared_ptr<Reloadable> value = weak.lock()) {
        live.push_back(std::move(value));
        kept.push_back(std::move(weak));
      }
    }
    values_ = std::move(kept);
  }
  // Polled outside the lock: a slow file system must not block Add().
  int changed = 0;
  for (const std::shared_ptr<Reloadable>& value : live) {
    if (value->Poll()) ++changed;
  }
  return changed;
}

void FileReloader::MarkAllStale() {
  absl::MutexLock lock(&mutex_);
  for (const std::weak_ptr<Reloadable>& weak : values_) {
    if (std::shared_ptr<Reloadable> value = weak.lock()) value->MarkStale();
  }
}

void FileReloader::Start(RunAfterFunction run_after, absl::Duration interval) {
  {
    absl::MutexLock lock(&mutex_);
    run_after_ = std::move(run_after);
    interval_ = interval;
    running_ = true;
    ++generation_;
  }
  ScheduleNext();
}

void FileReloader::Stop() {
  absl::MutexLock lock(&mutex_);
  running_ = false;
  ++generation_;
}

void FileReloader::ScheduleNext() {
  RunAfterFunction run_after;
  absl::Duration interval;
  uint64_t generation;
  {
    absl::MutexLock lock(&mutex_);
    if (!running_) return;
    run_after = run_after_;
    interval = interval_;
    generation = generation_;
  }
  std::weak_ptr<FileReloader> weak_self = weak_from_this();
  run_after(interval, [weak_self, generation] {
    std::shared_ptr<FileReloader> self = weak_self.lock();
    if (!self) return;
    {
      absl::MutexLock lock(&self->mutex_);
      if (!self->running_ || self->generation_ != generation) return;
    }
    self->PollAll();
    self->ScheduleNext();
  });
}

}  // namespace ucgate::access
