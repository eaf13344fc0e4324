#include "training/precision.h"

#include <ATen/autocast_mode.h>
#include <ATen/ops/conv2d.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/autograd.h>
#include <torch/version.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <fmt/format.h>

#include <cstdlib>
#include <optional>

#include "core/error.h"

// LibTorch 2.4 replaced the per-device autocast setters with ones taking the device type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define ODENET_AUTOCAST_BY_DEVICE_TYPE 1
#endif

namespace odenet {
namespace {

bool autocast_enabled(c10::DeviceType type) {
#ifdef ODENET_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::is_autocast_enabled(type);
#else
  return type == c10::DeviceType::CPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
#endif
}

void set_autocast(c10::DeviceType type, bool enabled) {
#ifdef ODENET_AUTOCAST_BY_DEVICE_TYPE
  at::autocast::set_autocast_enabled(type, enabled);
#else
  type == c10::DeviceType::CPU ? at::autocast::set_cpu_enabled(enabled) : at::autocast::set_enabled(enabled);
#endif
}

at::ScalarType autocast_dtype(c10::DeviceType type) {
#ifdef ODENET_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::get_autocast_dtype(type);
#else
  return type == c10::DeviceType::CPU ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype();
#endif
}

void set_autocast_dtype(c10::DeviceType type, at::ScalarType dtype) {
#ifdef ODENET_AUTOCAST_BY_DEVICE_TYPE
  at::autocast::set_autocast_dtype(type, dtype);
#else
  type == c10::DeviceType::CPU ? at::autocast::set_autocast_cpu_dtype(dtype) : at::autocast::set_autocast_gpu_dtype(dtype);
#endif
}

}  // namespace

const EnumNames<Precision>& precision_names() {
  static const EnumNames<Precision> names{{"fp32", Precision::kFp32}, {"bf16", Precision::kBf16}, {"fp16", Precision::kFp16}};
  return names;
}

const EnumNames<PrecisionRequest>& precision_request_names() {
  static const EnumNames<PrecisionRequest> names{{"auto", PrecisionRequest::kAuto},
                                                 {"fp32", PrecisionRequest::kFp32},
                                                 {"bf16", PrecisionRequest::kBf16},
                                                 {"fp16", PrecisionRequest::kFp16}};
  return names;
}

std::string precision_name(Precision p) { return enum_name(precision_names(), p); }

PrecisionRequest precision_request(Precision p) {
  switch (p) {
    case Precision::kBf16:
      return PrecisionRequest::kBf16;
    case Precision::kFp16:
      return PrecisionRequest::kFp16;
    case Precision::kFp32:
      break;
  }
  return PrecisionRequest::kFp32;
}

std::string cpu_bf16_instructions() {
  bool avx512_bf16 = false, amx_bf16 = false;
#if defined(__x86_64__) || defined(__i386__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid_max(0, nullptr) >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    amx_bf16 = (d >> 22) & 1;
    __cpuid_count(7, 1, a, b, c, d);
    avx512_bf16 = (a >> 5) & 1;
  }
#endif
  if (avx512_bf16 && amx_bf16) return "AVX512-BF16 and AMX-BF16";
  return avx512_bf16 ? "AVX512-BF16" : amx_bf16 ? "AMX-BF16" : "";
}

namespace {

// ODENET_CPU_BF16: "native" → true, "emulated" → false, unset or empty → nullopt.
std::optional<bool> forced_cpu_bf16() {
  const char* value = std::getenv("ODENET_CPU_BF16");
  if (!value || !*value) return std::nullopt;
  static const EnumNames<bool> names{{"native", true}, {"emulated", false}};
  return parse_enum(names, value, "environment variable ODENET_CPU_BF16");
}

}  // namespace

bool cpu_has_native_bf16() {
  if (auto forced = forced_cpu_bf16()) return *forced;
  return !cpu_bf16_instructions().empty();
}

double cpu_bf16_conv_weight_gradient_error(at::MemoryFormat format, int64_t batch, int64_t channels, int64_t size,
                                           uint64_t seed) {
  at::Generator generator = at::detail::createCPUGenerator(seed);  // leaves the global generator alone
  auto bf16_rounded = [](const torch::Tensor& t) { return t.to(torch::kBFloat16).to(torch::kFloat32); };
  const auto input = bf16_rounded(at::randn({batch, channels, size, size}, generator));
  const auto grad_out = at::randn({batch, channels, size, size}, generator).to(torch::kBFloat16);
  const auto weight = bf16_rounded(at::randn({channels, channels, 3, 3}, generator) * 0.1);
  auto weight_gradient = [&](at::MemoryFormat layout, Precision precision) {
    torch::AutoGradMode grad_mode(true);
    auto w = weight.contiguous(layout).detach().requires_grad_();
    torch::Tensor out;
    {
      AutocastGuard autocast(precision, c10::Device(c10::kCPU));
      out = at::conv2d(input.contiguous(layout), w, {}, 1, 1);
    }
    out.backward(grad_out.to(out.scalar_type()).contiguous(layout));
    return w.grad();
  };
  const auto reference = weight_gradient(at::MemoryFormat::Contiguous, Precision::kFp32);
  return ((weight_gradient(format, Precision::kBf16) - reference).norm() / reference.norm()).item<double>();
}

bool cpu_channels_last_bf16_weight_gradients_accurate() {
  static const bool accurate = cpu_bf16_conv_weight_gradient_error(at::MemoryFormat::ChannelsLast, 32, 16, 28, 0) < 0.05;
  return accurate;
}

Precision resolve_precision(PrecisionRequest requested, const c10::Device& device) {
  switch (requested) {
    case PrecisionRequest::kAuto:
      return device.is_cuda() || cpu_has_native_bf16() ? Precision::kBf16 : Precision::kFp32;
    case PrecisionRequest::kBf16:
      return Precision::kBf16;
    case PrecisionRequest::kFp16:
      if (!device.is_cuda())
        throw ConfigError("precision fp16 needs a CUDA device (LibTorch's CPU autocast takes bf16 only); use bf16 or fp32");
      return Precision::kFp16;
    case PrecisionRequest::kFp32:
      break;
  }
  return Precision::kFp32;
}

std::string auto_precision_reason(const c10::Device& device) {
  const std::string chosen = precision_name(resolve_precision(PrecisionRequest::kAuto, device));
  if (device.is_cuda()) return fmt::format("auto: {}, a CUDA device", chosen);
  if (auto forced = forced_cpu_bf16()) return fmt::format("auto: {}, ODENET_CPU_BF16={}", chosen, *forced ? "native" : "emulated");
  const std::string instructions = cpu_bf16_instructions();
  return instructions.empty() ? fmt::format("auto: {}, this CPU has no native bf16 (no AVX512-BF16 or AMX-BF16)", chosen)
                              : fmt::format("auto: {}, this CPU has {}", chosen, instructions);
}

AutocastGuard::AutocastGuard(Precision precision, const c10::Device& device) : device_type_(device.type()) {
  if (precision == Precision::kFp32) return;
  active_ = true;
  was_enabled_ = autocast_enabled(device_type_);
  previous_dtype_ = autocast_dtype(device_type_);
  set_autocast(device_type_, true);
  set_autocast_dtype(device_type_, precision == Precision::kBf16 ? at::kBFloat16 : at::kHalf);
  at::autocast::increment_nesting();
}

AutocastGuard::~AutocastGuard() {
  if (!active_) return;
  // Leaving the outermost region drops the casted copies of the weights (they change every step).
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_autocast(device_type_, was_enabled_);
  set_autocast_dtype(device_type_, previous_dtype_);
}

LossScaler::LossScaler(double initial_scale, int64_t growth_interval)
    : scale_(initial_scale), growth_interval_(growth_interval) {}

bool LossScaler::unscale(const std::vector<torch::Tensor>& params) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> flags;
  for (const auto& p : params) {
    if (!p.grad().defined()) continue;
    auto g = p.grad();
    g.mul_(1.0 / scale_);
    flags.push_back(g.isfinite().all().logical_not());
  }
  if (flags.empty()) return true;
  return !torch::stack(flags).any().item<bool>();
}

void LossScaler::update(bool finite) {
  if (!finite) {
    scale_ *= 0.5;
    clean_steps_ = 0;
    return;
  }
  if (++clean_steps_ >= growth_interval_) {
    scale_ *= 2.0;
    clean_steps_ = 0;
  }
}

}  // namespace odenet
