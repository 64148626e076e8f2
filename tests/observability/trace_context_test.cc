// traceparent parsing against the W3C Trace Context test suite's vectors
// (w3c/trace-context test/test.py), and the trace a call gets from them.
#include "service/observability/trace_context.h"

#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ucgate::observability {
namespace {

using ::testing::MatchesRegex;
using ::testing::Optional;

constexpr char kTraceId[] = "12345678901234567890123456789012";
constexpr char kParentId[] = "1234567890123456";

Traceparent Expected(uint8_t flags = 1) {
  return Traceparent{kTraceId, kParentId, flags};
}

TEST(ParseTraceparent, AcceptsTheSpecExample) {
  EXPECT_THAT(ParseTraceparent(
                  "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
              Optional(Traceparent{"4bf92f3577b34da6a3ce929d0e0e4736",
                                   "00f067aa0ba902b7", 1}));
  EXPECT_THAT(ParseTraceparent(
                  "00-12345678901234567890123456789012-1234567890123456-00"),
              Optional(Expected(0)));
}

TEST(ParseTraceparent, IgnoresSurroundingSpacesAndTabs) {
  for (const char* header :
       {" 00-12345678901234567890123456789012-1234567890123456-01",
        "\t00-12345678901234567890123456789012-1234567890123456-01",
        "00-12345678901234567890123456789012-1234567890123456-01 ",
        "00-12345678901234567890123456789012-1234567890123456-01\t",
        "\t 00-12345678901234567890123456789012-1234567890123456-01 \t"}) {
    EXPECT_THAT(ParseTraceparent(header), Optional(Expected())) << header;
  }
}

TEST(ParseTraceparent, ReadsFutureVersionsByTheVersion00Layout) {
  EXPECT_THAT(ParseTraceparent(
                  "cc-12345678901234567890123456789012-1234567890123456-01"),
              Optional(Expected()));
  EXPECT_THAT(ParseTraceparent("cc-12345678901234567890123456789012-"
                               "1234567890123456-01-what-the-future-will-be-"
                               "like"),
              Optional(Expected()));
  EXPECT_EQ(ParseTraceparent("cc-12345678901234567890123456789012-"
                             "1234567890123456-01.what-the-future-will-be-"
                             "like"),
            std::nullopt);
}

TEST(ParseTraceparent, RejectsEveryInvalidVectorOfTheSuite) {
  for (const char* header : {
           // version 00 with anything after the flags
           "00-12345678901234567890123456789012-1234567890123456-01.",
           "00-12345678901234567890123456789012-1234567890123456-01-what-the-"
           "future-will-be-like",
           // version ff, illegal, too long, too short
           "ff-12345678901234567890123456789012-1234567890123456-01",
           ".0-12345678901234567890123456789012-1234567890123456-01",
           "0.-12345678901234567890123456789012-1234567890123456-01",
           "000-12345678901234567890123456789012-1234567890123456-01",
           "0000-12345678901234567890123456789012-1234567890123456-01",
           "0-12345678901234567890123456789012-1234567890123456-01",
           // trace id all zero, illegal, too long, too short
           "00-00000000000000000000000000000000-1234567890123456-01",
           "00-.2345678901234567890123456789012-1234567890123456-01",
           "00-1234567890123456789012345678901.-1234567890123456-01",
           "00-123456789012345678901234567890123-1234567890123456-01",
           "00-1234567890123456789012345678901-1234567890123456-01",
           // parent id all zero, illegal, too long, too short
           "00-12345678901234567890123456789012-0000000000000000-01",
           "00-12345678901234567890123456789012-.234567890123456-01",
           "00-12345678901234567890123456789012-123456789012345.-01",
           "00-12345678901234567890123456789012-12345678901234567-01",
           "00-12345678901234567890123456789012-123456789012345-01",
           // flags illegal, too long, too short
           "00-12345678901234567890123456789012-1234567890123456-.0",
           "00-12345678901234567890123456789012-1234567890123456-0.",
           "00-12345678901234567890123456789012-1234567890123456-001",
           "00-12345678901234567890123456789012-1234567890123456-1",
           // upper-case hex (the spec's ids are lower-case), empty, garbage
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
           "",
           "00",
           "00-12345678901234567890123456789012_1234567890123456-01",
       }) {
    EXPECT_EQ(ParseTraceparent(header), std::nullopt) << "'" << header << "'";
  }
}

TEST(StartCallTrace, KeepsAValidCallerTraceWithANewSpan) {
  std::mt19937_64 random(7);
  const absl::string_view header =
      "00-12345678901234567890123456789012-1234567890123456-01";
  const CallTrace trace = StartCallTrace({header}, random);
  EXPECT_TRUE(trace.from_caller);
  EXPECT_EQ(trace.trace_id, kTraceId);
  EXPECT_EQ(trace.parent_span_id, kParentId);
  EXPECT_EQ(trace.flags, 1);
  EXPECT_THAT(trace.span_id, MatchesRegex("[0-9a-f]{16}"));
  EXPECT_NE(trace.span_id, kParentId);
  EXPECT_EQ(trace.ToTraceparent(),
            "00-12345678901234567890123456789012-" + trace.span_id + "-01");
  EXPECT_THAT(ParseTraceparent(trace.ToTraceparent()),
              Optional(Traceparent{kTraceId, trace.span_id, 1}));
}

TEST(StartCallTrace, MakesATraceWhenAbsentInvalidOrRepeated) {
  std::mt19937_64 random(7);
  const absl::string_view valid =
      "00-12345678901234567890123456789012-1234567890123456-01";
  const absl::string_view invalid =
      "00-00000000000000000000000000000000-1234567890123456-01";
  const std::vector<std::vector<absl::string_view>> cases = {
      {}, {invalid}, {valid, valid}};
  for (const auto& headers : cases) {
    const CallTrace trace = StartCallTrace(headers, random);
    EXPECT_FALSE(trace.from_caller);
    EXPECT_THAT(trace.trace_id, MatchesRegex("[0-9a-f]{32}"));
    EXPECT_NE(trace.trace_id, kTraceId);
    EXPECT_THAT(trace.span_id, MatchesRegex("[0-9a-f]{16}"));
    EXPECT_EQ(trace.parent_span_id, "");
    EXPECT_EQ(trace.flags, 0);
    // What the gateway makes is itself a valid traceparent.
    EXPECT_TRUE(ParseTraceparent(trace.ToTraceparent()).has_value());
  }
}

TEST(RandomHexId, NeverAllZero) {
  // A generator of nothing but zero bits.
  struct Zeros {
    using result_type = uint64_t;
    static constexpr uint64_t min() { return 0; }
    static constexpr uint64_t max() { return ~uint64_t{0}; }
    uint64_t operator()() { return 0; }
  } zeros;
  EXPECT_EQ(RandomHexId(8, zeros), "0000000000000001");
  std::mt19937_64 random(1);
  EXPECT_NE(RandomHexId(16, random), RandomHexId(16, random));
}

}  // namespace
}  // namespace ucgate::observability
