// ResNet is forward Euler: the block computes u + f(u) from its own field.
#include <gtest/gtest.h>

#include <set>

#include "analysis/scheme_verification.h"
#include "architectures/fields.h"
#include "architectures/presets.h"
#include "core/error.h"
#include "discretizations/forward_euler.h"
#include "discretizations/fractal.h"
#include "discretizations/linear_multistep.h"
#include "discretizations/polynet.h"
#include "discretizations/reversible.h"
#include "discretizations/stochastic_depth.h"
#include "tests/discretizations/step_fixtures.h"
#include "tests/support/test_support.h"

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
