// The writer toolkit: string escaping, and the commas and colons JsonWriter
// places between values however they nest.
#include "service/restapi/json_writer.h"

#include <cmath>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ucgate::restapi {
namespace {

std::string JsonString(absl::string_view text) {
  std::string out;
  AppendJsonString(text, &out);
  return out;
}

TEST(AppendJsonStringTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonString("plain"), "\"plain\"");
  EXPECT_EQ(JsonString(""), "\"\"");
  EXPECT_EQ(JsonString("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(JsonString("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(JsonString(absl::string_view("\x01\x1f\0", 3)),
            R"("\u0001\u001f\u0000")");
}

TEST(AppendJsonStringTest, KeepsUtf8AndSlashesAsTheyAre) {
  EXPECT_EQ(JsonString("caf\xC3\xA9 / \xF0\x9F\x90\xB1"),
            "\"caf\xC3\xA9 / \xF0\x9F\x90\xB1\"");
}

TEST(AppendJsonStringTest, AppendsToWhatIsThere) {
  std::string out = "x:";
  AppendJsonString("y", &out);
  EXPECT_EQ(out, "x:\"y\"");
}

TEST(JsonWriterTest, PlacesCommasAndColonsInNestedValues) {
  std::string out;
  JsonWriter json(&out);
  json.BeginObject()
      .Key("a")
      .Int(1)
      .Key("b")
      .BeginArray()
      .Bool(true)
      .Null()
      .BeginObject()
      .EndObject()
      .BeginArray()
      .EndArray()
      .String("x")
      .EndArray()
      .Key("c")
      .BeginObject()
      .Key("d")
      .Raw("[1,2]")
      .EndObject()
      .EndObject();
  EXPECT_EQ(out, R"({"a":1,"b":[true,null,{},[],"x"],"c":{"d":[1,2]}})");
}

TEST(JsonWriterTest, KeysAreEscapedLikeStrings) {
  std::string out;
  JsonWriter(&out).BeginObject().Key("a\"b").Int(-7).EndObject();
  EXPECT_EQ(out, R"({"a\"b":-7})");
}

TEST(JsonWriterTest, ValuesAsTheServiceWritesThem) {
  std::string out;
  JsonWriter json(&out);
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(1663590599);
  timestamp.set_nanos(461061000);
  json.BeginArray()
      .StringOrNull("")
      .StringOrNull("s")
      .Double(30.0)
      .Double(97.583984375)
      .Double(std::numeric_limits<double>::quiet_NaN())
      .Double(std::numeric_limits<double>::infinity())
      .Timestamp(timestamp)
      .TimestampOrNull(false, timestamp)
      .EndArray();
  EXPECT_EQ(out, R"([null,"s",30,97.583984375,null,null,)"
                 R"("2022-09-19T12:29:59.461061Z",null])");
}

TEST(JsonWriterTest, StringMapsAreSortedAndArraysKeepTheirOrder) {
  google::protobuf::Map<std::string, std::string> map;
  map["b"] = "two";
  map["a"] = "one";
  map["c"] = "three";
  google::protobuf::RepeatedPtrField<std::string> items;
  items.Add("z");
  items.Add("a");
  std::string out;
  JsonWriter(&out).BeginArray().StringObject(map).StringArray(items).EndArray();
  EXPECT_EQ(out, R"([{"a":"one","b":"two","c":"three"},["z","a"]])");
}

TEST(JsonWriterTest, AppendsToWhatIsThere) {
  std::string out = "x=";
  JsonWriter(&out).BeginObject().Key("k").String("v").EndObject();
  EXPECT_EQ(out, R"(x={"k":"v"})");
}

}  // namespace
}  // namespace ucgate::restapi
