#include "tests/support/test_support.h"

#include "data/image_codec.h"
#include "discretizations/scheme.h"
#include "experiments/parallel_runs.h"

#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <sys/wait.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace odenet::test {
namespace fs = std::filesystem;

std::vector<nlohmann::json> registered_scheme_examples(bool aliases) {
  std::vector<nlohmann::json> out;
  std::vector<std::string> names = scheme_registry().names();
  if (aliases)
    for (const auto& name : scheme_registry().aliases()) names.push_back(name);
  for (const auto& name : names)
    for (const auto& example : scheme_registry().get(name).examples) out.push_back(example);
  return out;
}

// POSIX rather than std::filesystem here: PyTorch's wheels export their own statically linked
// copies of libstdc++'s filesystem functions (pytorch/pytorch#133437), which crashed these helpers.
ScratchDir::ScratchDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/odenet-test-XXXXXX";
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  // Depth-first, without following links: files and subdirectories before their parent.
  nftw(path_.c_str(), [](const char* path, const struct stat*, int, struct FTW*) { return ::remove(path); }, 16,
       FTW_DEPTH | FTW_PHYS);
}

ScopedEnv::ScopedEnv(const std::string& name, const char* value) : name_(name) {
  if (const char* old = std::getenv(name.c_str())) had_ = true, previous_ = old;
  if (value)
    ::setenv(name.c_str(), value, 1);
  else
    ::unsetenv(name.c_str());
}

ScopedEnv::~ScopedEnv() {
  if (had_)
    ::setenv(name_.c_str(), previous_.c_str(), 1);
  else
    ::unsetenv(name_.c_str());
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes, bool gzip) {
  if (gzip) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
    return;
  }
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

namespace {
void put32(std::vector<uint8_t>& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}
}  // namespace

std::vector<uint8_t> idx_images(int n, int h, int w, int classes, unsigned seed) {
  std::vector<uint8_t> b{0, 0, 0x08, 3};
  put32(b, n);
  put32(b, h);
  put32(b, w);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> noise(0, 60);
  for (int i = 0; i < n; ++i) {
    int label = i % classes;
    int cy = (label * 3) % std::max(1, h - 2), cx = (label * 5) % std::max(1, w - 2);  // where this class's square sits
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        b.push_back(static_cast<uint8_t>((y >= cy && y < cy + 3 && x >= cx && x < cx + 3) ? 255 - noise(rng) : noise(rng)));
  }
  return b;
}

std::vector<uint8_t> idx_labels(int n, int classes) {
  std::vector<uint8_t> b{0, 0, 0x08, 1};
  put32(b, n);
  for (int i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(i % classes));
  return b;
}

void write_jpeg_folder(const std::string& root, const std::string& split, int classes, int per_class, int min_side,
                       int max_side, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> side(min_side, max_side), noise(-12, 12);
  for (int c = 0; c < classes; ++c) {
    const std::string dir = root + "/" + split + "/class" + std::to_string(c);
    fs::create_directories(dir);
    for (int k = 0; k < per_class; ++k) {
      Image image{side(rng), side(rng), 3, {}};
      image.pixels.resize(static_cast<size_t>(image.width) * image.height * 3);
      for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x)
          for (int ch = 0; ch < 3; ++ch) {
            const double v = 128 + 70 * std::sin(0.05 * (c + 1) * x + 0.9 * ch) * std::cos(0.04 * y) + noise(rng);
            image.pixels[(static_cast<size_t>(y) * image.width + x) * 3 + ch] = static_cast<uint8_t>(std::clamp(v, 0.0, 255.0));
          }
      write_jpeg(dir + "/" + std::to_string(k) + ".JPEG", image, 90);
    }
  }
}

void write_idx_dataset(const std::string& dir, int train, int test, int size, int classes) {
  fs::create_directories(dir);
  write_bytes(dir + "/train-images-idx3-ubyte.gz", idx_images(train, size, size, classes, 1), true);
  write_bytes(dir + "/train-labels-idx1-ubyte.gz", idx_labels(train, classes), true);
  write_bytes(dir + "/t10k-images-idx3-ubyte.gz", idx_images(test, size, size, classes, 2), true);
  write_bytes(dir + "/t10k-labels-idx1-ubyte.gz", idx_labels(test, classes), true);
}

CommandResult run_odenet(const std::string& args) { return run_shell(std::string(ODENET_BINARY) + " " + args); }

CommandResult run_shell(const std::string& command) { return run_shell_command(command); }

pid_t spawn_odenet(const std::vector<std::string>& args, const std::string& output, const std::vector<std::string>& env) {
  std::vector<std::string> all{ODENET_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  std::vector<std::string> env_strings = environment_with(env);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(std::string("cannot start ") + ODENET_BINARY);
  return pid;
}

nlohmann::json tiny_experiment(const std::string& data, const std::string& name, int epochs) {
  return {{"name", name},
          {"dataset",
           {{"name", "tiny"},
            {"format", "idx"},
            {"root", data},
            {"augment", {{"pad", 1}, {"flip", true}, {"mean", {0.2}}, {"std", {0.3}}}}}},
          {"model",
           {{"layout", "cifar_resnet"},
            {"activation", "pre"},
            {"shortcut", "projection"},
            {"depth", 8},
            {"width", 4},
            {"scheme", {{"name", "linear_multistep"}}}}},
          {"train",
           {{"epochs", epochs},
            {"batch_size", 32},
            {"optimizer", {{"lr", 0.05}, {"decay_excludes", {"bn", "k"}}}},
            {"schedule", {{"name", "multistep"}, {"milestones", {epochs}}}}}},
          {"seeds", {0}}};
}

std::vector<nlohmann::json> metric_lines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

}  // namespace odenet::test
