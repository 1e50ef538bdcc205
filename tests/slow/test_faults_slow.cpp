// The fault bar at full count: kill -9 at 50 random points of a solve replacing earlier results.
#include <gtest/gtest.h>

#include "test_faults_util.h"

namespace dfd {
namespace {

TEST(FaultsSlow, KillNineAtFiftyRandomPointsNeverLeavesAFinishedLookingPartialFolder) {
  faults_testing::kill_at_random_points(50);
}

}  // namespace
}  // namespace dfd
