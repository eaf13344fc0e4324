#include "discretizations/lm_combination.h"
#include "discretizations/lm_fused.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <vector>

namespace odenet {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

torch::Tensor broadcast_weight(const torch::Tensor& w, const torch::Tensor& u) {
  if (w.numel() == 1) return w.reshape({});
  std::vector<int64_t> shape(u.dim(), 1);
  shape[1] = w.numel();
  return w.view(shape);
}

// The layout all three tensors share, if the fused loop can walk them as flat arrays.
bool fusable(const torch::Tensor& u, const torch::Tensor& previous, const torch::Tensor& g, const torch::Tensor& w,
             WeightLayout& layout) {
  return w.scalar_type() == u.scalar_type() && fused_layout({u, previous, g}, w.numel(), layout);
}

// The loops (reductions in kLanes lanes).

// out = a u + (1 − a) p + g over n elements.
template <typename T>
inline __attribute__((always_inline)) void combine(const T* __restrict u, const T* __restrict p,
                                                   const T* __restrict g, T* __restrict out, int64_t n, T a) {
  const T b = T(1) - a;
  for (int64_t i = 0; i < n; ++i) out[i] = a * u[i] + b * p[i] + g[i];
}

// Channels innermost: out[i·C + c] = w_c u + (1 − w_c) p + g.
template <typename T>
inline __attribute__((always_inline)) void combine_channels(const T* __restrict u, const T* __restrict p,
                                                            const T* __restrict g, T* __restrict out, int64_t pixels,
                                                            int64_t C, const T* __restrict w) {
  for (int64_t q = 0; q < pixels; ++q, u += C, p += C, g += C, out += C)
    for (int64_t c = 0; c < C; ++c) out[c] = w[c] * u[c] + (T(1) - w[c]) * p[c] + g[c];
}

// gu = a d, gp = (1 − a) d; returns Σ d (u − p).
template <typename T>
inline __attribute__((always_inline)) double combine_backward(const T* __restrict d, const T* __restrict u,
                                                              const T* __restrict p, T* __restrict gu,
                                                              T* __restrict gp, int64_t n, T a) {
  const T b = T(1) - a;
  T lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) {
      const T x = d[i + l];
      gu[i + l] = a * x;
      gp[i + l] = b * x;
      lanes[l] += x * (u[i + l] - p[i + l]);
    }
  double sum = 0;
  for (; i < n; ++i) {
    gu[i] = a * d[i];
    gp[i] = b * d[i];
    sum += static_cast<double>(d[i] * (u[i] - p[i]));
  }
  for (int l = 0; l < kLanes; ++l) sum += lanes[l];
  return sum;
}

// Channels innermost; adds Σ d (u − p) per channel to acc[c].
template <typename T>
inline __attribute__((always_inline)) void combine_channels_backward(const T* __restrict d, const T* __restrict u,
                                                                     const T* __restrict p, T* __restrict gu,
                                                                     T* __restrict gp, int64_t pixels, int64_t C,
                                                                     const T* __restrict w, T* __restrict acc) {
  for (int64_t q = 0; q < pixels; ++q, d += C, u += C, p += C, gu += C, gp += C)
    for (int64_t c = 0; c < C; ++c) {
      gu[c] = w[c] * d[c];
      gp[c] = (T(1) - w[c]) * d[c];
      acc[c] += d[c] * (u[c] - p[c]);
    }
}

#define ODENET_DEFINE_KERNELS(T)                                                                                     \
  ODENET_VECTOR_CLONES void combine_kernel(const T* u, const T* p, const T* g, T* out, int64_t n, T a) {            \
    combine(u, p, g, out, n, a);                                                                                     \
  }                                                                                                                  \
  ODENET_VECTOR_CLONES void combine_channels_kernel(const T* u, const T* p, const T* g, T* out, int64_t pixels,     \
                                                    int64_t C, const T* w) {                                         \
    combine_channels(u, p, g, out, pixels, C, w);                                                                    \
  }                                                                                                                  \
  ODENET_VECTOR_CLONES double combine_backward_kernel(const T* d, const T* u, const T* p, T* gu, T* gp, int64_t n, \
                                                      T a) {                                                         \
    return combine_backward(d, u, p, gu, gp, n, a);                                                                  \
  }                                                                                                                  \
  ODENET_VECTOR_CLONES void combine_channels_backward_kernel(const T* d, const T* u, const T* p, T* gu, T* gp,      \
                                                             int64_t pixels, int64_t C, const T* w, T* acc) {       \
    combine_channels_backward(d, u, p, gu, gp, pixels, C, w, acc);                                                   \
  }
ODENET_DEFINE_KERNELS(float)
ODENET_DEFINE_KERNELS(double)
#undef ODENET_DEFINE_KERNELS

}  // namespace

bool fused_layout(const std::vector<torch::Tensor>& tensors, int64_t weight_count, WeightLayout& layout) {
  const torch::Tensor& u = tensors.front();
  if (!u.device().is_cpu() || u.dim() < 2) return false;
  if (u.scalar_type() != torch::kFloat32 && u.scalar_type() != torch::kFloat64) return false;
  for (const auto& t : tensors)
    if (!t.defined() || t.scalar_type() != u.scalar_type() || t.sizes() != u.sizes() || t.strides() != u.strides())
      return false;
  if (weight_count != 1 && weight_count != u.size(1)) return false;
  layout = WeightLayout{weight_count, u.numel() / std::max<int64_t>(1, u.size(0) * u.size(1)), false};
  if (u.is_contiguous()) return true;
  layout.last = u.dim() == 4 && u.is_contiguous(at::MemoryFormat::ChannelsLast);
  return layout.last;
}

torch::Tensor fused_combine(const torch::Tensor& u, const torch::Tensor& previous, const torch::Tensor& g,
                            const torch::Tensor& weights, const WeightLayout& layout) {
  auto out = torch::empty_like(u);
  const int64_t n = u.numel(), C = layout.channels;
  const Chunks chunks(n, layout);
  AT_DISPATCH_FLOATING_TYPES(u.scalar_type(), "lm_combination", [&] {
    const scalar_t *pu = u.data_ptr<scalar_t>(), *pp = previous.data_ptr<scalar_t>(), *pg = g.data_ptr<scalar_t>();
    const scalar_t* pw = weights.data_ptr<scalar_t>();
    scalar_t* po = out.data_ptr<scalar_t>();
    at::parallel_for(0, chunks.count, 1, [&](int64_t first, int64_t last) {
      for (int64_t k = first; k < last; ++k) {
        const int64_t begin = k * chunks.per_chunk, end = std::min(n, begin + chunks.per_chunk);
        if (C == 1) {
          combine_kernel(pu + begin, pp + begin, pg + begin, po + begin, end - begin, pw[0]);
        } else if (layout.last) {
          combine_channels_kernel(pu + begin, pp + begin, pg + begin, po + begin, (end - begin) / C, C, pw);
        } else {
          for (int64_t r = begin; r < end; r += chunks.run)
            combine_kernel(pu + r, pp + r, pg + r, po + r, chunks.run, pw[(r / chunks.run) % C]);
        }
      }
    });
  });
  return out;
}

namespace {

struct FusedLmCombination : public torch::autograd::Function<FusedLmCombination> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& u, const torch::Tensor& previous,
                               const torch::Tensor& g, const torch::Tensor& w, WeightLayout layout) {
    auto weights = w.contiguous();
    auto out = fused_combine(u, previous, g, weights, layout);
    ctx->save_for_backward({u, previous, weights});
    ctx->saved_data["channels"] = layout.channels;
    ctx->saved_data["plane"] = layout.plane;
    ctx->saved_data["last"] = layout.last;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    const torch::Tensor &u = saved[0], &previous = saved[1], &weights = saved[2];
    WeightLayout layout{ctx->saved_data["channels"].toInt(), ctx->saved_data["plane"].toInt(),
                        ctx->saved_data["last"].toBool()};
    torch::Tensor grad = grad_outputs[0];
    if (grad.strides() != u.strides())
      grad = grad.contiguous(layout.last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous);
    auto grad_u = torch::empty_like(u), grad_previous = torch::empty_like(u);
    const int64_t C = layout.channels, n = u.numel();
    const Chunks chunks(n, layout);
    std::vector<double> partial(static_cast<size_t>(chunks.count * C), 0.0);  // Σ d (u − p) per chunk and channel
    AT_DISPATCH_FLOATING_TYPES(u.scalar_type(), "lm_combination_backward", [&] {
      const scalar_t *pu = u.data_ptr<scalar_t>(), *pp = previous.data_ptr<scalar_t>(), *pd = grad.data_ptr<scalar_t>();
      const scalar_t* pw = weights.data_ptr<scalar_t>();
      scalar_t *gu = grad_u.data_ptr<scalar_t>(), *gp = grad_previous.data_ptr<scalar_t>();
      at::parallel_for(0, chunks.count, 1, [&](int64_t first, int64_t last) {
        std::vector<scalar_t> acc(static_cast<size_t>(C));
        for (int64_t k = first; k < last; ++k) {
          const int64_t begin = k * chunks.per_chunk, end = std::min(n, begin + chunks.per_chunk);
          double* sums = partial.data() + k * C;
          if (C == 1) {
            sums[0] = combine_backward_kernel(pd + begin, pu + begin, pp + begin, gu + begin, gp + begin, end - begin, pw[0]);
          } else if (layout.last) {
            std::fill(acc.begin(), acc.end(), scalar_t(0));
            combine_channels_backward_kernel(pd + begin, pu + begin, pp + begin, gu + begin, gp + begin,
                                             (end - begin) / C, C, pw, acc.data());
            for (int64_t c = 0; c < C; ++c) sums[c] = acc[c];
          } else {
            for (int64_t r = begin; r < end; r += chunks.run) {
              const int64_t c = (r / chunks.run) % C;
              sums[c] += combine_backward_kernel(pd + r, pu + r, pp + r, gu + r, gp + r, chunks.run, pw[c]);
            }
          }
        }
      });
    });
    auto grad_w = torch::tensor(channel_totals(partial, chunks, C), torch::kFloat64).to(weights.scalar_type()).reshape(weights.sizes());
    return {grad_u, grad_previous, grad, grad_w, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor lm_combination_reference(const torch::Tensor& u, const torch::Tensor& previous, const torch::Tensor& g,
                                       const torch::Tensor& w) {
  return torch::lerp(previous, u, broadcast_weight(w.to(u.scalar_type()), u)) + g;  // u_{n−1} + w (u_n − u_{n−1}) + g
}

torch::Tensor lm_combination(const torch::Tensor& u, const torch::Tensor& previous, const torch::Tensor& g,
                             const torch::Tensor& w) {
  WeightLayout layout;
  const torch::Tensor weight = w.to(u.scalar_type());  // a float32 coefficient under autocast meets bf16 states
  if (!fusable(u, previous, g, weight, layout)) return lm_combination_reference(u, previous, g, weight);
  return FusedLmCombination::apply(u, previous, g, weight, layout);
}

}  // namespace odenet
