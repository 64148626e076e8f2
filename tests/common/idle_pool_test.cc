#include "service/common/idle_pool.h"

#include <memory>
#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace ucgate {
namespace {

TEST(IdlePoolTest, EmptyPoolHasNothingToGive) {
  IdlePool<std::string> pool(2);
  EXPECT_FALSE(pool.Take().has_value());
}

TEST(IdlePoolTest, TakesTheMostRecentlyReturnedFirst) {
  IdlePool<std::string> pool(4);
  EXPECT_FALSE(pool.Give("older").has_value());
  EXPECT_FALSE(pool.Give("newer").has_value());
  EXPECT_EQ(pool.Take(), "newer");
  EXPECT_EQ(pool.Take(), "older");
  EXPECT_FALSE(pool.Take().has_value());
}

TEST(IdlePoolTest, HandsBackWhatDoesNotFit) {
  IdlePool<std::unique_ptr<int>> pool(1);
  EXPECT_FALSE(pool.Give(std::make_unique<int>(1)).has_value());
  std::optional<std::unique_ptr<int>> refused =
      pool.Give(std::make_unique<int>(2));
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(**refused, 2);  // the caller destroys it, outside the lock
  EXPECT_EQ(*pool.Take().value(), 1);
}

TEST(IdlePoolTest, TakeIfSkipsObjectsThatDoNotFit) {
  IdlePool<std::string> pool(4);
  EXPECT_FALSE(pool.Give(std::string(100, 'a')).has_value());
  EXPECT_FALSE(pool.Give(std::string(10, 'b')).has_value());
  auto at_least_50 = [](const std::string& s) { return s.size() >= 50; };
  EXPECT_EQ(pool.TakeIf(at_least_50), std::string(100, 'a'));
  EXPECT_FALSE(pool.TakeIf(at_least_50).has_value());
  EXPECT_EQ(pool.Take(), std::string(10, 'b'));  // still there
}

}  // namespace
}  // namespace ucgate
