#include "discretizations/fractal.h"

#include "core/error.h"

namespace odenet {

std::array<double, 5> fractal_rk2_coefficients(const std::string& t) {
  // u_{n+1} = (k1 + k2) u + k2 a Δt f(u) + b Δt f(u + a Δt f(u)): order 2 needs
  // k1 + k2 = 1, k2 a + b = 1, a b = ½.
  if (t == "midpoint") return {1.0, 0.0, 1.0, 0.5, 1.0};
  if (t == "ralston") return {5.0 / 8, 3.0 / 8, 1.0, 2.0 / 3, 0.75};
  return {0.5, 0.5, 1.0, 1.0, 0.5};  // heun
}

FractalExpansionImpl::FractalExpansionImpl(const FieldFactory& make_field, int columns, const FractalOptions& options)
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
  if (options_.join == "flat") return join(column_outputs(u, column), column);
  if (!first_) return shallow_->forward(u);
  // pairwise: this level's inputs are (deep, shallow); column c < C − 1 lies on the deep side.
  if (column == columns_ - 1) return shallow_->forward(u);
  auto deep = second_->forward(first_->forward(u, column), column);
  if (column >= 0) return deep;
  return join({deep, shallow_->forward(u)}, -1);
}

FractalStepImpl::FractalStepImpl(const FieldFactory& make_field, const StepContext& c, const FractalOptions& o,
                                 bool integrator, std::shared_ptr<FractalGlobalColumn> global)
    : options_(o), index_(c.index), global_(std::move(global)) {
  if (o.form == "expansion") {
    expansion_ = register_module("fractal", std::make_shared<FractalExpansionImpl>(make_field, o.columns, o));
    if (global_ && global_->drawer_index < 0) global_->drawer_index = c.index;
    return;
  }
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

State FractalStepImpl::forward(const State& state) {
  const auto& u = state.u;
  if (expansion_) {
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
  auto k = k_.to(u.dtype());
  auto y = k[2] * u + scale1_ * f1_->forward(u);
  return State{k[0] * u + k[1] * y + scale2_ * f2_->forward(y), {u}, {}};
}

SchemeInfo Fractal::metadata() {
  SchemeInfo i;
  i.name = "fractal";
  i.update = "y = k3 u + f1(u); u_{n+1} = k1 u + k2 y + f2(y) (rk2); f_{c+1} = ½(f_c∘f_c) + ½ g (expansion)";
  i.description = "FractalNet: the expansion rule with C columns and drop-path, and its second-order RK reading";
  i.order = 2;
  i.evaluations_per_step = 2;
  i.history = 1;
  return i;
}

SchemeInfo Fractal::info() const {
  SchemeInfo i = metadata();
  if (options_.form == "expansion") {
    i.update = options_.join == "flat"
                   ? "f_1 = g_1; f_{c+1}(u) = [f_c(join f_c(u)), g_{c+1}(u)]; u_{n+1} = mean of the C columns (drop-path)"
                   : "f_1 = g_1; f_{c+1}(u) = mean(f_c(f_c(u)), g_{c+1}(u)) with drop-path; u_{n+1} = f_C(u_n)";
    i.evaluations_per_step = (1 << options_.columns) - 1;
    i.not_an_integrator = "the expansion rule has no identity path (u_{n+1} = f_C(u_n)): a network block; its RK reading is form rk2";
  } else {
    i.update = "y = k3 u + f1(u); u_{n+1} = k1 u + k2 y + f2(y) (rk2, " + options_.tableau + ")";
  }
  return i;
}

std::shared_ptr<StepImpl> Fractal::make_step(const FieldFactory& make_field, const StepContext& c) const {
  return std::make_shared<FractalStepImpl>(make_field, c, options_, false, global_);
}

std::shared_ptr<StepImpl> Fractal::make_integrator_step(const FieldFactory& make_field, const StepContext& c) const {
  return std::make_shared<FractalStepImpl>(make_field, c, options_, true);
}

nlohmann::json Fractal::to_json() const {
  if (options_.form == "expansion")
    return {{"name", "fractal"},
            {"form", "expansion"},
            {"columns", options_.columns},
            {"join", options_.join},
            {"drop_path", options_.drop_path},
            {"global_drop_path", options_.global_drop_path},
            {"eval_column", options_.eval_column}};
  return {{"name", "fractal"}, {"form", "rk2"}, {"tableau", options_.tableau}, {"trainable_k", options_.trainable_k}};
}

void register_fractal(SchemeRegistry& registry) {
  registry.add("fractal", SchemeEntry{Fractal::metadata(), [](const JsonReader& p) {
                 FractalOptions o;
                 o.form = p.one_of("form", {"rk2", "expansion"}, "rk2");
                 if (o.form == "expansion") {
                   o.columns = static_cast<int>(p.integer("columns", 1, 6, 3));
                   o.join = p.one_of("join", {"pairwise", "flat"}, "pairwise");
                   o.drop_path = p.number("drop_path", 0, 0.99, 0.0);
                   o.global_drop_path = p.number("global_drop_path", 0, 1, 0.0);
                   o.eval_column = static_cast<int>(p.integer("eval_column", -1, o.columns - 1, -1));
                 } else {
                   o.tableau = p.one_of("tableau", {"heun", "midpoint", "ralston"}, "heun");
                   o.trainable_k = p.boolean("trainable_k", false);
                 }
                 return std::make_shared<Fractal>(o);
               }});
}

}  // namespace odenet
