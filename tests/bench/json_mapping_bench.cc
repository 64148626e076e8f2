// JSON -> proto mapping of a 1,000-file v0.7 page: ucgate_restapi's simdjson
// On-Demand parser against protobuf's util::JsonStringToMessage on the same
// bytes, in one run.
//
// For a fair comparison protobuf parses into a "mirror" of the upstream page:
// a message built at run time whose fields carry the upstream JSON names
// (next, previous, total, totals, per_page, results) and whose results are
// uploadcare.gateway.v1.File, whose fields already bear the v0.7 names. Both
// sides therefore produce the same typed File messages (checked below); a
// second protobuf row parses into google.protobuf.Struct, the untyped bound.
//
// Usage: json_mapping_bench [--quick | --profile]
//   --quick    a few iterations (the ctest smoke run)
//   --profile  only the gateway's path (heap messages) for 5 s, for a profiler
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "service/restapi/file_json.h"
#include "tests/restapi/sample_files.h"

namespace {

namespace v1 = ::uploadcare::gateway::v1;
namespace pb = ::google::protobuf;
using Clock = std::chrono::steady_clock;

constexpr int kFilesPerPage = 1000;

// The page as the upstream sends it: include=appdata, so the images that
// have add-on results carry them.
std::string BuildPage() {
  std::string body =
      R"({"next":"https://api.uploadcare.com/files/?limit=1000&from=2022-09-28T15%3A53%3A36.082137%2B00%3A00","previous":null,"total":2500,"totals":{"removed":0,"stored":1666,"unstored":834},"per_page":1000,"results":[)";
  ucgate::restapi::FileJsonOptions options;
  options.version = ucgate::ApiVersion::kV07;
  options.include_appdata = true;
  for (int i = 0; i < kFilesPerPage; ++i) {
    if (i > 0) body.push_back(',');
    ucgate::restapi::AppendFileJson(ucgate::restapi::testing::SampleFile(i),
                                    options, &body);
  }
  body.append("]}");
  return body;
}

// uploadcare.gateway.v1 mirror of the upstream page, in a pool layered over
// the generated one so that `results` holds generated File messages.
class MirrorPage {
 public:
  MirrorPage() : pool_(pb::DescriptorPool::generated_pool()) {
    pb::FileDescriptorProto file;
    file.set_name("ucgate_bench/upstream_page.proto");
    file.set_package("ucgate_bench");
    file.set_syntax("proto3");
    file.add_dependency("uploadcare/gateway/v1/file.proto");
    file.add_dependency("uploadcare/gateway/v1/file_service.proto");
    pb::DescriptorProto* page = file.add_message_type();
    page->set_name("UpstreamPage");
    int number = 1;
    const auto add = [&](const char* name, pb::FieldDescriptorProto::Type type,
                         const char* type_name, bool repeated) {
      pb::FieldDescriptorProto* field = page->add_field();
      field->set_name(name);
      field->set_number(number++);
      field->set_type(type);
      field->set_label(repeated ? pb::FieldDescriptorProto::LABEL_REPEATED
                                : pb::FieldDescriptorProto::LABEL_OPTIONAL);
      if (type_name != nullptr) field->set_type_name(type_name);
    };
    add("next", pb::FieldDescriptorProto::TYPE_STRING, nullptr, false);
    add("previous", pb::FieldDescriptorProto::TYPE_STRING, nullptr, false);
    add("total", pb::FieldDescriptorProto::TYPE_INT64, nullptr, false);
    add("totals", pb::FieldDescriptorProto::TYPE_MESSAGE,
        ".uploadcare.gateway.v1.FileTotals", false);
    add("per_page", pb::FieldDescriptorProto::TYPE_INT64, nullptr, false);
    add("results", pb::FieldDescriptorProto::TYPE_MESSAGE,
        ".uploadcare.gateway.v1.File", true);
    descriptor_ = pool_.BuildFile(file)->FindMessageTypeByName("UpstreamPage");
    factory_.SetDelegateToGeneratedFactory(true);
    prototype_ = factory_.GetPrototype(descriptor_);
  }

  std::unique_ptr<pb::Message> New() const {
    return std::unique_ptr<pb::Message>(prototype_->New());
  }
  const pb::Descriptor* descriptor() const { return descriptor_; }

 private:
  pb::DescriptorPool pool_;
  pb::DynamicMessageFactory factory_;
  const pb::Descriptor* descriptor_ = nullptr;
  const pb::Message* prototype_ = nullptr;
};

// Seconds of CPU time this thread has used: on a busy machine (the build
// runs beside it on two cores) wall time mostly measures the waits.
double ThreadCpuSeconds() {
  timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec + now.tv_nsec * 1e-9;
}

double WallSeconds() {
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

struct Result {
  const char* name;
  double cpu_seconds;   // Median per page.
  double wall_seconds;  // Median per page.
  double free_seconds;  // Median CPU time to destroy what was built.
};

// Runs `parse` until both `min_iterations` and `min_seconds` are reached.
// `parse` returns what it built (null on failure); its destruction is timed
// apart ("free ms"), since freeing a thousand messages is not parsing.
template <typename Parse>
Result Measure(const char* name, int min_iterations, double min_seconds,
               Parse parse) {
  for (int i = 0; i < 2; ++i) {
    if (parse() == nullptr) {
      std::fprintf(stderr, "%s failed\n", name);
      std::exit(1);
    }
  }
  std::vector<double> cpu, wall, free_cpu;
  const double start = WallSeconds();
  while (static_cast<int>(cpu.size()) < min_iterations ||
         WallSeconds() - start < min_seconds) {
    const double wall_begin = WallSeconds();
    const double cpu_begin = ThreadCpuSeconds();
    std::shared_ptr<void> built = parse();
    const double cpu_parsed = ThreadCpuSeconds();
    const double wall_parsed = WallSeconds();
    if (built == nullptr) {
      std::fprintf(stderr, "%s failed\n", name);
      std::exit(1);
    }
    built.reset();
    // glibc defers part of free(): small chunks wait in "fastbins" until the
    // next large allocation merges them, which would bill this page's frees
    // to the next parse (about a fifth of it). One large allocation here
    // settles them inside the free timing, where they belong. Through a
    // volatile pointer: the compiler deletes a plain free(malloc(n)).
    void* volatile settle = std::malloc(64 * 1024);
    std::free(settle);
    cpu.push_back(cpu_parsed - cpu_begin);
    wall.push_back(wall_parsed - wall_begin);
    free_cpu.push_back(ThreadCpuSeconds() - cpu_parsed);
  }
  return {name, Median(cpu), Median(wall), Median(free_cpu)};
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const bool profile = argc > 1 && std::strcmp(argv[1], "--profile") == 0;
  const int min_iterations = quick ? 3 : 30;
  const double min_seconds = quick ? 0.0 : profile ? 5.0 : 2.0;

  // The HTTP client hands bodies over with spare capacity for in-place parsing.
  std::string body = BuildPage();
  body.reserve(body.size() + 64);
  const double megabytes = body.size() / 1e6;

  // Both parsers must produce the same files before their speed matters.
  v1::ListFilesResponse ours;
  std::string next;
  if (!ucgate::restapi::ParseFileListPage(body, &ours, &next).ok() ||
      ours.files_size() != kFilesPerPage) {
    std::fprintf(stderr, "ucgate_restapi could not parse the page\n");
    return 1;
  }
  MirrorPage mirror;
  pb::util::JsonParseOptions json_options;
  std::unique_ptr<pb::Message> theirs = mirror.New();
  const pb::util::Status mirror_status =
      pb::util::JsonStringToMessage(body, theirs.get(), json_options);
  if (!mirror_status.ok()) {
    std::fprintf(stderr, "protobuf could not parse the page: %s\n",
                 mirror_status.ToString().c_str());
    return 1;
  }
  const pb::FieldDescriptor* results =
      mirror.descriptor()->FindFieldByName("results");
  const pb::Reflection* reflection = theirs->GetReflection();
  int identical = 0;
  for (int i = 0; i < kFilesPerPage; ++i) {
    identical += pb::util::MessageDifferencer::Equals(
        ours.files(i), reflection->GetRepeatedMessage(*theirs, results, i));
  }
  if (identical != kFilesPerPage) {
    std::fprintf(stderr, "the parsers disagree on %d of %d files\n",
                 kFilesPerPage - identical, kFilesPerPage);
    return 1;
  }

  std::vector<Result> rows;
  rows.push_back(Measure(
      "restapi ParseFileListPage (simdjson)", min_iterations * 5, min_seconds,
      [&]() -> std::shared_ptr<void> {
        auto page = std::make_shared<v1::ListFilesResponse>();
        std::string next_url;
        if (!ucgate::restapi::ParseFileListPage(body, page.get(), &next_url)
                 .ok() ||
            page->files_size() != kFilesPerPage) {
          return nullptr;
        }
        return page;
      }));
  if (profile) {
    std::printf("ucgate_restapi heap path: %.1f MB/s cpu\n",
                megabytes / rows[0].cpu_seconds);
    return 0;
  }
  rows.push_back(Measure(
      "  same, into an arena", min_iterations * 5, min_seconds,
      [&]() -> std::shared_ptr<void> {
        auto arena = std::make_shared<pb::Arena>();
        auto* page =
            pb::Arena::CreateMessage<v1::ListFilesResponse>(arena.get());
        std::string next_url;
        if (!ucgate::restapi::ParseFileListPage(body, page, &next_url).ok() ||
            page->files_size() != kFilesPerPage) {
          return nullptr;
        }
        return arena;
      }));
  rows.push_back(Measure(
      "protobuf JsonStringToMessage (mirror)", min_iterations, min_seconds,
      [&]() -> std::shared_ptr<void> {
        std::shared_ptr<pb::Message> page = mirror.New();
        if (!pb::util::JsonStringToMessage(body, page.get(), json_options)
                 .ok()) {
          return nullptr;
        }
        return page;
      }));
  rows.push_back(Measure(
      "protobuf JsonStringToMessage (Struct)", min_iterations, min_seconds,
      [&]() -> std::shared_ptr<void> {
        auto page = std::make_shared<pb::Struct>();
        if (!pb::util::JsonStringToMessage(body, page.get(), json_options)
                 .ok()) {
          return nullptr;
        }
        return page;
      }));

  std::printf(
      "JSON -> proto, one v0.7 page of %d files, %zu bytes "
      "(MB = 10^6 bytes)%s\n",
      kFilesPerPage, body.size(), quick ? " [quick run]" : "");
  std::printf("%-40s %10s %10s %10s %10s %12s\n", "parser (medians)",
              "MB/s cpu", "MB/s wall", "ms/page", "free ms", "MB/s w/free");
  for (const Result& row : rows) {
    std::printf("%-40s %10.1f %10.1f %10.3f %10.3f %12.1f\n", row.name,
                megabytes / row.cpu_seconds, megabytes / row.wall_seconds,
                row.cpu_seconds * 1e3, row.free_seconds * 1e3,
                megabytes / (row.cpu_seconds + row.free_seconds));
  }
  std::printf(
      "ratio ucgate_restapi / protobuf (mirror): %.1fx cpu, %.1fx wall\n",
      rows[2].cpu_seconds / rows[0].cpu_seconds,
      rows[2].wall_seconds / rows[0].wall_seconds);
  std::printf(
      "ratio ucgate_restapi / protobuf (Struct): %.1fx cpu, %.1fx wall\n",
      rows[3].cpu_seconds / rows[0].cpu_seconds,
      rows[3].wall_seconds / rows[0].wall_seconds);
  std::printf("both parsers agree on all %d files\n", kFilesPerPage);
  return 0;
}
