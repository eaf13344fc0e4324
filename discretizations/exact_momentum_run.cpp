#include "discretizations/exact_momentum_run.h"

#include <memory>

#include "discretizations/exact_momentum.h"
#include "discretizations/invertible_recompute.h"
#include "discretizations/momentum.h"

namespace odenet {
namespace {

MomentumStepImpl& as_momentum(StepImpl& step) {
  auto* momentum = dynamic_cast<MomentumStepImpl*>(&step);
  TORCH_CHECK(momentum != nullptr, "run_momentum_exactly_recomputing takes momentum steps only");
  return *momentum;
}

// The run's fixed-point state lives here from the forward pass to the end of the backward pass;
// the floats the steps exchange are its values, rounded to the run's dtype.
class ExactMomentumReversal : public Reversal {
 public:
  State forward(const std::vector<StepImpl*>& steps, const State& state) override {
    exact_ = std::make_unique<ExactMomentum>(state.u.scalar_type());
    u_ = exact_->quantize(state.u);
    v_ = state.velocity.defined() ? exact_->quantize(state.velocity) : torch::zeros_like(u_);  // at rest
    for (auto* step : steps) as_momentum(*step).forward_exactly(*exact_, u_, v_);
    exact_->end_forward();
    return values();
  }
  State inverse(StepImpl& step, const State& /*next: the fixed-point state is the exact one*/) override {
    as_momentum(step).inverse_exactly(*exact_, u_, v_);
    return values();
  }

 private:
  State values() const {
    State s{exact_->value(u_), {}, {}, {}};
    s.velocity = exact_->value(v_);
    return s;
  }
  std::unique_ptr<ExactMomentum> exact_;
  torch::Tensor u_, v_;
};

}  // namespace

State run_momentum_exactly_recomputing(const std::vector<StepImpl*>& steps, const State& state) {
  return run_recomputing(steps, state, c10::make_intrusive<ExactMomentumReversal>());
}

}  // namespace odenet
