#include "discretizations/invertible_recompute.h"

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

// One step recomputed from its rebuilt input `prev` with gradients on: returns the gradients of
// (u_out, v_out) · (grad_u, grad_v) with respect to u_in, v_in (undefined without one) and the
// step's trainable parameters (undefined for frozen ones), in that order.
struct StepGradients {
  torch::Tensor u, velocity;
  std::vector<torch::Tensor> params;
};

StepGradients differentiate_step(StepImpl& step, const State& prev, const torch::Tensor& grad_u, const torch::Tensor& grad_v) {
  torch::AutoGradMode enable(true);
  State in{prev.u.detach().requires_grad_(true), {}, {}, {}};
  if (prev.velocity.defined()) in.velocity = prev.velocity.detach().requires_grad_(true);
  const State out = step.forward(in);
  std::vector<torch::Tensor> outputs{out.u}, grad_outputs{grad_u};
  if (grad_v.defined() && out.velocity.defined() && out.velocity.requires_grad())
    outputs.push_back(out.velocity), grad_outputs.push_back(grad_v);
  std::vector<torch::Tensor> wrt{in.u};
  if (in.velocity.defined()) wrt.push_back(in.velocity);
  const auto params = step.parameters();
  for (const auto& p : params)
    if (p.requires_grad()) wrt.push_back(p);
  auto grads = torch::autograd::grad(outputs, wrt, grad_outputs, /*retain_graph=*/false, /*create_graph=*/false,
                                     /*allow_unused=*/true);
  StepGradients g;
  size_t next = 0;
  g.u = grads[next++];
  if (!g.u.defined()) g.u = torch::zeros_like(in.u);
  if (in.velocity.defined()) {
    g.velocity = grads[next++];
    if (!g.velocity.defined()) g.velocity = torch::zeros_like(in.velocity);
  }
  for (const auto& p : params) g.params.push_back(p.requires_grad() ? grads[next++] : torch::Tensor());
  return g;
}

// An autograd node's inputs and outputs must be tensors: no velocity (a run from rest, or steps
// without one) travels as an empty one.
torch::Tensor or_empty(const torch::Tensor& v, const torch::Tensor& like) {
  return v.defined() ? v : torch::empty({0}, like.options());
}
torch::Tensor or_undefined(const torch::Tensor& v) { return v.defined() && v.numel() > 0 ? v : torch::Tensor(); }

struct InvertibleRun : public torch::autograd::Function<InvertibleRun> {
  // `steps` travels as an address: the modules outlive the graph that uses them.
  static variable_list forward(AutogradContext* ctx, const torch::Tensor& u, const torch::Tensor& velocity,
                               const torch::TensorList& params, int64_t steps_address, const c10::intrusive_ptr<Reversal>& reversal) {
    const auto& steps = *reinterpret_cast<const std::vector<StepImpl*>*>(steps_address);
    State s{u, {}, {}, {}};
    s.velocity = or_undefined(velocity);
    s = reversal->forward(steps, s);  // no graph: forward runs without grad
    const torch::Tensor v = or_empty(s.velocity, s.u);
    ctx->save_for_backward({s.u, v});
    ctx->saved_data["steps"] = steps_address;
    ctx->saved_data["reversal"] = c10::IValue::make_capsule(reversal);
    ctx->saved_data["params"] = static_cast<int64_t>(params.size());
    ctx->saved_data["at_rest"] = !or_undefined(velocity).defined();
    ctx->saved_data["sync_batch_norm"] = reinterpret_cast<int64_t>(sync_batch_norm_group());
    return {s.u, v};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const auto& steps = *reinterpret_cast<const std::vector<StepImpl*>*>(ctx->saved_data["steps"].toInt());
    auto reversal = c10::static_intrusive_pointer_cast<Reversal>(ctx->saved_data["reversal"].toCapsule());
    const auto saved = ctx->get_saved_variables();
    State next{saved[0], {}, {}, {}};
    next.velocity = or_undefined(saved[1]);
    torch::Tensor grad_u = grad_outputs[0], grad_v = next.velocity.defined() ? or_undefined(grad_outputs[1]) : torch::Tensor();
    const bool at_rest = ctx->saved_data["at_rest"].toBool();
    std::vector<torch::Tensor> param_grads;  // filled from the last step backwards
    FrozenBatchNormStatistics frozen(steps);
    // Recomputed with the statistics the forward used (synchronised over data-parallel ranks or not).
    SyncBatchNormScope sync(reinterpret_cast<DataParallelGroup*>(ctx->saved_data["sync_batch_norm"].toInt()));
    for (size_t i = steps.size(); i-- > 0;) {
      State prev;
      {
        torch::NoGradGuard no_grad;
        prev = reversal->inverse(*steps[i], next);
      }
      if (i == 0 && at_rest) prev.velocity = torch::Tensor();  // the run started from rest: recompute it so
      StepGradients g = differentiate_step(*steps[i], prev, grad_u, grad_v);
      grad_u = g.u, grad_v = g.velocity;
      param_grads.insert(param_grads.begin(), g.params.begin(), g.params.end());
      next = State{prev.u, {}, {}, {}};
      next.velocity = prev.velocity;
    }
    TORCH_CHECK(static_cast<int64_t>(param_grads.size()) == ctx->saved_data["params"].toInt(),
                "invertible recomputation: parameter count changed");
    variable_list out{grad_u, at_rest || !grad_v.defined() ? torch::Tensor() : grad_v};
    out.insert(out.end(), param_grads.begin(), param_grads.end());
    out.emplace_back();  // steps_address
    out.emplace_back();  // reversal
    return out;
  }
};

// Each step undone by its own closed-form inverse, in the run's float arithmetic.
class StepInverses : public Reversal {
 public:
  State forward(const std::vector<StepImpl*>& steps, const State& state) override {
    State s = state;
    for (auto* step : steps) {
      s = step->forward(s);
      s.history.clear(), s.past_f.clear();
    }
    return s;
  }
  State inverse(StepImpl& step, const State& next) override { return step.inverse(next); }
};

}  // namespace

State run_recomputing(const std::vector<StepImpl*>& steps, const State& state, c10::intrusive_ptr<Reversal> reversal) {
  std::vector<torch::Tensor> params;
  for (auto* step : steps) {
    TORCH_CHECK(step->stage_runner() == steps.front()->stage_runner(), "a recomputed run takes steps of one runner");
    for (const auto& p : step->parameters()) params.push_back(p);
  }
  // As a TensorList, each parameter is an input of the autograd node (a std::vector would not be).
  const auto out = InvertibleRun::apply(state.u, or_empty(state.velocity, state.u), torch::TensorList(params),
                                        reinterpret_cast<int64_t>(&steps), reversal);
  State next{out[0], {}, {}, {}};
  next.velocity = or_undefined(out[1]);
  return next;
}

State run_invertible_recomputing(const std::vector<StepImpl*>& steps, const State& state) {
  for (auto* step : steps)
    TORCH_CHECK(step->stage_runner() == &run_invertible_recomputing, "run_invertible_recomputing takes invertible steps only");
  return run_recomputing(steps, state, c10::make_intrusive<StepInverses>());
}

}  // namespace odenet
