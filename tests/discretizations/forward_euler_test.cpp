// ResNet is forward Euler: the block computes u + f(u) from its own field.
#include <gtest/gtest.h>

#include "tests/discretizations/step_fixtures.h"

namespace odenet {
namespace {

using namespace test;

TEST(Correspondence, ResNetIsForwardEuler) {
  auto step = block({{"name", "forward_euler"}});
  auto u = input();
  EXPECT_LE(max_difference(step->forward(State{u, {}, {}}).u, u + child(*step, "f").forward(u)), 1e-6);
}

}  // namespace
}  // namespace odenet
