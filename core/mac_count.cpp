#include "core/mac_count.h"

#include <ATen/record_function.h>
#include <torch/types.h>

#include <cstring>

namespace odenet {
namespace {

thread_local int64_t* active_counter = nullptr;

// MACs per output element, taken from the operands when the operator starts.
struct MacsPerOutput : at::ObserverContext {
  explicit MacsPerOutput(int64_t n) : value(n) {}
  int64_t value;
};

// Only the operators that do the work: aten::conv2d and (LibTorch 2.x) aten::linear reach them
// through the dispatcher too, and counting both levels would count twice.
std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
  if (!active_counter) return nullptr;
  const char* name = fn.name();
  const auto inputs = fn.inputs();
  if (std::strcmp(name, "aten::convolution") == 0 && inputs.size() > 1 && inputs[1].isTensor()) {
    const auto& weight = inputs[1].toTensor();  // [C_out, C_in/groups, k_h, k_w]
    return std::make_unique<MacsPerOutput>(weight.numel() / std::max<int64_t>(1, weight.size(0)));
  }
  if (std::strcmp(name, "aten::addmm") == 0 && inputs.size() > 1 && inputs[1].isTensor())  // bias + mat1 · mat2
    return std::make_unique<MacsPerOutput>(inputs[1].toTensor().size(-1));
  if (std::strcmp(name, "aten::mm") == 0 && !inputs.empty() && inputs[0].isTensor())
    return std::make_unique<MacsPerOutput>(inputs[0].toTensor().size(-1));
  return nullptr;
}

void on_end(const at::RecordFunction& fn, at::ObserverContext* context) {
  if (!context || !active_counter) return;
  const auto outputs = fn.outputs();
  if (!outputs.empty() && outputs[0].isTensor())
    *active_counter += outputs[0].toTensor().numel() * static_cast<MacsPerOutput*>(context)->value;
}

}  // namespace

MacCount::MacCount() : previous_(active_counter), handle_(0) {
  active_counter = &total_;
  if (previous_) return;  // the outermost count's observer serves the nested ones (it counts into active_counter)
  handle_ = at::addThreadLocalCallback(at::RecordFunctionCallback(on_start, on_end)
                                           .needsInputs(true)
                                           .needsOutputs(true)
                                           .scopes({at::RecordScope::FUNCTION}));
}

MacCount::~MacCount() {
  if (handle_) at::removeCallback(handle_);
  active_counter = previous_;
}

int64_t macs_per_image(ClassifierImpl& model, int64_t channels, int64_t height, int64_t width) {
  torch::NoGradGuard no_grad;
  bool training = model.is_training();
  model.eval();
  MacCount count;
  const auto parameters = model.parameters();  // the input goes where the model is (a refined model may be on a GPU)
  model.forward(torch::zeros({1, channels, height, width},
                             parameters.empty() ? torch::TensorOptions() : torch::TensorOptions().device(parameters.front().device())));
  model.train(training);
  return count.total();
}

}  // namespace odenet
