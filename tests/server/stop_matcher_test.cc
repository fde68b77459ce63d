// Stop strings over streamed pieces: nothing of a stop string is ever sent, everything else is.
#include "server/stop_matcher.h"

#include <gtest/gtest.h>

namespace densing::server {
namespace {

// Feeds `pieces` one by one and returns what was sent, with a trailing Flush when no stop hit.
std::string Feed(std::vector<std::string> stops, const std::vector<std::string>& pieces,
                 bool* stopped = nullptr) {
  StopMatcher m(std::move(stops));
  std::string out;
  for (const std::string& p : pieces) out += m.Push(p);
  if (!m.stopped()) out += m.Flush();
  if (stopped) *stopped = m.stopped();
  return out;
}

TEST(StopMatcher, NoStopsPassesEverything) {
  StopMatcher m;
  EXPECT_EQ(m.Push("abc"), "abc");
  EXPECT_EQ(m.Flush(), "");
  EXPECT_FALSE(m.stopped());
}

TEST(StopMatcher, CutsAtTheStopAcrossPieces) {
  bool stopped = false;
  EXPECT_EQ(Feed({"END"}, {"hello E", "N", "D more"}, &stopped), "hello ");
  EXPECT_TRUE(stopped);
  EXPECT_EQ(Feed({"\n\n"}, {"a\n", "\nb"}, &stopped), "a");
  EXPECT_TRUE(stopped);
}

TEST(StopMatcher, HoldsBackOnlyWhatMayBecomeAStop) {
  StopMatcher m({"END"});
  EXPECT_EQ(m.Push("abcE"), "abc");
  EXPECT_EQ(m.Push("N"), "");
  EXPECT_EQ(m.Push("x"), "ENx");  // it was not a stop after all
  EXPECT_FALSE(m.stopped());
  EXPECT_EQ(m.Push("EN"), "");
  EXPECT_EQ(m.Flush(), "EN");  // the end of generation releases the tail
}

TEST(StopMatcher, EarliestOfSeveralStopsWins) {
  bool stopped = false;
  EXPECT_EQ(Feed({"world", "lo w"}, {"hel", "lo world"}, &stopped), "hel");
  EXPECT_TRUE(stopped);
  EXPECT_EQ(Feed({"xyz", "b"}, {"aaab"}, &stopped), "aaa");
}

TEST(StopMatcher, NothingAfterAStop) {
  StopMatcher m({"."});
  EXPECT_EQ(m.Push("one. two"), "one");
  EXPECT_TRUE(m.stopped());
  EXPECT_EQ(m.Push("three"), "");
  EXPECT_EQ(m.Flush(), "");
}

TEST(StopMatcher, SelfOverlappingStop) {
  bool stopped = false;
  EXPECT_EQ(Feed({"aab"}, {"a", "a", "a", "b", "c"}, &stopped), "a");
  EXPECT_TRUE(stopped);
}

}  // namespace
}  // namespace densing::server
