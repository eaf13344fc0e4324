#include "core/registry.h"

#include <gtest/gtest.h>

#include "discretizations/scheme.h"

namespace odenet {
namespace {

TEST(Registry, RejectsDuplicateNames) {
  Registry<int> r("widget");
  r.add("a", 1);
  try {
    r.add("a", 2);
    FAIL() << "duplicate accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "widget 'a' is already registered");
  }
  EXPECT_EQ(r.get("a"), 1);
}

TEST(Registry, UnknownNameListsRegisteredOnes) {
  Registry<int> r("widget");
  r.add("beta", 2);
  r.add("alpha", 1);
  try {
    r.get("gamma");
    FAIL() << "unknown name accepted";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "unknown widget 'gamma'; registered: alpha, beta");
    EXPECT_EQ(e.exit_code(), 2);
  }
}

TEST(SchemeRegistry, BuiltinsAreRegisteredAndSecondRegistrationIsAnError) {
  SchemeRegistry r("scheme");
  register_builtin_schemes(r);
  EXPECT_EQ(r.names(), (std::vector<std::string>{"forward_euler", "fractal_expansion", "fractal_rk2", "gaussian_noise",
                                                 "hamiltonian", "leapfrog_second_order", "linear_multistep", "momentum",
                                                 "neumann_fixed_point", "polynet_literal", "polynet_mpoly", "polynet_way",
                                                 "reversible", "runge_kutta", "shake_shake", "stochastic_depth",
                                                 "stochastic_lm"}));
  // The older spellings resolve but are not offered.
  EXPECT_EQ(r.aliases(), (std::vector<std::string>{"backward_euler_neumann", "euler_maruyama", "fractal"}));
  EXPECT_THROW(register_builtin_schemes(r), Error);
}

TEST(SchemeRegistry, BuildSchemeNamesFileAndPathForUnknownSchemesAndKeys) {
  try {
    build_scheme(scheme_registry(), {{"name", "rk5"}}, "x.json", "/model/scheme");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "x.json: /model/scheme/name: unknown scheme 'rk5'; registered: forward_euler, fractal_expansion, "
                 "fractal_rk2, gaussian_noise, hamiltonian, leapfrog_second_order, linear_multistep, momentum, "
                 "neumann_fixed_point, polynet_literal, polynet_mpoly, polynet_way, reversible, runge_kutta, "
                 "shake_shake, stochastic_depth, stochastic_lm (a plugin's scheme? load it with --plugin PATH or "
                 "ODENET_PLUGINS)");
  }
  try {
    build_scheme(scheme_registry(), {{"name", "linear_multistep"}, {"k_inti", {0, 1}}}, "x.json", "/model/scheme");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "x.json: /model/scheme/k_inti: unknown key; did you mean 'k_init'?");
  }
}

TEST(SchemeRegistry, MetadataOfBuiltins) {
  auto fe = build_scheme(scheme_registry(), "forward_euler", "-", "");
  EXPECT_EQ(fe->info().order, 1);
  EXPECT_EQ(fe->info().history, 1);
  auto lm = build_scheme(scheme_registry(), "linear_multistep", "-", "");
  EXPECT_EQ(lm->info().history, 2);
  EXPECT_EQ(lm->info().order, 1);
  auto leapfrog = build_scheme(scheme_registry(), {{"name", "linear_multistep"}, {"k", 1.0}}, "-", "");
  EXPECT_EQ(leapfrog->info().order, 2);  // explicit midpoint
}

}  // namespace
}  // namespace odenet
