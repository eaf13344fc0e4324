// RevNet's coupling: its update, exact inverse, transition steps, energy on the oscillator,
// and the even channel split it needs.
#include <gtest/gtest.h>

#include "analysis/scheme_verification.h"
#include "architectures/fields.h"
#include "architectures/presets.h"
#include "core/error.h"
#include "tests/discretizations/step_fixtures.h"

namespace odenet {
namespace {

using namespace test;

TEST(Correspondence, RevNetIsTheReversibleCouplingAndInvertsExactly) {
  auto step = block({{"name", "reversible"}});
  auto u = input();
  auto x = u.narrow(1, 0, kChannels / 2), y = u.narrow(1, kChannels / 2, kChannels / 2);
  auto x_next = x + child(*step, "F").forward(y);
  auto y_next = y + child(*step, "G").forward(x_next);
  auto next = step->forward(State{u, {}, {}}).u;
  EXPECT_LE(max_difference(next, torch::cat({x_next, y_next}, 1)), 1e-6);
  EXPECT_LE(max_difference(step->inverse(State{next, {}, {}}).u, u), 1e-4);  // float32 round trip
}

// A stage transition of each scheme family: RevNet projects both halves, shake-shake mixes
// two strided branches on the projected state (eval: the mean ½(f1 + f2)).
TEST(Correspondence, TransitionStepsOfRevNetAndShakeShake) {
  torch::manual_seed(0);
  auto fields = [](int64_t split) -> FieldFactory {
    return [split](FieldPart part) -> std::shared_ptr<FieldImpl> {
      if (part == FieldPart::kSecond)
        return std::make_shared<BasicFieldImpl>(BasicFieldOptions(2 * kChannels / split, 2 * kChannels / split));
      return std::make_shared<BasicFieldImpl>(BasicFieldOptions(kChannels / split, 2 * kChannels / split).stride(2));
    };
  };
  auto projections = [](int64_t split) -> FieldFactory {
    return [split](FieldPart) -> std::shared_ptr<FieldImpl> {
      return std::make_shared<ShakeSkipProjectionImpl>(kChannels / split, 2 * kChannels / split, 2);
    };
  };
  auto u = input();
  torch::NoGradGuard no_grad;
  auto revnet = build_scheme(scheme_registry(), {{"name", "reversible"}}, "test", "")
                    ->make_transition_step(fields(2), projections(2), StepContext{1.0, 0, 1});
  revnet->eval();
  auto x = u.narrow(1, 0, kChannels / 2), y = u.narrow(1, kChannels / 2, kChannels / 2);
  auto x_next = child(*revnet, "project_x").forward(x) + child(*revnet, "F").forward(y);
  auto y_next = child(*revnet, "project_y").forward(y) + child(*revnet, "G").forward(x_next);
  auto next = revnet->forward(State{u, {}, {}}).u;
  EXPECT_EQ(next.sizes(), (std::vector<int64_t>{2, 2 * kChannels, 3, 3}));
  EXPECT_LE(max_difference(next, torch::cat({x_next, y_next}, 1)), 1e-6);
  EXPECT_THROW(revnet->inverse(State{next, {}, {}}), Error);

  auto shake = build_scheme(scheme_registry(), {{"name", "euler_maruyama"}, {"variant", "shake_shake"}}, "test", "")
                   ->make_transition_step(fields(1), projections(1), StepContext{1.0, 0, 1});
  shake->eval();
  auto expected = child(*shake, "projection").forward(u) + 0.5 * (child(*shake, "f1").forward(u) + child(*shake, "f2").forward(u));
  EXPECT_LE(max_difference(shake->forward(State{u, {}, {}}).u, expected), 1e-6);
}

TEST(Reversible, ReconstructsItsInputAndKeepsTheOscillatorsEnergyBounded) {
  OdeProblem oscillator = make_problem("oscillator");
  auto euler = integrate(*scheme("forward_euler"), oscillator, 1000, 100.0);
  for (const char* method : {"revnet", "verlet"}) {
    auto s = scheme({{"name", "reversible"}, {"method", method}});
    EXPECT_TRUE(s->info().reversible);
    for (int steps : {100, 1000}) {
      auto run = integrate(*s, oscillator, steps, 100.0);
      EXPECT_LE(run.inverse_error, 1e-10) << method << " " << steps;
      EXPECT_LT(run.energy_error, 0.6) << method << " " << steps;  // bounded: ≈ Δt/2 for symplectic Euler
    }
    auto fine = integrate(*s, oscillator, 1000, 100.0);
    EXPECT_LT(fine.energy_error, 0.03) << method;
    EXPECT_GT(euler.energy_error, 100 * fine.energy_error) << method;
  }
  EXPECT_GT(euler.energy_error, 1e3);  // forward Euler: H grows like (1 + Δt²)^n
}

TEST(SchemeInPreset, ReversibleNeedsAnEvenChannelSplit) {
  auto options = preset_options("resnet20");
  options.scheme = build_scheme(scheme_registry(), "reversible", "test", "");
  auto scheme = options.scheme;
  auto error_of = [&] {
    try {
      build_model(options, *scheme, 3, 10);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // A reversible step holds two fields in sequence: RevNet counts 4 layers per basic step.
  EXPECT_EQ(error_of(), "preset 'resnet20' with scheme 'reversible': model depth 20 is not 12n+2 (n >= 1) as the "
                        "cifar_resnet layout with basic blocks and a partitioned scheme (two fields per step) needs");
  options.depth = 26;
  options.width = 3;
  EXPECT_EQ(error_of(), "preset 'resnet20' with scheme 'reversible': scheme 'reversible' splits the state into two "
                        "halves, but the output of stage 1 has 3 channels (odd)");
  options.width = 4;
  EXPECT_EQ(error_of(), "no error");
}

}  // namespace
}  // namespace odenet
