// Tensor names of torchvision's ResNet-50/101/152 for odenet's imagenet_resnet
// layouts, whose forward-Euler networks compute torchvision's function exactly:
//   stem → conv1, stem_bn → bn1, stage{s}.block{b}.f.X → layer{s}.{b−1}.X,
//   stage{s}.block{b}.projection.{conv,bn} → layer{s}.{b−1}.downsample.{0,1}, fc → fc.
#pragma once
#include <string>

namespace odenet {

/// torchvision's name for odenet tensor `name`; "" for a tensor torchvision's ResNets do not
/// have (a learned LM coefficient), which then keeps its own initialisation.
std::string torchvision_name(const std::string& name);

}  // namespace odenet
