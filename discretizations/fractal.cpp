#include "discretizations/fractal.h"

#include "core/error.h"

namespace odenet {

const EnumNames<FractalJoin>& fractal_join_names() {
  static const EnumNames<FractalJoin> names{{"pairwise", FractalJoin::kPairwise}, {"flat", FractalJoin::kFlat}};
  return names;
}

const EnumNames<Rk2Tableau>& rk2_tableau_names() {
  static const EnumNames<Rk2Tableau> names{
      {"heun", Rk2Tableau::kHeun}, {"midpoint", Rk2Tableau::kMidpoint}, {"ralston", Rk2Tableau::kRalston}};
  return names;
}

std::array<double, 5> fractal_rk2_coefficients(Rk2Tableau t) {
  // u_{n+1} = (k1 + k2) u + k2 a Δt f(u) + b Δt f(u + a Δt f(u)): order 2 needs
  // k1 + k2 = 1, k2 a + b = 1, a b = ½.
  switch (t) {
    case Rk2Tableau::kMidpoint: return {1.0, 0.0, 1.0, 0.5, 1.0};
    case Rk2Tableau::kRalston: return {5.0 / 8, 3.0 / 8, 1.0, 2.0 / 3, 0.75};
    case Rk2Tableau::kHeun: break;
  }
  return {0.5, 0.5, 1.0, 1.0, 0.5};
}

FractalExpansionImpl::FractalExpansionImpl(const FieldFactory& make_field, int columns, const FractalExpansionOptions& options)
    : columns_(columns), options_(options) {
  shallow_ = register_module("g", make_field(FieldPart::kWhole));
  if (columns > 1) {
    first_ = register_module("deep1", std::make_shared<FractalExpansionImpl>(make_field, columns - 1, options));
    second_ = register_module("deep2", std::make_shared<FractalExpansionImpl>(make_field, columns - 1, options));
  }
}

torch::Tensor FractalExpansionImpl::join(const std::vector<torch::Tensor>& inputs, int column) const {
  if (column >= 0) return inputs.at(static_cast<size_t>(column));  // global drop-path: that column alone
  if (inputs.size() == 1) return inputs[0];
  std::vector<bool> keep(inputs.size(), true);
  if (is_training() && options_.drop_path > 0) {  // local drop-path: drop each input, keep at least one
    auto draws = torch::rand({static_cast<int64_t>(inputs.size())});
    bool any = false;
    for (size_t i = 0; i < inputs.size(); ++i) any |= (keep[i] = draws[static_cast<int64_t>(i)].item<double>() >= options_.drop_path);
    if (!any) keep[static_cast<size_t>(torch::randint(0, static_cast<int64_t>(inputs.size()), {1}).item<int64_t>())] = true;
  }
  torch::Tensor sum;
  int64_t kept = 0;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (keep[i]) sum = sum.defined() ? sum + inputs[i] : inputs[i], ++kept;
  return kept == 1 ? sum : sum / static_cast<double>(kept);
}

std::vector<torch::Tensor> FractalExpansionImpl::column_outputs(const torch::Tensor& u, int column) {
  std::vector<torch::Tensor> outputs(static_cast<size_t>(columns_));
  if (column < 0 || column == columns_ - 1) outputs.back() = shallow_->forward(u);
  if (first_ && column != columns_ - 1) {  // the deep columns: f_{C−1} applied to the join of f_{C−1}
    auto inner = first_->column_outputs(u, column);
    auto deep = second_->column_outputs(join(inner, column), column);
    std::copy(deep.begin(), deep.end(), outputs.begin());
  }
  return outputs;
}

torch::Tensor FractalExpansionImpl::forward(const torch::Tensor& u, int column) {
  if (options_.join == FractalJoin::kFlat) return join(column_outputs(u, column), column);
  if (!first_) return shallow_->forward(u);
  // pairwise: this level's inputs are (deep, shallow); column c < C − 1 lies on the deep side.
  if (column == columns_ - 1) return shallow_->forward(u);
  auto deep = second_->forward(first_->forward(u, column), column);
  if (column >= 0) return deep;
  return join({deep, shallow_->forward(u)}, -1);
}

FractalExpansionStepImpl::FractalExpansionStepImpl(const FieldFactory& make_field, const StepContext& c,
                                                   const FractalExpansionOptions& o, std::shared_ptr<FractalGlobalColumn> global)
    : options_(o), index_(c.index), global_(std::move(global)) {
  expansion_ = register_module("fractal", std::make_shared<FractalExpansionImpl>(make_field, o.columns, o));
  if (global_ && global_->drawer_index < 0) global_->drawer_index = c.index;
}

State FractalExpansionStepImpl::forward(const State& state) {
  const auto& u = state.u;
  int column = is_training() ? -1 : options_.eval_column;  // FractalNet's "deepest column alone" with 0
  if (global_ && is_training() && options_.global_drop_path > 0) {
    if (index_ == global_->drawer_index)  // the network's first fractal step draws for the mini-batch
      global_->column = torch::rand({1}).item<double>() < options_.global_drop_path
                            ? static_cast<int>(torch::randint(0, options_.columns, {1}).item<int64_t>())
                            : -1;
    column = global_->column;
  }
  return State{expansion_->forward(u, column), {u}, {}};
}

FractalRk2StepImpl::FractalRk2StepImpl(const FieldFactory& make_field, const StepContext& c, const FractalRk2Options& o,
                                       bool integrator) {
  auto coefficients = fractal_rk2_coefficients(o.tableau);
  auto k = torch::tensor({coefficients[0], coefficients[1], coefficients[2]});
  k_ = o.trainable_k && !integrator ? register_parameter("k", k) : register_buffer("k", k);
  f1_ = register_module("f1", make_field(FieldPart::kWhole));
  if (integrator) {  // one field: f1 = a Δt f, f2 = b Δt f
    f2_ = f1_;
    scale1_ = coefficients[3] * c.dt;
    scale2_ = coefficients[4] * c.dt;
  } else {
    f2_ = register_module("f2", make_field(FieldPart::kWhole));
    scale1_ = scale2_ = c.dt;
  }
}

State FractalRk2StepImpl::forward(const State& state) {
  const auto& u = state.u;
  auto k = k_.to(u.dtype());
  auto y = k[2] * u + scale1_ * f1_->forward(u);
  return State{k[0] * u + k[1] * y + scale2_ * f2_->forward(y), {u}, {}};
}

SchemeInfo FractalExpansion::metadata() {
  SchemeInfo i;
  i.name = "fractal_expansion";
  i.update = "f_1 = g_1; f_{c+1}(u) = mean(f_c(f_c(u)), g_{c+1}(u)) with drop-path; u_{n+1} = f_C(u_n)";
  i.description = "FractalNet's expansion rule with C columns and drop-path";
  i.order = 2;
  i.evaluations_per_step = 7;
  i.history = 1;
  i.not_an_integrator = "the expansion rule has no identity path (u_{n+1} = f_C(u_n)): a network block; its RK reading is fractal_rk2";
  return i;
}

SchemeInfo FractalExpansion::info() const {
  SchemeInfo i = metadata();
  if (options_.join == FractalJoin::kFlat)
    i.update = "f_1 = g_1; f_{c+1}(u) = [f_c(join f_c(u)), g_{c+1}(u)]; u_{n+1} = mean of the C columns (drop-path)";
  i.evaluations_per_step = (1 << options_.columns) - 1;
  return i;
}

std::shared_ptr<StepImpl> FractalExpansion::make_step(const FieldFactory& make_field, const StepContext& c) const {
  return std::make_shared<FractalExpansionStepImpl>(make_field, c, options_, global_);
}

std::shared_ptr<StepImpl> FractalExpansion::make_integrator_step(const FieldFactory& make_field, const StepContext& c) const {
  return std::make_shared<FractalExpansionStepImpl>(make_field, c, options_, nullptr);
}

nlohmann::json FractalExpansion::to_json() const {
  return {{"name", "fractal_expansion"},
          {"columns", options_.columns},
          {"join", enum_name(fractal_join_names(), options_.join)},
          {"drop_path", options_.drop_path},
          {"global_drop_path", options_.global_drop_path},
          {"eval_column", options_.eval_column}};
}

SchemeInfo FractalRk2::metadata() {
  SchemeInfo i;
  i.name = "fractal_rk2";
  i.update = "y = k3 u + f1(u); u_{n+1} = k1 u + k2 y + f2(y)";
  i.description = "FractalNet's two-column block read as a second-order Runge-Kutta step";
  i.order = 2;
  i.evaluations_per_step = 2;
  i.history = 1;
  return i;
}

SchemeInfo FractalRk2::info() const {
  SchemeInfo i = metadata();
  i.update += " (" + enum_name(rk2_tableau_names(), options_.tableau) + ")";
  return i;
}

std::shared_ptr<StepImpl> FractalRk2::make_step(const FieldFactory& make_field, const StepContext& c) const {
  return std::make_shared<FractalRk2StepImpl>(make_field, c, options_, false);
}

std::shared_ptr<StepImpl> FractalRk2::make_integrator_step(const FieldFactory& make_field, const StepContext& c) const {
  return std::make_shared<FractalRk2StepImpl>(make_field, c, options_, true);
}

nlohmann::json FractalRk2::to_json() const {
  return {{"name", "fractal_rk2"},
          {"tableau", enum_name(rk2_tableau_names(), options_.tableau)},
          {"trainable_k", options_.trainable_k}};
}

void register_fractal(SchemeRegistry& registry) {
  registry.add("fractal_expansion",
               SchemeEntry{FractalExpansion::metadata(),
                           [](const JsonReader& p) {
                             FractalExpansionOptions o;
                             o.columns = static_cast<int>(p.integer("columns", 1, 6, 3));
                             o.join = enum_value(p, "join", fractal_join_names(), FractalJoin::kPairwise);
                             o.drop_path = p.number("drop_path", 0, 0.99, 0.0);
                             o.global_drop_path = p.number("global_drop_path", 0, 1, 0.0);
                             o.eval_column = static_cast<int>(p.integer("eval_column", -1, o.columns - 1, -1));
                             return std::make_shared<FractalExpansion>(o);
                           },
                           {{{"name", "fractal_expansion"}, {"columns", 2}},
                            {{"name", "fractal_expansion"}, {"columns", 3}, {"join", "flat"}, {"drop_path", 0.15}},
                            {{"name", "fractal_expansion"}, {"columns", 3}, {"global_drop_path", 0.5}, {"eval_column", 0}}}});
  registry.add("fractal_rk2", SchemeEntry{FractalRk2::metadata(),
                                          [](const JsonReader& p) {
                                            FractalRk2Options o;
                                            o.tableau = enum_value(p, "tableau", rk2_tableau_names(), Rk2Tableau::kHeun);
                                            o.trainable_k = p.boolean("trainable_k", false);
                                            return std::make_shared<FractalRk2>(o);
                                          },
                                          {{{"name", "fractal_rk2"}},
                                           {{"name", "fractal_rk2"}, {"tableau", "midpoint"}},
                                           {{"name", "fractal_rk2"}, {"tableau", "ralston"}, {"trainable_k", true}}}});
}

}  // namespace odenet
