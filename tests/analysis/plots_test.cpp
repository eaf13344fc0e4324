#include "analysis/plots.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/test_support.h"

namespace odenet {
namespace {

TEST(Plots, GnuplotWritesPngSvgDataAndScript) {
  test::ScratchDir dir;
  Plot plot;
  plot.title = "error of lm_resnet20_s0";
  plot.xlabel = "steps";
  plot.ylabel = "error";
  plot.log_x = plot.log_y = true;
  plot.series.push_back({"euler", {10, 20, 40}, {0.1, 0.05, 0.025}, "linespoints"});
  render_plot(plot, dir / "figs/convergence");
  for (const char* ext : {".png", ".svg", ".dat", ".gp"})
    EXPECT_TRUE(std::filesystem::exists(dir / (std::string("figs/convergence") + ext))) << ext;
  EXPECT_EQ(test::read_text(dir / "figs/convergence.png").substr(1, 3), "PNG");
  EXPECT_NE(test::read_text(dir / "figs/convergence.svg").find("<svg"), std::string::npos);
  EXPECT_NE(test::read_text(dir / "figs/convergence.dat").find("40 0.025"), std::string::npos);
}

}  // namespace
}  // namespace odenet
