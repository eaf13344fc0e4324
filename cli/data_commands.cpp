// The commands about data: pack (an image folder as one packed file per split) and data-speed
// (images per second of a run's loader, alone, at several worker counts).
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/threads.h"
#include "data/image_folder_reader.h"
#include "data/image_index.h"
#include "data/image_pack.h"
#include "data/loader.h"
#include "experiments/experiment.h"
#include "experiments/run_setup.h"
#include "training/progress.h"

namespace odenet::cli {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Packs root/<split> into out/<split>.odenet-pack, with a progress line on stderr.
void pack_split(const std::string& root, const std::string& split, const std::string& out, const PackOptions& o,
                bool skip_corrupt) {
  ImageIndexOptions index;
  index.dir = root + "/" + split;
  index.threads = o.threads;
  index.cache_dir = default_cache_dir();
  index.skip_unreadable = skip_corrupt;
  const auto files = index_image_files(index);
  const std::string path = image_pack_path(out, split);
  const auto start = Clock::now();
  double shown = -10;
  const PackSummary s = write_image_pack(*files, path, o, [&](int64_t done, int64_t total) {
    const double t = seconds_since(start);
    if (t - shown < 2 && done < total) return;
    shown = t;
    std::fprintf(stderr, "\rpacking %s: %lld/%lld images, %.0f images/s, ETA %s   ", split.c_str(),
                 static_cast<long long>(done), static_cast<long long>(total), done / std::max(t, 1e-9),
                 format_duration((total - done) * t / std::max<int64_t>(done, 1)).c_str());
  });
  std::fprintf(stderr, "\n");
  std::cout << fmt::format("{}: {} images ({} re-encoded at quality {}, longer side ≤ {}), {:.1f} MB, {:.1f} s\n", path,
                           s.images, s.reencoded, o.quality, o.max_side, s.bytes / 1e6, seconds_since(start));
}

}  // namespace

int pack_command(const Args& args) {
  po::options_description options("odenet pack options");
  std::string root, out, splits;
  PackOptions o;
  bool skip_corrupt = false;
  options.add_options()("root", po::value(&root)->required(), "image folder: ROOT/<split>/<class>/<images>")(
      "out", po::value(&out)->required(), "directory for OUT/<split>.odenet-pack (may be ROOT)")(
      "splits", po::value(&splits)->default_value("train,val"), "the splits to pack, comma-separated")(
      "max-side", po::value(&o.max_side)->default_value(512), "longer side cap: larger images are downscaled (antialiased)")(
      "quality", po::value(&o.quality)->default_value(90), "JPEG quality of re-encoded images (1-100)")(
      "threads", po::value(&o.threads)->default_value(0), "encoders in parallel (0: all cores)")(
      "skip-corrupt", po::bool_switch(&skip_corrupt), "leave out (and count) images whose header cannot be read");
  po::positional_options_description positional;
  positional.add("root", 1).add("out", 1);
  po::variables_map vm;
  if (!parse(args, "odenet pack ROOT OUT [--splits train,val] [--max-side 512] [--quality 90] [--threads N]", options,
             positional, vm))
    return 0;
  if (o.max_side < 8 || o.quality < 1 || o.quality > 100 || o.threads < 0)
    throw ConfigError("--max-side must be at least 8, --quality 1 to 100, --threads 0 or more");
  if (o.threads == 0) o.threads = available_cores();
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw Error(out + ": cannot create: " + ec.message());
  for (const auto& split : split_list(splits)) pack_split(root, split, out, o, skip_corrupt);
  return 0;
}

int data_speed_command(const Args& args) {
  po::options_description options("odenet data-speed options");
  std::string file, split;
  size_t index = 0;
  std::vector<int> workers;
  int batches = 20;
  bool json = false;
  options.add_options()("experiment", po::value(&file)->required(), "experiment JSON file")(
      "run", po::value(&index)->default_value(0), "which of its runs (as `odenet validate` lists them)")(
      "workers", po::value(&workers)->multitoken(), "loader thread counts to measure (default: 1 and all cores)")(
      "batches", po::value(&batches)->default_value(20), "batches timed per count, from an empty pipeline")(
      "split", po::value(&split)->default_value("train"), "train (augmented views) or test (evaluation views)")(
      "json", po::bool_switch(&json), "print one JSON array of {workers, images_per_second}");
  po::positional_options_description positional;
  positional.add("experiment", 1);
  po::variables_map vm;
  if (!parse(args, "odenet data-speed EXPERIMENT.json [--run I] [--workers N...] [--batches B] [--split train|test] [--json]",
             options, positional, vm))
    return 0;
  if (split != "train" && split != "test") throw ConfigError("--split: '" + split + "' is not train or test");
  if (batches < 1) throw ConfigError("--batches must be positive");
  if (workers.empty()) workers = {1, available_cores()};
  Experiment e = load_experiment(file);
  if (index >= e.runs.size()) throw ConfigError(fmt::format("--run {}: {} has {} run(s)", index, file, e.runs.size()));
  const RunSpec& run = e.runs[index];
  LoadedDatasets datasets;
  const DatasetSplits& data = datasets.of(run);
  AugmentOptions augment = run.augment;
  if (augment.mean.empty()) channel_statistics(data.train, augment.mean, augment.std);
  const Dataset& images = split == "train" ? data.train : data.test;
  if (!json)
    std::cout << fmt::format("{} ({} images), batch {}, {} views, decoded to normalised float on this CPU\n",
                             run.dataset.root, images.size(), run.train.batch_size, split == "train" ? "training" : "evaluation");
  double single = 0;
  nlohmann::json rows = nlohmann::json::array();
  for (int w : workers) {
    if (w < 1) throw ConfigError("--workers: counts must be positive");
    Loader loader(images, LoaderOptions{run.train.batch_size, split == "train", run.seed, augment, c10::Device(c10::kCPU), 2, w});
    const auto start = Clock::now();  // from an empty pipeline: the time to fill it counts
    const int64_t steps = loader.begin(0);
    if (steps < batches) throw ConfigError(fmt::format("--batches {}: a pass has only {} batches", batches, steps));
    int64_t count = 0;
    for (int b = 0; b < batches; ++b) count += loader.next().images.size(0);
    const double rate = count / seconds_since(start);
    if (w == workers.front()) single = rate / w;
    rows.push_back({{"workers", w}, {"images_per_second", rate}});
    if (!json)
      std::cout << fmt::format("  {:>2} worker(s): {:7.1f} images/s, {:6.1f} per worker, {:.2f} of linear\n", w, rate,
                               rate / w, rate / (w * single));
  }
  if (json) std::cout << rows.dump() << "\n";
  return 0;
}

}  // namespace odenet::cli
