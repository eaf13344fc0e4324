// FractalNet (Larsson et al. 2017) and its Runge–Kutta reading (PAPER.md §1).
//   expansion: f_1 = g_1;  f_{c+1}(u) = join(f_c(f_c(u)), g_{c+1}(u)); u_{n+1} = f_C(u_n).
//              Every g and every copy of f_c has its own weights. No identity path:
//              a network block, not a discretisation of u' = f. Joins average the inputs
//              drop-path keeps (training only):
//              pairwise: each level joins its two inputs, ½ f_c(f_c(u)) + ½ g(u) (PAPER.md);
//              flat:     FractalNet's join, one mean over all C columns at the block's end
//                        (column i, from the deepest, is 2^(C−1−i) fields long).
//              Local drop-path drops each join input with probability p (one always kept);
//              global drop-path picks, for a whole mini-batch, one column for the whole network.
// Two registry entries: fractal_expansion (the rule above) and fractal_rk2 (below).
//   rk2:       y = k3 u + f1(u),  u_{n+1} = k1 u + k2 y + f2(y); as an integrator
//              f1 = a Δt f, f2 = b Δt f with (k1, k2, k3, a, b) of a second-order
//              Runge–Kutta method (heun: ½, ½, 1, 1, ½), which is then order 2.
#pragma once
#include <array>

#include "discretizations/scheme.h"

namespace odenet {

enum class FractalJoin { kPairwise, kFlat };
enum class Rk2Tableau { kHeun, kMidpoint, kRalston };
const EnumNames<FractalJoin>& fractal_join_names();
const EnumNames<Rk2Tableau>& rk2_tableau_names();

struct FractalExpansionOptions {
  int columns = 3;                          ///< C
  FractalJoin join = FractalJoin::kPairwise;
  double drop_path = 0.0;                   ///< local drop-path: probability of dropping each join input (training)
  double global_drop_path = 0.0;            ///< probability that a mini-batch trains one column of the network only
  int eval_column = -1;                     ///< evaluate with this column alone (0: the deepest; −1: all, joined)
};

struct FractalRk2Options {
  Rk2Tableau tableau = Rk2Tableau::kHeun;
  bool trainable_k = false;  ///< networks: learn k1, k2, k3 (initialised from the tableau)
};

/// The network-wide global drop-path draw, shared by the steps of one scheme object: the
/// first step made draws the column (−1: none, local drop-path) at each training forward.
struct FractalGlobalColumn {
  int drawer_index = -1;
  int column = -1;
};

class FractalExpansionImpl : public FieldImpl {
 public:
  FractalExpansionImpl(const FieldFactory& make_field, int columns, const FractalExpansionOptions& options);
  /// The join of the C columns (all kept outside training); `column` ≥ 0 keeps that column only.
  torch::Tensor forward(torch::Tensor u) override { return forward(u, -1); }
  torch::Tensor forward(const torch::Tensor& u, int column);

 private:
  /// Flat join: the outputs of the columns, deepest first (undefined where `column` excludes them).
  std::vector<torch::Tensor> column_outputs(const torch::Tensor& u, int column);
  torch::Tensor join(const std::vector<torch::Tensor>& inputs, int column) const;

  int columns_;
  FractalExpansionOptions options_;
  std::shared_ptr<FieldImpl> shallow_;                       // g_C
  std::shared_ptr<FractalExpansionImpl> first_, second_;     // the two copies of f_{C−1} (C > 1)
};

/// u_{n+1} = f_C(u_n), with global drop-path drawn once per mini-batch for the network.
class FractalExpansionStepImpl : public StepImpl {
 public:
  FractalExpansionStepImpl(const FieldFactory& make_field, const StepContext& context, const FractalExpansionOptions& options,
                           std::shared_ptr<FractalGlobalColumn> global);
  State forward(const State& state) override;

 private:
  FractalExpansionOptions options_;
  int index_;
  std::shared_ptr<FractalGlobalColumn> global_;
  std::shared_ptr<FractalExpansionImpl> expansion_;
};

/// y = k3 u + f1(u), u_{n+1} = k1 u + k2 y + f2(y).
class FractalRk2StepImpl : public StepImpl {
 public:
  FractalRk2StepImpl(const FieldFactory& make_field, const StepContext& context, const FractalRk2Options& options,
                     bool integrator);
  State forward(const State& state) override;
  /// (k1, k2, k3).
  torch::Tensor k() const { return k_; }

 private:
  std::shared_ptr<FieldImpl> f1_, f2_;
  torch::Tensor k_;
  double scale1_ = 1, scale2_ = 1;
};

class FractalExpansion : public Scheme {
 public:
  explicit FractalExpansion(FractalExpansionOptions options)
      : options_(options), global_(std::make_shared<FractalGlobalColumn>()) {}
  static SchemeInfo metadata();
  SchemeInfo info() const override;
  std::shared_ptr<StepImpl> make_step(const FieldFactory& make_field, const StepContext& context) const override;
  std::shared_ptr<StepImpl> make_integrator_step(const FieldFactory& make_field,
                                                 const StepContext& context) const override;
  nlohmann::json to_json() const override;

 private:
  FractalExpansionOptions options_;
  std::shared_ptr<FractalGlobalColumn> global_;
};

class FractalRk2 : public Scheme {
 public:
  explicit FractalRk2(FractalRk2Options options) : options_(options) {}
  static SchemeInfo metadata();
  SchemeInfo info() const override;
  std::shared_ptr<StepImpl> make_step(const FieldFactory& make_field, const StepContext& context) const override;
  std::shared_ptr<StepImpl> make_integrator_step(const FieldFactory& make_field,
                                                 const StepContext& context) const override;
  nlohmann::json to_json() const override;

 private:
  FractalRk2Options options_;
};

/// (k1, k2, k3, a, b) of a second-order RK method in the rk2 form.
std::array<double, 5> fractal_rk2_coefficients(Rk2Tableau tableau);
/// Registers fractal_expansion and fractal_rk2.
void register_fractal(SchemeRegistry& registry);

}  // namespace odenet
