#include "discretizations/lm_run.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <vector>

#include "discretizations/forward_euler.h"
#include "discretizations/linear_multistep.h"
#include "discretizations/lm_fused.h"

namespace odenet {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// What the linked steps of one run share: each step's weight w_m (one per channel) and, once its
// backward has run, the adjoint λ_{m+1} of its output, kept until the two steps before it read it.
struct RunRecord : torch::CustomClassHolder {
  std::vector<torch::Tensor> weights;
  std::vector<char> uniform;  // whether w_m is one number (the loops then take it as a scalar)
  std::vector<torch::Tensor> lambda;
};

// Which terms a step's backward loop has: 0–2 later steps' adjoints, the gradients of the run's
// own inputs (first step only; u_{m−1} unless it is a forward Euler lead), the weight's gradient.
struct LoopShape {
  int terms = 0;
  bool grad_u = false, grad_previous = false, grad_weight = false;
};

// One element i with weights for its channel:
//   λ = G + a1 X + a2 Y;  gu = b1 λ + b2 X;  gp = b3 λ;  returns λ (u − p) for the weight's gradient
template <typename T, int Terms, bool GU, bool GP, bool R>
inline __attribute__((always_inline)) T adjoint_element(int64_t i, const T* __restrict G, const T* __restrict X,
                                                        const T* __restrict Y, const T* __restrict u,
                                                        const T* __restrict p, T* __restrict L, T* __restrict gu,
                                                        T* __restrict gp, T a1, T a2, T b1, T b2, T b3) {
  T lambda = G[i];
  if constexpr (Terms >= 1) lambda += a1 * X[i];
  if constexpr (Terms >= 2) lambda += a2 * Y[i];
  L[i] = lambda;
  if constexpr (GU) gu[i] = Terms >= 1 ? b1 * lambda + b2 * X[i] : b1 * lambda;
  if constexpr (GP) gp[i] = b3 * lambda;
  if constexpr (R) return lambda * (u[i] - p[i]);
  return T(0);
}

template <typename T>
struct Pointers {
  const T *G, *X, *Y, *u, *p;
  T *L, *gu, *gp;
  const T *a1, *a2, *b1, *b2, *b3;  // per channel: w_{m+1}, 1 − w_{m+2}, w_m, 1 − w_{m+1}, 1 − w_m
};

// n elements sharing one set of weights; returns Σ λ (u − p), summed in kLanes lanes.
template <typename T, int Terms, bool GU, bool GP, bool R>
inline __attribute__((always_inline)) double adjoint_flat(const T* __restrict G, const T* __restrict X,
                                                          const T* __restrict Y, const T* __restrict u,
                                                          const T* __restrict p, T* __restrict L, T* __restrict gu,
                                                          T* __restrict gp, int64_t n, T a1, T a2, T b1, T b2, T b3) {
  T lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l)
      lanes[l] += adjoint_element<T, Terms, GU, GP, R>(i + l, G, X, Y, u, p, L, gu, gp, a1, a2, b1, b2, b3);
  double sum = 0;
  for (; i < n; ++i) sum += adjoint_element<T, Terms, GU, GP, R>(i, G, X, Y, u, p, L, gu, gp, a1, a2, b1, b2, b3);
  for (int l = 0; l < kLanes; ++l) sum += lanes[l];
  return sum;
}

// Channels innermost, one weight per channel: pixels × C elements; acc[c] += Σ λ (u − p).
template <typename T, int Terms, bool GU, bool GP, bool R>
inline __attribute__((always_inline)) void adjoint_channels(
    const T* __restrict G, const T* __restrict X, const T* __restrict Y, const T* __restrict u, const T* __restrict p,
    T* __restrict L, T* __restrict gu, T* __restrict gp, int64_t pixels, int64_t C, const T* __restrict a1,
    const T* __restrict a2, const T* __restrict b1, const T* __restrict b2, const T* __restrict b3, T* __restrict acc) {
  for (int64_t k = 0; k < pixels; ++k)
    for (int64_t c = 0; c < C; ++c)
      acc[c] += adjoint_element<T, Terms, GU, GP, R>(k * C + c, G, X, Y, u, p, L, gu, gp, a1[c], a2[c], b1[c], b2[c],
                                                     b3[c]);
}

// The elements [begin, end) of one chunk (whole weight runs); sums[c] += Σ λ (u − p) of channel c
// (all in sums[0] when every weight is one number).
template <typename T, int Terms, bool GU, bool GP, bool R>
inline __attribute__((always_inline)) void adjoint_chunk(const Pointers<T>& q, const WeightLayout& layout,
                                                         bool uniform, int64_t begin, int64_t end, double* sums) {
  auto at = [](auto* ptr, int64_t offset) { return ptr ? ptr + offset : ptr; };
  const int64_t C = layout.channels;
  if (uniform) {
    sums[0] += adjoint_flat<T, Terms, GU, GP, R>(at(q.G, begin), at(q.X, begin), at(q.Y, begin), at(q.u, begin),
                                                 at(q.p, begin), at(q.L, begin), at(q.gu, begin), at(q.gp, begin),
                                                 end - begin, q.a1[0], q.a2[0], q.b1[0], q.b2[0], q.b3[0]);
  } else if (layout.last) {
    std::vector<T> acc(static_cast<size_t>(C), T(0));
    adjoint_channels<T, Terms, GU, GP, R>(at(q.G, begin), at(q.X, begin), at(q.Y, begin), at(q.u, begin),
                                          at(q.p, begin), at(q.L, begin), at(q.gu, begin), at(q.gp, begin),
                                          (end - begin) / C, C, q.a1, q.a2, q.b1, q.b2, q.b3, acc.data());
    for (int64_t c = 0; c < C; ++c) sums[c] += acc[c];
  } else {
    for (int64_t r = begin; r < end; r += layout.plane) {
      const int64_t c = (r / layout.plane) % C;
      sums[c] += adjoint_flat<T, Terms, GU, GP, R>(at(q.G, r), at(q.X, r), at(q.Y, r), at(q.u, r), at(q.p, r),
                                                   at(q.L, r), at(q.gu, r), at(q.gp, r), layout.plane, q.a1[c],
                                                   q.a2[c], q.b1[c], q.b2[c], q.b3[c]);
    }
  }
}

// Picks the instantiation for the loop's shape (all of them inlined into each compiled clone).
template <typename T>
inline __attribute__((always_inline)) void adjoint_dispatch(const Pointers<T>& q, const WeightLayout& layout,
                                                            const LoopShape& s, bool uniform, int64_t begin,
                                                            int64_t end, double* sums) {
#define ODENET_ADJOINT_CASE(TERMS, GU, GP, R) \
  if (s.terms == TERMS && s.grad_u == GU && s.grad_previous == GP && s.grad_weight == R) \
    return adjoint_chunk<T, TERMS, GU, GP, R>(q, layout, uniform, begin, end, sums);
#define ODENET_ADJOINT_CASES(TERMS)                                                                        \
  ODENET_ADJOINT_CASE(TERMS, false, false, false) ODENET_ADJOINT_CASE(TERMS, false, false, true)           \
  ODENET_ADJOINT_CASE(TERMS, true, false, false) ODENET_ADJOINT_CASE(TERMS, true, true, false)             \
  ODENET_ADJOINT_CASE(TERMS, true, true, true)
  ODENET_ADJOINT_CASES(0) ODENET_ADJOINT_CASES(1) ODENET_ADJOINT_CASES(2)
#undef ODENET_ADJOINT_CASES
#undef ODENET_ADJOINT_CASE
  TORCH_CHECK(false, "linked LM run: no loop for this step shape");
}

ODENET_VECTOR_CLONES void adjoint_kernel(const Pointers<float>& q, const WeightLayout& layout, const LoopShape& s,
                                         bool uniform, int64_t begin, int64_t end, double* sums) {
  adjoint_dispatch(q, layout, s, uniform, begin, end, sums);
}
ODENET_VECTOR_CLONES void adjoint_kernel(const Pointers<double>& q, const WeightLayout& layout, const LoopShape& s,
                                         bool uniform, int64_t begin, int64_t end, double* sums) {
  adjoint_dispatch(q, layout, s, uniform, begin, end, sums);
}

// Step m of a linked run: u_{m+1} = w u + (1 − w) previous + g, or u + g for a forward Euler lead
// (whose `previous` and `w` are placeholders: autograd takes no undefined inputs).
struct LinkedStep : public torch::autograd::Function<LinkedStep> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& u, const torch::Tensor& previous,
                               const torch::Tensor& g, const torch::Tensor& w, c10::intrusive_ptr<RunRecord> record,
                               int64_t index, bool lead, WeightLayout layout) {
    const int64_t C = u.size(1);
    torch::Tensor out;
    if (!lead) {
      auto weights = w.contiguous();
      out = fused_combine(u, previous, g, weights, layout);
      record->weights[index] = weights.expand({C}).contiguous();
      record->uniform[index] = w.numel() == 1;
    } else {
      out = u + g;
      record->weights[index] = torch::ones({C}, u.options().memory_format(at::MemoryFormat::Contiguous));
      record->uniform[index] = true;
    }
    const bool grad_weight = !lead && w.requires_grad();
    ctx->save_for_backward(grad_weight ? variable_list{u, previous} : variable_list{u});
    ctx->saved_data["record"] = c10::IValue::make_capsule(record);
    ctx->saved_data["index"] = index;
    ctx->saved_data["previous"] = !lead;
    ctx->saved_data["grad_weight"] = grad_weight;
    ctx->saved_data["plane"] = layout.plane;
    ctx->saved_data["last"] = layout.last;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    auto holder = ctx->saved_data["record"].toCapsule();
    RunRecord& record = *static_cast<RunRecord*>(holder.get());
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& u = saved[0];
    const int64_t m = ctx->saved_data["index"].toInt(), steps = static_cast<int64_t>(record.weights.size());
    const WeightLayout layout{u.size(1), ctx->saved_data["plane"].toInt(), ctx->saved_data["last"].toBool()};
    const auto format = layout.last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
    torch::Tensor G = grad_outputs[0].defined() ? grad_outputs[0] : torch::zeros_like(u);
    if (G.strides() != u.strides() || G.scalar_type() != u.scalar_type()) G = G.to(u.scalar_type()).contiguous(format);

    LoopShape shape;
    const bool has_x = m + 1 < steps && record.lambda[m + 1].defined();
    const bool has_y = has_x && m + 2 < steps && record.lambda[m + 2].defined();
    shape.terms = has_y ? 2 : has_x ? 1 : 0;
    shape.grad_u = m == 0;
    shape.grad_previous = m == 0 && ctx->saved_data["previous"].toBool();
    shape.grad_weight = ctx->saved_data["grad_weight"].toBool();
    const torch::Tensor previous = shape.grad_weight ? saved[1] : torch::Tensor();

    auto weight = [&](int64_t j) { return j < steps ? record.weights[j] : torch::ones_like(record.weights[m]); };
    const torch::Tensor a1 = weight(m + 1), a2 = 1 - weight(m + 2), b1 = record.weights[m], b2 = 1 - weight(m + 1),
                        b3 = 1 - record.weights[m];
    auto uniform_at = [&](int64_t j) { return j >= steps || record.uniform[j]; };
    const bool uniform = uniform_at(m) && uniform_at(m + 1) && uniform_at(m + 2);
    auto L = torch::empty_like(u);
    auto gu = shape.grad_u ? torch::empty_like(u) : torch::Tensor();
    auto gp = shape.grad_previous ? torch::empty_like(u) : torch::Tensor();

    const int64_t n = u.numel(), C = layout.channels;
    const Chunks chunks(n, layout);
    std::vector<double> partial(static_cast<size_t>(chunks.count * C), 0.0);  // Σ λ (u − u_{m−1}) per chunk, channel
    AT_DISPATCH_FLOATING_TYPES(u.scalar_type(), "linked_lm_backward", [&] {
      auto ptr = [](const torch::Tensor& t) { return t.defined() ? t.data_ptr<scalar_t>() : nullptr; };
      const Pointers<scalar_t> q{ptr(G), has_x ? ptr(record.lambda[m + 1]) : nullptr,
                                 has_y ? ptr(record.lambda[m + 2]) : nullptr, ptr(u), ptr(previous), ptr(L), ptr(gu),
                                 ptr(gp), ptr(a1), ptr(a2), ptr(b1), ptr(b2), ptr(b3)};
      at::parallel_for(0, chunks.count, 1, [&](int64_t first, int64_t last) {
        for (int64_t k = first; k < last; ++k)
          adjoint_kernel(q, layout, shape, uniform, k * chunks.per_chunk, std::min(n, (k + 1) * chunks.per_chunk),
                         partial.data() + k * C);
      });
    });
    record.lambda[m] = L;
    if (m + 2 < steps) record.lambda[m + 2] = torch::Tensor();  // steps m + 1 and m have read it
    if (m == 0) record.lambda.clear();

    torch::Tensor grad_w;
    if (shape.grad_weight) {
      grad_w = torch::tensor(channel_totals(partial, chunks, C), torch::kFloat64).to(u.scalar_type());
      if (record.uniform[m]) grad_w = grad_w.sum().reshape({1});  // one k for the step
    }
    return {gu, gp, L, grad_w, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

State run_linear_multistep(const std::vector<StepImpl*>& steps, const State& state) {
  State s = state;
  c10::intrusive_ptr<RunRecord> record;  // of the current linked stretch; a step outside the fused loops ends it
  for (StepImpl* step : steps) {
    auto* lead = dynamic_cast<ForwardEulerStepImpl*>(step);
    auto* lm = lead ? nullptr : dynamic_cast<LinearMultistepStepImpl*>(step);
    TORCH_CHECK(lead || (lm && lm->stage_runner() == &run_linear_multistep),
                "run_linear_multistep takes LM-ResNet steps after at most one forward Euler step");
    torch::Tensor input, previous, f, g, w;
    if (lead) {  // u_{m+1} = P(u_m) + f(u_m)
      input = lead->base(s.u);
      f = g = lead->field().forward(s.u);
    } else {
      TORCH_CHECK(!s.history.empty(), "linear_multistep step needs u_{n-1}: start the stage with forward Euler");
      input = s.u;
      previous = s.history[0];
      f = lm->field().forward(s.u);
      g = lm->dt() == 1.0 ? f : lm->dt() * f;
      w = lm->weight_of_u().to(input.scalar_type());
    }
    WeightLayout layout;
    const bool linked = previous.defined() ? fused_layout({input, previous, g}, w.numel(), layout)
                                           : fused_layout({input, g}, 1, layout);
    if (!linked) {  // the step's own update from the parts evaluated above
      record.reset();
      s = lead ? lead->advance(input, f) : lm->advance(s, f);
      continue;
    }
    if (!record) record = c10::make_intrusive<RunRecord>();
    const auto index = static_cast<int64_t>(record->weights.size());
    record->weights.emplace_back();
    record->lambda.emplace_back();
    record->uniform.emplace_back();
    torch::Tensor out = lead ? LinkedStep::apply(input, input, g, torch::ones({1}, input.options()), record, index, true, layout)
                             : LinkedStep::apply(input, previous, g, w, record, index, false, layout);
    s = State{out, {input}, {f}, {}};
  }
  return s;
}

}  // namespace odenet
