// The built-in Butcher tableaus are checked when read: structure, and the declared order against
// the order conditions (b·1 = 1, b·c = 1/2, b·c² = 1/3, bAc = 1/6, and the four of order 4).
#include <gtest/gtest.h>

#include <stdexcept>

#include "discretizations/runge_kutta.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

TEST(ButcherTableaus, EveryBuiltInOneHasTheOrderItDeclares) {
  const std::map<std::string, int> expected{{"euler", 1}, {"midpoint", 2}, {"heun", 2},
                                            {"ralston", 2}, {"rk4", 4},     {"rk38", 4}};
  ASSERT_EQ(butcher_presets().size(), expected.size());
  for (const auto& t : butcher_presets()) {
    EXPECT_EQ(t.order, expected.at(t.name)) << t.name;
    EXPECT_EQ(tableau_order(t), t.order) << t.name;
  }
}

TEST(ButcherTableaus, AWrongCoefficientOrDeclaredOrderIsRefused) {
  // Heun's method declared third order: its b·c² = 1/2, not 1/3.
  EXPECT_EQ(test::error_message<std::logic_error>([] { checked_tableau("heun3", {0, 0, 1, 0}, {0.5, 0.5}, {0, 1}, 3); }),
            "Butcher tableau 'heun3' declares order 3 but satisfies the order conditions of order 2");
  // RK4 with one coefficient mistyped (a_32 = 0.6): row 2 no longer sums to c_2.
  EXPECT_EQ(test::error_message<std::logic_error>([] {
              checked_tableau("rk4typo", {0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.6, 0, 0, 0, 0, 1, 0},
                              {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6}, {0, 0.5, 0.5, 1}, 4);
            }),
            "Butcher tableau 'rk4typo': c/2: row 2 of a sums to 0.6, not c_2 = 0.5");
  EXPECT_THROW(checked_tableau("short", {0, 0, 1}, {0.5, 0.5}, {0, 1}, 2), std::logic_error);
  EXPECT_EQ(checked_tableau("heun", {0, 0, 1, 0}, {0.5, 0.5}, {0, 1}, 2).order, 2);
}

}  // namespace
}  // namespace odenet
