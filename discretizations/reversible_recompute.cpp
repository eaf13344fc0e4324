#include "discretizations/reversible_recompute.h"

#include <torch/autograd.h>
#include <torch/nn/modules/batchnorm.h>

#include "core/sync_batch_norm.h"

namespace odenet {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// While alive, the steps' BatchNorms normalise with batch statistics as in training but leave
// their running statistics (and batch counters) as they were.
class FrozenBatchNormStatistics {
 public:
  explicit FrozenBatchNormStatistics(const std::vector<StepImpl*>& steps) {
    for (auto* step : steps)
      for (auto& m : step->modules(/*include_self=*/false))
        if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) {
          saved_.push_back({bn, bn->options.momentum(), bn->num_batches_tracked.clone()});
          bn->options.momentum(0.0);  // running ← (1 − 0) running + 0 · batch
        }
  }
  ~FrozenBatchNormStatistics() {
    torch::NoGradGuard no_grad;
    for (auto& s : saved_) {
      s.bn->options.momentum(s.momentum);
      s.bn->num_batches_tracked.copy_(s.batches);
    }
  }

 private:
  struct Saved {
    torch::nn::BatchNorm2dImpl* bn;
    c10::optional<double> momentum;
    torch::Tensor batches;
  };
  std::vector<Saved> saved_;
};

struct ReversibleRun : public torch::autograd::Function<ReversibleRun> {
  // `steps` travels as an address: the modules outlive the graph that uses them.
  static variable_list forward(AutogradContext* ctx, const torch::Tensor& u, const torch::TensorList& params,
                               int64_t steps_address) {
    const auto& steps = *reinterpret_cast<const std::vector<StepImpl*>*>(steps_address);
    torch::Tensor x = u;
    for (auto* step : steps) x = step->forward(State{x, {}, {}, {}}).u;  // no graph: forward runs without grad
    ctx->save_for_backward({x});
    ctx->saved_data["steps"] = steps_address;
    ctx->saved_data["params"] = static_cast<int64_t>(params.size());
    ctx->saved_data["sync_batch_norm"] = reinterpret_cast<int64_t>(sync_batch_norm_group());
    return {x};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto& steps = *reinterpret_cast<const std::vector<StepImpl*>*>(ctx->saved_data["steps"].toInt());
    torch::Tensor y = ctx->get_saved_variables()[0];
    torch::Tensor grad = grad_outputs[0];
    std::vector<torch::Tensor> param_grads;  // filled from the last step backwards
    FrozenBatchNormStatistics frozen(steps);
    // Recomputed with the statistics the forward used (synchronised over data-parallel ranks or not).
    SyncBatchNormScope sync(reinterpret_cast<DataParallelGroup*>(ctx->saved_data["sync_batch_norm"].toInt()));
    for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
      StepImpl* step = *it;
      torch::Tensor x;
      {
        torch::NoGradGuard no_grad;
        x = step->inverse(State{y, {}, {}, {}}).u;
      }
      torch::AutoGradMode enable(true);
      auto input = x.detach().requires_grad_(true);
      auto output = step->forward(State{input, {}, {}, {}}).u;
      auto params = step->parameters();
      std::vector<torch::Tensor> wrt{input};  // frozen parameters (requires_grad false) get no gradient
      for (const auto& p : params)
        if (p.requires_grad()) wrt.push_back(p);
      auto grads = torch::autograd::grad({output}, wrt, {grad}, /*retain_graph=*/false, /*create_graph=*/false,
                                         /*allow_unused=*/true);
      grad = grads[0];
      std::vector<torch::Tensor> step_grads;
      size_t next = 1;
      for (const auto& p : params) step_grads.push_back(p.requires_grad() ? grads[next++] : torch::Tensor());
      param_grads.insert(param_grads.begin(), step_grads.begin(), step_grads.end());
      y = x;
    }
    TORCH_CHECK(static_cast<int64_t>(param_grads.size()) == ctx->saved_data["params"].toInt(),
                "reversible recomputation: parameter count changed");
    variable_list out{grad};
    out.insert(out.end(), param_grads.begin(), param_grads.end());
    out.emplace_back();  // steps_address
    return out;
  }
};

}  // namespace

State run_reversible_recomputing(const std::vector<StepImpl*>& steps, const State& state) {
  std::vector<torch::Tensor> params;
  for (auto* step : steps) {
    TORCH_CHECK(step->stage_runner() == &run_reversible_recomputing, "run_reversible_recomputing takes invertible reversible steps only");
    for (const auto& p : step->parameters()) params.push_back(p);
  }
  // As a TensorList, each parameter is an input of the autograd node (a std::vector would not be).
  return State{ReversibleRun::apply(state.u, torch::TensorList(params), reinterpret_cast<int64_t>(&steps))[0], {}, {}, {}};
}

}  // namespace odenet
