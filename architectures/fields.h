// Vector fields (residual branches) and shortcut projections of CIFAR ResNets.
#pragma once
#include <torch/nn/modules/conv.h>

#include "architectures/model_options.h"
#include "core/sync_batch_norm.h"
#include "discretizations/scheme.h"

namespace odenet {


/// Two 3×3 convolutions. Post-activation (He et al. 2016a):
///   f(u) = BN(conv(ReLU(BN(conv(u)))))             (the ReLU after the sum is the stage's)
/// Pre-activation (He et al. 2016b, the official LM-ResNet code, RevNet):
///   f(u) = conv(ReLU(BN(conv(ReLU(BN(u))))))
/// ReLU-first (Gastaldi 2017, shake-shake): f(u) = BN(conv(ReLU(BN(conv(ReLU(u))))))
struct BasicFieldOptions {
  BasicFieldOptions(int64_t in, int64_t out) : in_channels_(in), out_channels_(out) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  /// 2 at a stage transition.
  TORCH_ARG(int64_t, stride) = 1;
  TORCH_ARG(Activation, activation) = Activation::kPost;
};

class BasicFieldImpl : public FieldImpl {
 public:
  explicit BasicFieldImpl(const BasicFieldOptions& options);
  torch::Tensor forward(torch::Tensor u) override;
  /// Post-activation: sets the last BatchNorm's weight to 0, so the step starts as the identity.
  void zero_init_last_bn();

 private:
  BasicFieldOptions options_;
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr};
};

/// Bottleneck (He et al. 2016a/b): 1×1 (in → w), 3×3 (w → w, stride), 1×1 (w → out).
/// Post-activation: f(u) = BN(conv(ReLU(BN(conv(ReLU(BN(conv(u))))))))
/// Pre-activation:  f(u) = conv(ReLU(BN(conv(ReLU(BN(conv(ReLU(BN(u)))))))))
/// ReLU-first:      f(u) = BN(conv(ReLU(BN(conv(ReLU(BN(conv(ReLU(u)))))))))
struct BottleneckFieldOptions {
  BottleneckFieldOptions(int64_t in, int64_t width, int64_t out) : in_channels_(in), width_(width), out_channels_(out) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, width);
  TORCH_ARG(int64_t, out_channels);
  TORCH_ARG(int64_t, stride) = 1;
  TORCH_ARG(Activation, activation) = Activation::kPost;
  /// Groups of the 3×3 convolution (ResNeXt's cardinality).
  TORCH_ARG(int64_t, groups) = 1;
};

class BottleneckFieldImpl : public FieldImpl {
 public:
  explicit BottleneckFieldImpl(const BottleneckFieldOptions& options);
  torch::Tensor forward(torch::Tensor u) override;
  /// Post-activation: sets the last BatchNorm's weight to 0, so the step starts as the identity.
  void zero_init_last_bn();

 private:
  BottleneckFieldOptions options_;
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, conv3_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr}, bn3_{nullptr};
};

/// One convolution unit, FractalNet's building block (and the widening 1×1 before its blocks):
///   post f(u) = ReLU(BN(conv(u))),  pre f(u) = conv(ReLU(BN(u))),  relu_first f(u) = BN(conv(ReLU(u)))
/// with optional dropout of the convolution's output in training (FractalNet: conv-dropout-BN-ReLU).
struct ConvUnitOptions {
  ConvUnitOptions(int64_t in, int64_t out) : in_channels_(in), out_channels_(out) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  TORCH_ARG(int64_t, kernel) = 3;
  TORCH_ARG(int64_t, stride) = 1;
  TORCH_ARG(Activation, activation) = Activation::kPost;
  /// Post-activation only: false drops the final ReLU, f(u) = BN(conv(u)) (a shortcut projection).
  TORCH_ARG(bool, post_relu) = true;
  /// Probability of zeroing each output of the convolution in training (scaled by 1/(1 − p)).
  TORCH_ARG(double, dropout) = 0.0;
};

class ConvUnitImpl : public FieldImpl {
 public:
  explicit ConvUnitImpl(const ConvUnitOptions& options);
  torch::Tensor forward(torch::Tensor u) override;

 private:
  ConvUnitOptions options_;
  torch::nn::Conv2d conv_{nullptr};
  torch::nn::BatchNorm2d bn_{nullptr};
};

/// Option A of He et al.: P(u) = [u[:, :, ::s, ::s], 0] (subsample, pad channels with zeros). No parameters.
class ZeroPadProjectionImpl : public FieldImpl {
 public:
  ZeroPadProjectionImpl(int64_t in_channels, int64_t out_channels, int64_t stride);
  torch::Tensor forward(torch::Tensor u) override;

 private:
  int64_t extra_channels_, stride_;
};

/// Option B: P(u) = BN(conv1×1(u)) (post-activation), P(u) = conv1×1(ReLU(BN(u)))
/// (pre-activation, the official LM-ResNet code) or P(u) = BN(conv1×1(ReLU(u))) (ReLU-first).
class ConvProjectionImpl : public ConvUnitImpl {
 public:
  ConvProjectionImpl(int64_t in_channels, int64_t out_channels, int64_t stride, Activation activation)
      : ConvUnitImpl(ConvUnitOptions(in_channels, out_channels).kernel(1).stride(stride).activation(activation).post_relu(false)) {}
};

/// Shake-shake's shortcut (Gastaldi 2017): with v = ReLU(u), two 1×1 convolutions to out/2
/// channels each, one on v[::s, ::s] and one on v shifted by one pixel (right and down, zeros
/// entering) then subsampled, concatenated and batch-normalised:
///   P(u) = BN([conv_a(v[::s, ::s]), conv_b(shift(v)[::s, ::s])])
class ShakeSkipProjectionImpl : public FieldImpl {
 public:
  ShakeSkipProjectionImpl(int64_t in_channels, int64_t out_channels, int64_t stride);
  torch::Tensor forward(torch::Tensor u) override;

 private:
  int64_t stride_;
  torch::nn::Conv2d conv_a_{nullptr}, conv_b_{nullptr};
  torch::nn::BatchNorm2d bn_{nullptr};
};

/// He-normal initialisation of every convolution, N(0, sqrt(2/n)) with n = k·k·out;
/// BatchNorm weight 1, bias 0. With `zero_init_residual`, the last BatchNorm of every
/// post-activation (or ReLU-first) residual field starts at 0 (Goyal et al. 2017); a
/// pre-activation field ends in a convolution, so asking for it there is a ConfigError.
void init_he_normal(torch::nn::Module& module, bool zero_init_residual = false);

}  // namespace odenet
