// Credentials and configuration that change while the gateway runs: files
// watched by polling and re-parsed when they change, the parsed value
// swapped atomically. Readers take a snapshot (a shared_ptr) for the whole
// call, so a call in flight finishes with the value it started with.
//
// Change detection is stat() with symlinks followed: device, inode, size,
// mtime and ctime. That catches in-place rewrites and Kubernetes' atomic
// update of Secret/ConfigMap volumes (the `..data` symlink swapped to a new
// directory: every file path resolves to a new inode). File times tick
// coarsely (a few ms), so a file modified within a second before it was read
// is "racy" (as git calls it): it is read again on the next poll and its
// contents compared by digest. Polling rather than
// inotify: inotify misses the symlink swap unless the directory is watched,
// and loses every watch when a volume is remounted; a stat per file per
// second costs nothing next to a gRPC call.
//
// A file that turns unreadable, empty or invalid keeps the last good value
// and logs one error line (again only when the error changes).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/access/crypto_util.h"

namespace ucgate::access {

// What the gateway keeps reading: a snapshot of the current value.
template <typename T>
class ValueSource {
 public:
  virtual ~ValueSource() = default;
  virtual std::shared_ptr<const T> Get() const = 0;
};

// A value that never changes (tests, and values given on the command line).
template <typename T>
class FixedValue final : public ValueSource<T> {
 public:
  explicit FixedValue(T value)
      : value_(std::make_shared<const T>(std::move(value))) {}
  std::shared_ptr<const T> Get() const override { return value_; }

 private:
  std::shared_ptr<const T> value_;
};

// stat() of a path, symlinks followed.
struct FileStamp {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  friend bool operator==(const FileStamp& a, const FileStamp& b) {
    return a.device == b.device && a.inode == b.inode && a.size == b.size &&
           a.mtime_ns == b.mtime_ns && a.ctime_ns == b.ctime_ns;
  }
  friend bool operator!=(const FileStamp& a, const FileStamp& b) {
    return !(a == b);
  }
};

// One or more files read as one consistent set (a certificate and its key,
// a public and a secret key): when a file changes while the set is read, the
// set is read again.
class WatchedFiles {
 public:
  static constexpr size_t kMaxFileBytes = 1 << 20;

  explicit WatchedFiles(std::vector<std::string> paths);

  // The contents of every file (in the order given) when any changed since
  // the last read that returned them, or on the first call; nullopt when
  // nothing changed. Errors (missing, unreadable, empty, larger than
  // kMaxFileBytes) name the path, never the contents.
  absl::StatusOr<std::optional<std::vector<std::string>>> ReadIfChanged();
  // The next ReadIfChanged reads whether or not the files changed (SIGHUP,
  // or after contents that did not parse).
  void MarkStale() {
    stamps_.clear();
    digest_.reset();
  }
  const std::vector<std::string>& paths() const { return paths_; }

 private:
  std::vector<std::string> paths_;
  std::vector<FileStamp> stamps_;  // Empty: read on the next call.
  // Of the contents last returned; unset: return whatever is read next.
  std::optional<Sha256Digest> digest_;
  // A file changed too shortly before the last read for its stamp to be
  // trusted.
  bool racy_ = false;
};

// Something the reloader polls.
class Reloadable {
 public:
  virtual ~Reloadable() = default;
  // Reads the files when they changed and takes the new value when it
  // parses; true when a new value took effect.
  virtual bool Poll() = 0;
  virtual void MarkStale() = 0;
  // For log lines: what this is ("JWKS of issuer ...", "config file").
  virtual const std::string& description() const = 0;
};

// The non-template part of ReloadingValue: reading, logging, error
// bookkeeping.
class FileBackedValue : public Reloadable {
 public:
  bool Poll() final;
  void MarkStale() final;
  const std::string& description() const final { return description_; }
  // The error of the last poll that failed since the last good value;
  // OkStatus when the current value is the files' latest contents.
  absl::Status last_error() const;
  // Told after each poll that read changed files: whether their contents
  // took effect (for the reload metrics). Set before polling starts.
  void set_reload_observer(std::function<void(bool took_effect)> observer) {
    absl::MutexLock lock(&poll_mutex_);
    reload_observer_ = std::move(observer);
  }

 protected:
  FileBackedValue(std::string description, std::vector<std::string> paths);
  // Reads and parses now; the value must be valid at start (there is nothing
  // to keep yet).
  absl::Status LoadInitial();
  // Parses `contents`; when valid, makes it the current value.
  virtual absl::Status Accept(const std::vector<std::string>& contents) = 0;

 private:
  const std::string description_;
  absl::Mutex poll_mutex_;  // One poll at a time.
  WatchedFiles files_ ABSL_GUARDED_BY(poll_mutex_);
  std::function<void(bool)> reload_observer_ ABSL_GUARDED_BY(poll_mutex_);
  mutable absl::Mutex error_mutex_;
  absl::Status last_error_ ABSL_GUARDED_BY(error_mutex_);
};

// A value parsed from files, replaced when they change.
template <typename T>
class ReloadingValue final : public FileBackedValue, public ValueSource<T> {
 public:
  // Parses the contents of `paths` (in order). Must not put file contents
  // into its error messages.
  using Parser =
      std::function<absl::StatusOr<T>(const std::vector<std::string>&)>;

  static absl::StatusOr<std::shared_ptr<ReloadingValue>> Load(
      std::string description, std::vector<std::string> paths, Parser parse) {
    std::shared_ptr<ReloadingValue> value(new ReloadingValue(
        std::move(description), std::move(paths), std::move(parse)));
    if (absl::Status status = value->LoadInitial(); !status.ok()) {
      return status;
    }
    return value;
  }

  std::shared_ptr<const T> Get() const override {
    absl::MutexLock lock(&value_mutex_);
    return value_;
  }

 private:
  ReloadingValue(std::string description, std::vector<std::string> paths,
                 Parser parse)
      : FileBackedValue(std::move(description), std::move(paths)),
        parse_(std::move(parse)) {}

  absl::Status Accept(const std::vector<std::string>& contents) override {
    absl::StatusOr<T> parsed = parse_(contents);
    if (!parsed.ok()) return parsed.status();
    auto fresh = std::make_shared<const T>(*std::move(parsed));
    // The old value goes when its last reader lets go of it (here, after the
    // lock is released, unless a call in flight still holds it).
    absl::MutexLock lock(&value_mutex_);
    value_.swap(fresh);
    return absl::OkStatus();
  }

  const Parser parse_;
  mutable absl::Mutex value_mutex_;
  std::shared_ptr<const T> value_ ABSL_GUARDED_BY(value_mutex_);
};

// Runs a task after a delay: the gateway's timer (gateway::Scheduler), or a
// test's manual one.
using RunAfterFunction =
    std::function<void(absl::Duration delay, std::function<void()> task)>;

// Polls every registered value on one timer. Holds them weakly: a value
// nobody uses any more (a JWKS file dropped by a configuration reload) stops
// being polled.
class FileReloader : public std::enable_shared_from_this<FileReloader> {
 public:
  static std::shared_ptr<FileReloader> Create() {
    return std::shared_ptr<FileReloader>(new FileReloader());
  }

  void Add(std::weak_ptr<Reloadable> value);
  // Polls every live value once; returns how many took a new value.
  int PollAll();
  // Every value reads its files on the next poll (SIGHUP).
  void MarkAllStale();
  // PollAll() every `interval` on `run_after`, until Stop() or until the
  // reloader is gone.
  void Start(RunAfterFunction run_after, absl::Duration interval);
  void Stop();

 private:
  FileReloader() = default;
  void ScheduleNext() ABSL_LOCKS_EXCLUDED(mutex_);

  absl::Mutex mutex_;
  std::vector<std::weak_ptr<Reloadable>> values_ ABSL_GUARDED_BY(mutex_);
  RunAfterFunction run_after_ ABSL_GUARDED_BY(mutex_);
  absl::Duration interval_ ABSL_GUARDED_BY(mutex_);
  bool running_ ABSL_GUARDED_BY(mutex_) = false;
  // Bumped by Start/Stop so that a task scheduled before a Stop() does
  // nothing when it runs.
  uint64_t generation_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace ucgate::access
