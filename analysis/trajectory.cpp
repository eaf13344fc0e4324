#include "analysis/trajectory.h"

#include <fmt/format.h>

#include "architectures/depth_refinement.h"

namespace odenet {

std::vector<TrajectoryPoint> trace_trajectory(StagedNetworkImpl& network, const torch::Tensor& x, bool fields,
                                              torch::Tensor* logits) {
  torch::NoGradGuard no_grad;
  std::vector<TrajectoryPoint> points;
  State s{network.stem(x), {}, {}, {}};
  for (size_t k = 0; k < network.stages().size(); ++k) {
    const StageImpl& stage = *network.stages()[k];
    for (size_t i = 0; i < stage.steps().size(); ++i) {
      StepImpl& step = *stage.steps()[i];
      TrajectoryPoint p;
      p.name = fmt::format("stage{}.block{}", k + 1, i + 1);
      p.stage = static_cast<int>(k);
      p.step = static_cast<int>(i);
      p.opening = static_cast<int64_t>(i) < stage.shape().openings;
      p.u = s.u;
      if (fields) {
        const auto own = step_fields(step);
        if (!own.empty() && !p.opening) p.f = own.front()->forward(s.u);
      }
      s = step.forward(s);
      if (stage.shape().relu_after(i)) s.u = torch::relu(s.u);
      if (!p.opening) p.increment = (s.u - p.u).flatten(1).norm(2, {1});
      points.push_back(std::move(p));
    }
  }
  if (logits) *logits = network.head(s.u);
  return points;
}

}  // namespace odenet
