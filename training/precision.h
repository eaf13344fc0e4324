// Mixed precision for training: the arithmetic a run uses (fp32, bf16 or fp16
// autocast), the rule that picks it when the experiment says "auto", a guard
// that turns autocast on for one forward pass (LibTorch 1.13 and 2.x), and the
// dynamic loss scaler fp16 needs (LibTorch has no GradScaler).
#pragma once
#include <c10/core/Device.h>
#include <c10/core/MemoryFormat.h>
#include <torch/types.h>

#include <string>
#include <vector>

#include "core/enum_names.h"

namespace odenet {

enum class Precision { kFp32, kBf16, kFp16 };

/// What a run asks for: "auto" picks a precision on the device it trains on (resolve_precision).
enum class PrecisionRequest { kAuto, kFp32, kBf16, kFp16 };

/// "fp32", "bf16", "fp16".
const EnumNames<Precision>& precision_names();
/// "auto" and the three above.
const EnumNames<PrecisionRequest>& precision_request_names();
std::string precision_name(Precision precision);
/// The request that names `precision` itself (what a resumed "auto" run keeps).
PrecisionRequest precision_request(Precision precision);

/// The CPU's native bf16 instructions as cpuid reports them: "AVX512-BF16", "AMX-BF16",
/// "AVX512-BF16 and AMX-BF16", or "" (none; LibTorch then emulates bf16 through fp32).
std::string cpu_bf16_instructions();

/// Whether this CPU multiplies bf16 natively (cpu_bf16_instructions() not empty), unless the
/// environment variable ODENET_CPU_BF16 says "native" or "emulated": tests and CI force either
/// path of "auto" with it on any CPU. Another value is a ConfigError naming the variable.
bool cpu_has_native_bf16();

/// ‖∇W_bf16 − ∇W_fp32‖ / ‖∇W_fp32‖ of a C→C 3×3 convolution (padding 1) on the CPU, on random
/// batch × C × size × size data drawn from `seed`: the weight gradient under bf16 autocast with
/// tensors in `format`, against fp32 with contiguous tensors on the same bf16-rounded numbers.
double cpu_bf16_conv_weight_gradient_error(at::MemoryFormat format, int64_t batch, int64_t channels, int64_t size,
                                           uint64_t seed);

/// Whether a channels-last bf16 convolution on this CPU computes its weight gradient to bf16
/// accuracy: the error above < 0.05 for a 16-channel layer on 32×16×28×28, measured once per
/// process (tens of ms). LibTorch 1.13 on CPUs without native bf16 sums channels-last weight
/// gradients over batch × pixels in bf16 (error ~0.3 there and ~1.5 through ResNet-20; contiguous: ~0.01).
bool cpu_channels_last_bf16_weight_gradients_accurate();

/// "auto": bf16 on CUDA, and on CPUs with native bf16 (where bf16 autocast trained ResNet-20
/// ~1.4× faster than fp32); fp32 elsewhere (without it, bf16 trained slower). Otherwise the
/// named precision; fp16 needs CUDA (LibTorch's CPU autocast takes bf16 only): a ConfigError.
Precision resolve_precision(PrecisionRequest requested, const c10::Device& device);

/// Why "auto" resolves as it does on `device`, as a phrase for logs and benchmark tables, e.g.
/// "auto: bf16, this CPU has AVX512-BF16" or "auto: fp32, ODENET_CPU_BF16=emulated".
std::string auto_precision_reason(const c10::Device& device);

/// Autocast on `device` in `precision` for the guard's lifetime (no-op for fp32): matmuls and
/// convolutions run in the lower precision, parameters stay fp32 master weights, and
/// autocast's fp32 policy keeps reductions such as the loss in fp32. Not reentrant.
class AutocastGuard {
 public:
  AutocastGuard(Precision precision, const c10::Device& device);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool active_ = false;
  c10::DeviceType device_type_;
  bool was_enabled_ = false;
  at::ScalarType previous_dtype_;
};

/// Dynamic loss scaling for fp16: the loss is multiplied by S before backward; a step whose
/// gradients hold an inf or NaN is skipped and S halves; after `growth_interval` clean steps
/// in a row S doubles. The finite check reads one flag back per step (as PyTorch's GradScaler).
class LossScaler {
 public:
  explicit LossScaler(double initial_scale = 65536.0, int64_t growth_interval = 2000);
  torch::Tensor scale(const torch::Tensor& loss) const { return loss * scale_; }
  /// Divides the gradients of `params` by S; returns false (skip the step) if any is non-finite.
  bool unscale(const std::vector<torch::Tensor>& params);
  /// Adjusts S after a step that was taken (`finite`) or skipped.
  void update(bool finite);
  double current_scale() const { return scale_; }
  int64_t clean_steps() const { return clean_steps_; }
  /// For checkpoints.
  void restore(double scale, int64_t clean_steps) { scale_ = scale, clean_steps_ = clean_steps; }

 private:
  double scale_;
  int64_t growth_interval_;
  int64_t clean_steps_ = 0;
};

}  // namespace odenet
