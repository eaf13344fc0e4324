// A module's state dict — every parameter and buffer under the dotted name the
// module tree gives it ("stage1.block0.f.conv1.weight") — in the file format
// of PyTorch's torch.save / torch.load, so weights cross between odenet and Python.
#pragma once
#include <ATen/core/Dict.h>
#include <torch/nn/module.h>

#include <functional>
#include <string>

#include "core/enum_names.h"

namespace odenet {

using StateDict = c10::Dict<std::string, at::Tensor>;

/// Parameters then buffers of `module`, as contiguous CPU tensors (copies), in module order.
StateDict state_dict(const torch::nn::Module& module);

/// Writes `dict` to `path` (atomically) as a pickled dict that Python's torch.load reads.
void save_state_dict(const std::string& path, const StateDict& dict);

/// Reads a dict of tensors saved by save_state_dict or by Python's torch.save(dict(...)); anything
/// else is a DataError naming the file.
StateDict read_state_dict(const std::string& path);

/// Maps a name of the module's own to the name the dict uses (identity when empty); "" for a
/// tensor the dict's naming does not have, which keeps its own initialisation.
using NameMap = std::function<std::string(const std::string&)>;

/// Whose tensor names a state-dict file uses: odenet's module tree or torchvision's models.
enum class StateDictNaming { kOdenet, kTorchvision };
const EnumNames<StateDictNaming>& state_dict_namings();  ///< odenet, torchvision

/// Copies `dict` into `module`'s parameters and buffers. Strict: a tensor of the module missing
/// from the dict, a dict entry the module lacks, or a shape mismatch is a DataError naming `source`
/// and the tensor.
void load_state_dict(torch::nn::Module& module, const StateDict& dict, const std::string& source,
                     const NameMap& rename = {});

}  // namespace odenet
