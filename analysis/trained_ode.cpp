#include "analysis/trained_ode.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "analysis/comparison_table.h"
#include "analysis/jacobian_spectrum.h"
#include "analysis/plots.h"
#include "analysis/step_stability.h"
#include "analysis/trajectory.h"
#include "core/error.h"
#include "data/dataset_options.h"
#include "training/run_directory.h"

namespace odenet {
namespace {

std::shared_ptr<StagedNetworkImpl> staged(const TrainedModel& trained) {
  auto network = std::dynamic_pointer_cast<StagedNetworkImpl>(trained.model);
  if (!network)
    throw ConfigError(fmt::format("{}: the {} layout has no time-stepping stages to treat as an ODE", trained.dir,
                                  trained.config["model"].value("layout", "?")));
  return network;
}

double error_percent(const torch::Tensor& logits, const torch::Tensor& labels) {
  return 100.0 * (logits.argmax(1) != labels).to(torch::kFloat64).mean().item<double>();
}

double relative_distance(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).norm() / b.norm()).item<double>();
}

// Every parameter of a step's fields, flattened into one vector (the residual branch's weights).
torch::Tensor field_parameters(const StepImpl& step) {
  std::vector<torch::Tensor> parts;
  for (const auto& field : step_fields(step))
    for (const auto& p : field->parameters()) parts.push_back(p.detach().to(torch::kFloat64).flatten());
  return parts.empty() ? torch::Tensor() : torch::cat(parts);
}

// θ_n by kind: every parameter and floating-point buffer of the step, by its name in the step.
std::map<std::string, torch::Tensor> step_tensors(const StepImpl& step) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : step.named_parameters()) out[p.key()] = p.value().detach().to(torch::kFloat64);
  for (const auto& b : step.named_buffers())
    if (b.value().is_floating_point()) out[b.key()] = b.value().detach().to(torch::kFloat64);
  return out;
}

}  // namespace

RunTestSet load_run_test_set(const TrainedModel& trained, int64_t limit) {
  nlohmann::json dataset = trained.config.value("dataset", nlohmann::json::object());
  const nlohmann::json summary = read_run_file(RunDirectory(trained.dir).summary_path(), "the run is unfinished");
  // The normalisation in effect ("from_train_split" in config.json: summary.json has its values).
  if (summary.contains("data") && summary["data"].contains("mean")) {
    dataset["augment"]["mean"] = summary["data"]["mean"];
    dataset["augment"]["std"] = summary["data"]["std"];
  }
  AugmentOptions augment;
  nlohmann::json resolved;
  DatasetOptions options = read_dataset_options(JsonReader(dataset, RunDirectory(trained.dir).config_path(), "/dataset"), augment, resolved);
  Dataset test = load_dataset(options).test;
  if (limit > 0) test = test.subset(limit);
  test = test.in_memory();  // streamed: the evaluation views, decoded
  auto images = test.images.to(torch::kFloat32).div_(255.0);
  const auto channels = static_cast<int64_t>(augment.mean.size());
  auto mean = torch::tensor(augment.mean, torch::kFloat64).to(torch::kFloat32).view({1, channels, 1, 1});
  auto std = torch::tensor(augment.std, torch::kFloat64).to(torch::kFloat32).view({1, channels, 1, 1});
  return {(images - mean) / std, test.labels};
}

torch::Tensor evaluate_logits(ClassifierImpl& network, const torch::Tensor& images, int64_t batch) {
  torch::NoGradGuard no_grad;
  network.eval();
  std::vector<torch::Tensor> out;
  for (int64_t i = 0; i < images.size(0); i += batch)
    out.push_back(network.forward(images.narrow(0, i, std::min(batch, images.size(0) - i))).to(torch::kFloat64));
  return torch::cat(out);
}

RefinementStudy refinement_study(const std::string& dir, const std::vector<nlohmann::json>& schemes,
                                 const std::vector<int64_t>& factors, DepthInterpolation interpolation, int64_t examples) {
  if (factors.empty()) throw ConfigError("--factors: at least one refinement factor");
  for (auto m : factors)
    if (m < 1 || m > 1024) throw ConfigError(fmt::format("--factors: {} is not between 1 and 1024", m));
  std::vector<int64_t> ms = factors;
  std::sort(ms.begin(), ms.end());
  ms.erase(std::unique(ms.begin(), ms.end()), ms.end());

  RefinementStudy study;
  study.dir = dir;
  study.interpolation = enum_name(depth_interpolation_names(), interpolation);
  const TrainedModel trained = load_trained_model(dir);
  staged(trained);
  const RunTestSet test = load_run_test_set(trained, examples);
  study.examples = test.images.size(0);
  const auto trained_logits = evaluate_logits(*trained.model, test.images);
  study.trained_test_error = error_percent(trained_logits, test.labels);

  std::vector<nlohmann::json> specs = schemes.empty() ? std::vector<nlohmann::json>{"own"} : schemes;
  const nlohmann::json own = trained.scheme->to_json();
  std::vector<nlohmann::json> done;
  for (auto& spec : specs) {
    // "own": the trained network's scheme; anything else is a scheme spec for the registry.
    const std::shared_ptr<const Scheme> scheme =
        spec == "own" ? trained.scheme : build_scheme(scheme_registry(), spec, "--schemes", "");
    const nlohmann::json resolved = scheme->to_json();
    if (std::find(done.begin(), done.end(), resolved) != done.end()) continue;  // "own" and its name given again
    done.push_back(resolved);
    const std::string label = scheme_label(resolved) + (resolved == own ? " (trained)" : "");
    std::vector<torch::Tensor> logits;
    const size_t first = study.rows.size();
    for (int64_t m : ms) {
      TrainedModel copy = load_trained_model(dir);  // piecewise refinement shares the fields it refines
      auto network = staged(copy);
      refine_network(*network, *scheme, RefineOptions{m, interpolation});
      logits.push_back(evaluate_logits(*network, test.images));
      RefinementRow row;
      row.scheme = label;
      row.factor = m;
      row.dt = 1.0 / static_cast<double>(m);
      row.stage_steps = stage_step_counts(*network);
      row.params = count_parameters(*network);
      row.test_error = error_percent(logits.back(), test.labels);
      row.distance_to_trained = relative_distance(logits.back(), trained_logits);
      study.rows.push_back(row);
    }
    std::vector<double> x, y;
    for (size_t i = 0; i < ms.size(); ++i) {
      RefinementRow& row = study.rows[first + i];
      row.distance_to_finest = relative_distance(logits[i], logits.back());
      if (i + 1 < ms.size() && row.distance_to_finest > 0) {
        x.push_back(std::log(row.dt));
        y.push_back(std::log(row.distance_to_finest));
      }
    }
    study.convergence.push_back({label, fit_line(x, y)});
  }
  return study;
}

StabilityStudy stability_study(const std::string& dir, int64_t examples, int iterations, uint64_t seed) {
  if (examples < 1) throw ConfigError("--examples: at least 1");
  if (iterations < 1 || iterations > 500) throw ConfigError(fmt::format("--iterations: {} is not between 1 and 500", iterations));
  StabilityStudy study;
  study.dir = dir;
  study.iterations = iterations;
  const TrainedModel trained = load_trained_model(dir);
  auto network = staged(trained);
  const RunTestSet test = load_run_test_set(trained, examples);
  study.examples = test.images.size(0);
  const auto points = trace_trajectory(*network, test.images, false);
  const int history = trained.scheme->info().history;
  for (const auto& p : points) {
    if (p.opening) continue;
    const StageImpl& stage = *network->stages()[static_cast<size_t>(p.stage)];
    const StepImpl& step = *stage.steps()[static_cast<size_t>(p.step)];
    const auto fields = step_fields(step);
    if (fields.size() != 1) continue;  // two fields per step (RevNet, shake-shake, PolyNet's 2-way): no single f_n
    // The stage's first steps start a multistep history with forward Euler (build_stage's convention).
    const int64_t starters = std::max<int64_t>(
        0, starting_euler_steps(history, static_cast<int64_t>(stage.steps().size())) - stage.shape().openings);
    const bool starter = p.step - stage.shape().openings < starters;
    StepSpectrum s;
    s.name = p.name;
    s.stage = p.stage;
    s.step = p.step;
    s.starter = starter;
    s.scheme = starter ? scheme_label(starting_scheme().to_json()) + " (starting step)" : scheme_label(trained.scheme->to_json());
    if (auto k = step.learned_k(); k.defined()) s.learned_k = true, s.k = k.to(torch::kFloat64).mean().item<double>();
    auto field = fields.front();
    const auto ritz = jacobian_ritz_values([&](const torch::Tensor& u) { return field->forward(u); }, p.u, iterations,
                                           seed + static_cast<uint64_t>(study.steps.size()));
    StepStabilityProbe probe(starter ? starting_scheme() : *trained.scheme, starter ? nullptr : &step);
    size_t inside = 0;
    s.max_real = -1e300;
    for (const auto& example : ritz)
      for (const auto& lambda : example) {
        const std::complex<double> z = lambda * 1.0;  // Δt = 1 in the trained network
        s.z.push_back(z);
        inside += probe.stable(z) ? 1 : 0;
        s.max_abs = std::max(s.max_abs, std::abs(z));
        s.max_real = std::max(s.max_real, z.real());
      }
    s.inside = s.z.empty() ? 0.0 : static_cast<double>(inside) / static_cast<double>(s.z.size());
    s.boundary = stability_boundary_by_rays(probe, 180, std::max(4.0, 1.2 * s.max_abs));
    study.steps.push_back(std::move(s));
  }
  return study;
}

SmoothnessReport smoothness_in_depth(const StagedNetworkImpl& network) {
  SmoothnessReport r;
  for (size_t s = 0; s < network.stages().size(); ++s) {
    const StageImpl& stage = *network.stages()[s];
    std::vector<const StepImpl*> steps;
    for (size_t i = static_cast<size_t>(stage.shape().openings); i < stage.steps().size(); ++i)
      steps.push_back(stage.steps()[i].get());
    r.steps += static_cast<int64_t>(steps.size());
    r.stage_max_norm.push_back(0);
    r.stage_max_increment.push_back(0);
    std::map<std::string, ParameterIncrements> kinds;
    torch::Tensor before;                         // the previous step's field parameters
    std::map<std::string, torch::Tensor> a;       // and its tensors by kind
    for (size_t n = 0; n < steps.size(); ++n) {
      const torch::Tensor all = field_parameters(*steps[n]);
      auto b = step_tensors(*steps[n]);
      if (all.defined()) r.stage_max_norm.back() = std::max(r.stage_max_norm.back(), all.norm().item<double>());
      if (n > 0 && all.defined() && before.defined() && all.sizes() == before.sizes()) {
        const double increment = (all - before).norm().item<double>();
        r.stage_max_increment.back() = std::max(r.stage_max_increment.back(), increment);
        auto& k = kinds["all"];
        k.relative.push_back(increment / before.norm().item<double>());
      }
      for (const auto& [name, value] : b) {
        auto it = a.find(name);  // empty before the stage's first step
        if (it == a.end() || it->second.sizes() != value.sizes()) continue;
        const double norm = it->second.norm().item<double>();
        if (norm > 0) kinds[name].relative.push_back((value - it->second).norm().item<double>() / norm);
      }
      before = all;
      a = std::move(b);
    }
    for (auto& [name, k] : kinds) {
      k.stage = static_cast<int>(s);
      k.kind = name;
      r.increments.push_back(std::move(k));
    }
    r.max_norm = std::max(r.max_norm, r.stage_max_norm.back());
    r.max_increment = std::max(r.max_increment, r.stage_max_increment.back());
  }
  return r;
}

SmoothnessReport smoothness_study(const std::string& dir) {
  const TrainedModel trained = load_trained_model(dir);
  SmoothnessReport r = smoothness_in_depth(*staged(trained));
  r.dir = dir;
  r.depth = trained.options.depth;
  return r;
}

DepthScaling depth_scaling(const std::vector<SmoothnessReport>& runs) {
  DepthScaling d;
  d.runs = runs.size();
  std::vector<double> x_norm, norms, x_increment, increments;  // a run with one step per stage has no increment
  for (const auto& r : runs) {
    if (std::find(d.depths.begin(), d.depths.end(), r.depth) == d.depths.end()) d.depths.push_back(r.depth);
    const double log_depth = std::log(static_cast<double>(r.depth));
    if (r.max_norm > 0) x_norm.push_back(log_depth), norms.push_back(std::log(r.max_norm));
    if (r.max_increment > 0) x_increment.push_back(log_depth), increments.push_back(std::log(r.max_increment));
  }
  std::sort(d.depths.begin(), d.depths.end());
  d.norm_exponent = fit_line(x_norm, norms);
  d.increment_exponent = fit_line(x_increment, increments);
  size_t stages = 0;
  for (const auto& r : runs) stages = std::max(stages, r.stage_max_norm.size());
  for (size_t s = 0; s < stages; ++s) {
    std::vector<double> xn, yn, xi, yi;
    for (const auto& r : runs) {
      const double log_depth = std::log(static_cast<double>(r.depth));
      if (s < r.stage_max_norm.size() && r.stage_max_norm[s] > 0) xn.push_back(log_depth), yn.push_back(std::log(r.stage_max_norm[s]));
      if (s < r.stage_max_increment.size() && r.stage_max_increment[s] > 0)
        xi.push_back(log_depth), yi.push_back(std::log(r.stage_max_increment[s]));
    }
    d.stage_norm_exponents.push_back(fit_line(xn, yn));
    d.stage_increment_exponents.push_back(fit_line(xi, yi));
  }
  return d;
}

namespace {

nlohmann::json fit_json(const LineFit& f) {
  if (!f.defined) return {{"defined", false}, {"points", f.points}};
  return {{"defined", true}, {"slope", f.slope}, {"intercept", f.intercept}, {"ci95", {f.ci_low, f.ci_high}}, {"points", f.points}};
}

nlohmann::json complex_list(const std::vector<std::complex<double>>& z) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& v : z) out.push_back({v.real(), v.imag()});
  return out;
}

std::string fit_text(const LineFit& f) {
  if (!f.defined) return "n/a";
  if (f.points < 3) return fmt::format("{:.2f}", f.slope);
  return fmt::format("{:.2f} [{:.2f}, {:.2f}]", f.slope, f.ci_low, f.ci_high);
}

}  // namespace

nlohmann::json to_json(const RefinementStudy& s) {
  nlohmann::json rows = nlohmann::json::array(), convergence = nlohmann::json::array();
  for (const auto& r : s.rows)
    rows.push_back({{"scheme", r.scheme}, {"factor", r.factor}, {"dt", r.dt}, {"stage_steps", r.stage_steps},
                    {"params", r.params}, {"test_error", r.test_error}, {"distance_to_finest", r.distance_to_finest},
                    {"distance_to_trained", r.distance_to_trained}});
  for (const auto& c : s.convergence) convergence.push_back({{"scheme", c.scheme}, {"order", fit_json(c.order)}});
  return {{"run", s.dir}, {"interpolation", s.interpolation}, {"examples", s.examples},
          {"trained_test_error", s.trained_test_error}, {"rows", rows}, {"convergence", convergence}};
}

nlohmann::json to_json(const StabilityStudy& s) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& p : s.steps)
    steps.push_back({{"step", p.name}, {"stage", p.stage + 1}, {"scheme", p.scheme}, {"k", p.k}, {"inside", p.inside},
                     {"max_abs_z", p.max_abs}, {"max_real_z", p.max_real}, {"z", complex_list(p.z)},
                     {"region_boundary", complex_list(p.boundary)}});
  return {{"run", s.dir}, {"examples", s.examples}, {"arnoldi_iterations", s.iterations}, {"dt", 1.0}, {"steps", steps}};
}

nlohmann::json to_json(const SmoothnessReport& s) {
  nlohmann::json inc = nlohmann::json::array();
  for (const auto& k : s.increments) inc.push_back({{"stage", k.stage + 1}, {"kind", k.kind}, {"relative", k.relative}});
  return {{"run", s.dir}, {"depth", s.depth}, {"steps", s.steps}, {"max_norm", s.max_norm},
          {"max_increment", s.max_increment}, {"stage_max_norm", s.stage_max_norm},
          {"stage_max_increment", s.stage_max_increment}, {"increments", inc}};
}

nlohmann::json to_json(const DepthScaling& d) {
  nlohmann::json stages = nlohmann::json::array();
  for (size_t s = 0; s < d.stage_norm_exponents.size(); ++s)
    stages.push_back({{"stage", s + 1}, {"max_norm_exponent", fit_json(d.stage_norm_exponents[s])},
                      {"max_increment_exponent", fit_json(d.stage_increment_exponents[s])}});
  return {{"runs", d.runs}, {"depths", d.depths}, {"max_norm_exponent", fit_json(d.norm_exponent)},
          {"max_increment_exponent", fit_json(d.increment_exponent)}, {"stages", stages}};
}

std::string format_refinement(const RefinementStudy& s) {
  std::string text = fmt::format(
      "{}: the trained network as an ODE, re-integrated with m steps per trained step ({} interpolation in depth), on {} "
      "test images; trained network: {:.2f} % error\n\n",
      s.dir, s.interpolation, s.examples, s.trained_test_error);
  text += "| scheme | m | Δt | steps per stage | test error (%) | logit distance to finest | to trained |\n";
  text += "|---|---:|---:|---|---:|---:|---:|\n";
  for (const auto& r : s.rows)
    text += fmt::format("| {} | {} | {:.4g} | {} | {:.2f} | {} | {:.3e} |\n", r.scheme, r.factor, r.dt,
                        fmt::join(r.stage_steps, "-"), r.test_error,
                        r.distance_to_finest > 0 ? fmt::format("{:.3e}", r.distance_to_finest) : "(finest)",
                        r.distance_to_trained);
  text += "\n| scheme | fitted order (slope of log distance against log Δt, 95 % CI) |\n|---|---|\n";
  for (const auto& c : s.convergence) text += fmt::format("| {} | {} |\n", c.scheme, fit_text(c.order));
  return text;
}

std::string format_stability(const StabilityStudy& s) {
  std::string text = fmt::format(
      "{}: dominant eigenvalues λ of each step's field Jacobian ∂f_n/∂u at the states of {} test image(s) ({} Arnoldi "
      "steps each), z = λΔt with Δt = 1, against the step's stability region\n\n",
      s.dir, s.examples, s.iterations);
  text += "| step | scheme | k_n | eigenvalues | inside region | max abs z | max Re z |\n|---|---|---:|---:|---:|---:|---:|\n";
  for (const auto& p : s.steps)
    text += fmt::format("| {} | {} | {:.3f} | {} | {:.1f} % | {:.3f} | {:.3f} |\n", p.name, p.scheme, p.k, p.z.size(),
                        100.0 * p.inside, p.max_abs, p.max_real);
  return text;
}

std::string format_smoothness(const SmoothnessReport& s) {
  std::string text = fmt::format(
      "{}: depth {}, {} steps; max_n ‖θ_n‖_F = {:.4g}, max_n ‖θ_(n+1) − θ_n‖_F = {:.4g} (θ_n: all field parameters of step n)\n\n",
      s.dir, s.depth, s.steps, s.max_norm, s.max_increment);
  text += "| stage | parameter | mean ‖θ_(n+1) − θ_n‖ / ‖θ_n‖ | max | per step |\n|---:|---|---:|---:|---|\n";
  for (const auto& k : s.increments) {
    if (k.relative.empty()) continue;
    double mean = 0, max = 0;
    std::vector<std::string> each;
    for (double v : k.relative) mean += v / static_cast<double>(k.relative.size()), max = std::max(max, v), each.push_back(fmt::format("{:.3f}", v));
    text += fmt::format("| {} | {} | {:.3f} | {:.3f} | {} |\n", k.stage + 1, k.kind, mean, max, fmt::join(each, " "));
  }
  return text;
}

std::string format_depth_scaling(const DepthScaling& d, const std::vector<SmoothnessReport>& runs) {
  auto per_stage = [](const std::vector<double>& v) {
    std::vector<std::string> out;
    for (double x : v) out.push_back(x > 0 ? fmt::format("{:.4g}", x) : "–");
    return fmt::format("{}", fmt::join(out, " / "));
  };
  std::string text =
      "| run | depth | max_n ‖θ_n‖_F | max_n ‖θ_(n+1) − θ_n‖_F | per stage: max ‖θ_n‖ | per stage: max ‖θ_(n+1) − θ_n‖ |\n"
      "|---|---:|---:|---:|---|---|\n";
  for (const auto& r : runs)
    text += fmt::format("| {} | {} | {:.4g} | {:.4g} | {} | {} |\n", r.dir, r.depth, r.max_norm, r.max_increment,
                        per_stage(r.stage_max_norm), per_stage(r.stage_max_increment));
  text += fmt::format(
      "\nOver {} runs at depths {}, least-squares slopes in log–log with their 95 % CI (θ_n: all field parameters of step n; "
      "a stage counts where it has steps, or for increments two steps, after its opening):\n\n"
      "| | max_n ‖θ_n‖ ∝ L^… | max_n ‖θ_(n+1) − θ_n‖ ∝ L^… |\n|---|---|---|\n| all stages | {} | {} |\n",
      d.runs, fmt::join(d.depths, ", "), fit_text(d.norm_exponent), fit_text(d.increment_exponent));
  for (size_t s = 0; s < d.stage_norm_exponents.size(); ++s)
    text += fmt::format("| stage {} | {} | {} |\n", s + 1, fit_text(d.stage_norm_exponents[s]),
                        fit_text(d.stage_increment_exponents[s]));
  return text;
}

std::string plot_refinement(const RefinementStudy& s, const std::string& dir, const std::string& run) {
  Plot distance{fmt::format("{}: logits against the finest solution ({} in depth)", run, s.interpolation),
                "step size Δt (trained network: 1)", "relative logit distance to the finest m", {}, true, true, {}};
  Plot error{fmt::format("{}: test error of the re-integrated network ({} in depth)", run, s.interpolation),
             "steps per trained step m", "test error (%)", {}, true, false, {}};
  for (const auto& c : s.convergence) {
    PlotSeries d{fmt::format("{} (slope {})", c.scheme, fit_text(c.order)), {}, {}, "linespoints pt 7"};
    PlotSeries e{c.scheme, {}, {}, "linespoints pt 7"};
    for (const auto& r : s.rows) {
      if (r.scheme != c.scheme) continue;
      if (r.distance_to_finest > 0) d.x.push_back(r.dt), d.y.push_back(r.distance_to_finest);
      e.x.push_back(static_cast<double>(r.factor)), e.y.push_back(r.test_error);
    }
    distance.series.push_back(d);
    error.series.push_back(e);
  }
  error.series.push_back({fmt::format("trained network ({:.2f} %)", s.trained_test_error),
                          {1.0, s.rows.empty() ? 1.0 : static_cast<double>(s.rows.back().factor)},
                          {s.trained_test_error, s.trained_test_error}, "lines dt 2 lc rgb \"black\""});
  distance.extra = {"set key bottom right", "set format x \"%g\""};
  error.extra = {"set key top left", "set format x \"%g\""};
  render_plot(distance, dir + "/refinement_distance_" + run);
  render_plot(error, dir + "/refinement_error_" + run);
  return dir + "/refinement_distance_" + run;
}

std::vector<std::string> plot_stability(const StabilityStudy& s, const std::string& dir, const std::string& run) {
  const char* colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
                           "#17becf"};
  std::map<int, Plot> stages;  // one figure per stage
  for (const auto& p : s.steps) {
    auto [it, added] = stages.try_emplace(p.stage);
    Plot& plot = it->second;
    if (added)
      plot = Plot{fmt::format("{}, stage {}: eigenvalues of df/du x dt over each step's stability region", run, p.stage + 1),
                  "Re z", "Im z", {}, false, false, {"set key outside right top", "set size ratio -1"}};
    const std::string colour = colours[(plot.series.size() / 2) % 10];
    PlotSeries points{fmt::format("{}: {:.0f} % inside", p.name, 100.0 * p.inside), {}, {},
                      "points pt 7 ps 0.7 lc rgb \"" + colour + "\""};
    for (const auto& z : p.z) points.x.push_back(z.real()), points.y.push_back(z.imag());
    const std::string whose = p.starter ? "forward Euler" : p.learned_k ? fmt::format("k = {:.2f}", p.k) : p.scheme;
    PlotSeries region{"  its region (" + whose + ")",
                      {}, {}, "lines dt 2 lw 1.5 lc rgb \"" + colour + "\""};
    for (const auto& z : p.boundary) region.x.push_back(z.real()), region.y.push_back(z.imag());  // rays in angle order
    if (!p.boundary.empty()) region.x.push_back(p.boundary.front().real()), region.y.push_back(p.boundary.front().imag());
    plot.series.push_back(points);
    plot.series.push_back(region);
  }
  std::vector<std::string> bases;
  for (auto& [stage, plot] : stages) {
    bases.push_back(fmt::format("{}/spectra_{}_stage{}", dir, run, stage + 1));
    render_plot(plot, bases.back());
  }
  return bases;
}

std::string plot_increments(const SmoothnessReport& s, const std::string& dir, const std::string& run) {
  Plot plot{fmt::format("{}: relative parameter increments in depth (all field parameters)", run),
            "step n within the stage", "‖θ_(n+1) − θ_n‖_F / ‖θ_n‖_F", {}, false, false, {"set key top right"}};
  for (const auto& k : s.increments) {
    if (k.kind != "all") continue;
    PlotSeries series{fmt::format("stage {}", k.stage + 1), {}, {}, "linespoints pt 7"};
    for (size_t n = 0; n < k.relative.size(); ++n) series.x.push_back(static_cast<double>(n + 1)), series.y.push_back(k.relative[n]);
    plot.series.push_back(series);
  }
  if (plot.series.empty()) return "";  // no stage with two steps after its opening
  render_plot(plot, dir + "/increments_" + run);
  return dir + "/increments_" + run;
}

std::string plot_depth_scaling(const std::vector<SmoothnessReport>& runs, const DepthScaling& d, const std::string& dir) {
  const char* colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"};
  auto figure = [&](bool increments) {
    Plot plot{increments ? "Largest parameter increment between consecutive steps, against depth"
                         : "Largest parameter norm of a step, against depth",
              "depth L", increments ? "max_n ||theta_(n+1) - theta_n||_F" : "max_n ||theta_n||_F", {}, true, true,
              {"set key outside right", "set format y \"%g\"", "set format x \"%g\""}};
    const auto& fits = increments ? d.stage_increment_exponents : d.stage_norm_exponents;
    for (size_t s = 0; s < fits.size(); ++s) {
      const std::string colour = colours[s % 5];
      PlotSeries points{fmt::format("stage {}", s + 1), {}, {}, "points pt 7 ps 1.2 lc rgb \"" + colour + "\""};
      double low = 1e300, high = 0;
      for (const auto& r : runs) {
        const auto& v = increments ? r.stage_max_increment : r.stage_max_norm;
        if (s >= v.size() || v[s] <= 0) continue;
        points.x.push_back(static_cast<double>(r.depth)), points.y.push_back(v[s]);
        low = std::min(low, static_cast<double>(r.depth)), high = std::max(high, static_cast<double>(r.depth));
      }
      plot.series.push_back(points);
      PlotSeries line{fmt::format("  fit: slope {}", fit_text(fits[s])), {}, {}, "lines dt 2 lc rgb \"" + colour + "\""};
      if (fits[s].defined)
        for (double L : {low, high}) line.x.push_back(L), line.y.push_back(std::exp(fits[s].intercept + fits[s].slope * std::log(L)));
      plot.series.push_back(line);
    }
    const std::string base = dir + (increments ? "/depth_scaling_increments" : "/depth_scaling_norms");
    render_plot(plot, base);
    return base;
  };
  figure(true);
  return figure(false);
}

}  // namespace odenet
