#include "experiments/throughput.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>

#include "data/fixed_batch_source.h"
#include "experiments/run_setup.h"
#include "training/precision.h"

namespace odenet {
namespace {

// A run ready to be timed both ways: its trainer on the loader, and one on a fixed batch.
struct Bench {
  RunSetup setup;
  std::unique_ptr<FixedBatchSource> fixed;
  std::unique_ptr<Trainer> compute;
};

}  // namespace

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

std::vector<ThroughputResult> measure_throughput(const std::vector<RunSpec>& runs,
                                                 const std::vector<const DatasetSplits*>& data,
                                                 const c10::Device& device, const ThroughputOptions& o) {
  std::vector<Bench> benches;
  std::vector<ThroughputResult> results(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) {
    Bench b{setup_run(runs[i], *data[i], device), nullptr, nullptr};
    b.fixed = std::make_unique<FixedBatchSource>(*b.setup.train_loader);
    // The same model with its own optimizer state: steps on the fixed batch.
    b.compute = std::make_unique<Trainer>(b.setup.model, *b.fixed, *b.setup.test_loader, b.setup.train);
    results[i].precision = precision_name(b.setup.train.precision);
    results[i].notice = b.setup.notice;
    results[i].params = b.setup.params;
    benches.push_back(std::move(b));
  }
  // Odd rounds go backwards (runs and modes): with A B | B A no measurement always comes first, so a
  // drift in the machine's speed does not favour one.
  for (int r = 0; r < o.rounds; ++r) {
    const bool backwards = r % 2 == 1;
    for (size_t k = 0; k < benches.size(); ++k) {
      const size_t i = backwards ? benches.size() - 1 - k : k;
      StepPhases* phases = o.phases ? &results[i].phases : nullptr;
      auto end_to_end = [&] {
        results[i].end_to_end.push_back(
            benches[i].setup.trainer->measure_throughput(o.steps, o.warmup, o.compute_only ? nullptr : phases));
      };
      auto compute_only = [&] {
        results[i].compute_only.push_back(benches[i].compute->measure_throughput(o.steps, o.warmup, phases));
      };
      if (o.end_to_end && !backwards) end_to_end();
      if (o.compute_only) compute_only();
      if (o.end_to_end && backwards) end_to_end();
    }
  }
  if (!o.profile_dir.empty()) {
    std::filesystem::create_directories(o.profile_dir);
    for (size_t i = 0; i < benches.size(); ++i)
      results[i].profile = profile_steps(*benches[i].compute, o.steps, o.warmup,
                                         o.profile_dir + "/" + runs[i].run_id + ".trace.json");
  }
  return results;
}

namespace {

nlohmann::json phase_medians_ms(const StepPhases& phases) {
  nlohmann::json out;
  for (size_t p = 0; p < StepPhases::kCount; ++p) {
    std::vector<double> ms;
    for (const auto& step : phases.steps) ms.push_back(1e3 * step[p]);
    out[StepPhases::kNames[p]] = median(ms);
  }
  return out;
}

}  // namespace

nlohmann::json throughput_report(const std::string& experiment, const std::vector<RunSpec>& runs,
                                 const std::vector<ThroughputResult>& results, const std::string& device, int threads,
                                 const ThroughputOptions& t) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& r = results[i];
    std::vector<double> e2e_ratios;  // paired round by round: each pair saw the same machine
    for (size_t k = 0; k < r.end_to_end.size() && k < r.compute_only.size(); ++k)
      e2e_ratios.push_back(r.end_to_end[k] / r.compute_only[k]);
    out.push_back({{"run", experiment + "/" + runs[i].run_id},
                   {"device", device},
                   {"threads", threads},
                   {"precision", r.precision},
                   {"requested_precision", enum_name(precision_request_names(), runs[i].precision)},
                   {"auto_precision", auto_precision_reason(c10::Device(device))},
                   {"batch_size", runs[i].train.batch_size},
                   {"params", r.params},
                   {"end_to_end_images_per_second", median(r.end_to_end)},
                   {"compute_images_per_second", median(r.compute_only)},
                   {"end_to_end_rounds", r.end_to_end},
                   {"compute_rounds", r.compute_only},
                   {"end_to_end_over_compute", median(e2e_ratios)}});
    if (!r.notice.empty()) out[i]["notice"] = r.notice;
    if (t.phases) {
      out[i]["phase_ms"] = phase_medians_ms(r.phases);
      out[i]["phase_steps"] = r.phases.steps.size();
      if (i > 0) {
        nlohmann::json more;
        for (const auto& [phase, ms] : out[i]["phase_ms"].items()) more[phase] = ms.get<double>() - out[0]["phase_ms"][phase].get<double>();
        out[i]["phase_ms_more_than_first"] = more;
      }
    }
    if (i == 0) continue;
    // Step time against the first run's, paired round by round.
    const auto& mine = t.compute_only ? r.compute_only : r.end_to_end;
    const auto& first = t.compute_only ? results[0].compute_only : results[0].end_to_end;
    std::vector<double> ratios;
    for (size_t k = 0; k < mine.size(); ++k) ratios.push_back(first[k] / mine[k]);
    out[i]["step_time_ratio_to_first"] = median(ratios);
  }
  return out;
}

std::string format_throughput_report(const nlohmann::json& report, const std::vector<RunSpec>& runs,
                                     const std::vector<ThroughputResult>& results, const ThroughputOptions& t) {
  std::string text;
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& row = report[i];
    const std::string precision =
        runs[i].precision == PrecisionRequest::kAuto ? row["auto_precision"].get<std::string>() : results[i].precision;
    text += fmt::format("{} on {} ({} thread(s), {}, batch {}):", row["run"].get<std::string>(), row["device"].get<std::string>(),
                        row["threads"].get<int>(), precision, runs[i].train.batch_size);
    if (t.end_to_end) text += fmt::format(" end to end {:.0f} images/s", median(results[i].end_to_end));
    if (t.compute_only)
      text += fmt::format("{} compute only {:.0f} images/s", t.end_to_end ? "," : "", median(results[i].compute_only));
    if (t.end_to_end && t.compute_only)
      text += fmt::format(" (end to end / compute {:.3f})", row["end_to_end_over_compute"].get<double>());
    if (i > 0) text += fmt::format("; step time {:.3f}x the first run's", row["step_time_ratio_to_first"].get<double>());
    text += "\n";
    if (!results[i].notice.empty()) text += fmt::format("  {}\n", results[i].notice);
    if (!t.phases) continue;
    std::vector<std::string> parts;
    for (const char* phase : StepPhases::kNames)
      parts.push_back(fmt::format("{} {:.1f}", phase, row["phase_ms"][phase].get<double>()) +
                      (i > 0 ? fmt::format(" ({:+.1f})", row["phase_ms_more_than_first"][phase].get<double>()) : ""));
    text += fmt::format("  median ms per step over {} steps: {}{}\n", results[i].phases.steps.size(), fmt::join(parts, ", "),
                        i > 0 ? " (against the first run's)" : "");
  }
  for (size_t i = 0; i < runs.size() && !t.profile_dir.empty(); ++i) {
    double total = 0;
    for (const auto& op : results[i].profile) total += op.self_ms;
    text += fmt::format("\n{}: {} compute-only steps, {:.1f} ms of operator time per step ({}/{}.trace.json)\n",
                        report[i]["run"].get<std::string>(), t.steps, total / t.steps, t.profile_dir, runs[i].run_id);
    text += fmt::format("  {:>9} {:>9} {:>7}  {}\n", "self ms", "total ms", "calls", "operator (per step)");
    for (size_t k = 0; k < std::min<size_t>(18, results[i].profile.size()); ++k) {
      const auto& op = results[i].profile[k];
      text += fmt::format("  {:>9.2f} {:>9.2f} {:>7.1f}  {}\n", op.self_ms / t.steps, op.total_ms / t.steps,
                          double(op.calls) / t.steps, op.name);
    }
  }
  return text;
}

}  // namespace odenet
