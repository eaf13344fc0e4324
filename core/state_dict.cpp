#include "core/state_dict.h"

#include <c10/util/Exception.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/serialize.h>

#include <set>

#include "core/atomic_file.h"
#include "core/error.h"

namespace odenet {

StateDict state_dict(const torch::nn::Module& module) {
  StateDict dict;
  for (const auto& item : module.named_parameters(/*recurse=*/true))
    dict.insert(item.key(), item.value().detach().cpu().contiguous().clone());
  for (const auto& item : module.named_buffers(/*recurse=*/true))
    dict.insert(item.key(), item.value().detach().cpu().contiguous().clone());
  return dict;
}

void save_state_dict(const std::string& path, const StateDict& dict) {
  std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
  write_file_atomic(path, std::string(bytes.begin(), bytes.end()));
}

StateDict read_state_dict(const std::string& path) {
  const std::string text = read_text_file(path);
  c10::IValue value;
  try {
    value = torch::pickle_load(std::vector<char>(text.begin(), text.end()));
  } catch (const c10::Error& e) {
    // PyTorch's state_dict() is an OrderedDict with _metadata, which LibTorch's unpickler cannot read.
    throw DataError(path + ": not a state dict LibTorch can read (save it from Python with "
                           "torch.save(dict(model.state_dict()), path))");
  }
  if (!value.isGenericDict()) throw DataError(path + ": holds a " + value.tagKind() + ", not a dict of tensors");
  StateDict dict;
  for (const auto& entry : value.toGenericDict()) {
    if (!entry.key().isString()) throw DataError(path + ": a key that is not a string (" + entry.key().tagKind() + ")");
    const std::string& name = entry.key().toStringRef();
    if (!entry.value().isTensor()) throw DataError(path + ": entry '" + name + "' is a " + entry.value().tagKind() + ", not a tensor");
    dict.insert(name, entry.value().toTensor());
  }
  return dict;
}

namespace {
std::string shape_of(const at::Tensor& t) { return fmt::format("[{}]", fmt::join(t.sizes(), ", ")); }
}  // namespace

void load_state_dict(torch::nn::Module& module, const StateDict& dict, const std::string& source, const NameMap& rename) {
  std::vector<std::pair<std::string, at::Tensor>> targets;
  for (const auto& item : module.named_parameters(true)) targets.emplace_back(item.key(), item.value());
  for (const auto& item : module.named_buffers(true)) targets.emplace_back(item.key(), item.value());
  std::set<std::string> used;
  torch::NoGradGuard no_grad;
  for (auto& [own, tensor] : targets) {
    const std::string name = rename ? rename(own) : own;
    if (name.empty()) continue;
    auto it = dict.find(name);
    if (it == dict.end())
      throw DataError(fmt::format("{}: no tensor '{}' (the network's {}), which the network needs", source, name, own));
    const at::Tensor& value = it->value();
    if (value.sizes() != tensor.sizes())
      throw DataError(fmt::format("{}: '{}' has shape {} where the network's {} has {}", source, name, shape_of(value),
                                  own, shape_of(tensor)));
    if (value.is_floating_point()) {  // an inf running_var or a NaN weight would poison training silently
      const int64_t bad = value.isfinite().logical_not().sum().item<int64_t>();
      if (bad > 0)
        throw DataError(fmt::format("{}: '{}' holds {} non-finite value(s) (inf or NaN) of {}", source, name, bad, value.numel()));
    }
    tensor.copy_(value);
    used.insert(name);
  }
  for (const auto& entry : dict)
    if (!used.count(entry.key()))
      throw DataError(fmt::format("{}: tensor '{}' has no place in the network", source, entry.key()));
}

const EnumNames<StateDictNaming>& state_dict_namings() {
  static const EnumNames<StateDictNaming> names{{"odenet", StateDictNaming::kOdenet}, {"torchvision", StateDictNaming::kTorchvision}};
  return names;
}

}  // namespace odenet
