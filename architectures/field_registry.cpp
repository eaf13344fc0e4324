#include "architectures/field_registry.h"

#include "architectures/structured_fields.h"

namespace odenet {

void register_builtin_fields(FieldRegistry& registry) {
  registry.add("basic", {"two 3x3 convolutions (ResNet's basic block)", 2, 1, {},
                         [](const FieldShape& s, const ModelOptions&) -> std::shared_ptr<FieldImpl> {
                           return std::make_shared<BasicFieldImpl>(
                               BasicFieldOptions(s.in, s.out).stride(s.stride).activation(s.activation));
                         }});
  registry.add("bottleneck", {"1x1, 3x3 (grouped: ResNeXt), 1x1 with a 4x wider output", 3, 4,
                              {"cardinality", "bottleneck_width"},
                              [](const FieldShape& s, const ModelOptions& m) -> std::shared_ptr<FieldImpl> {
                                return std::make_shared<BottleneckFieldImpl>(BottleneckFieldOptions(s.in, s.inner, s.out)
                                                                                 .stride(s.stride)
                                                                                 .activation(s.activation)
                                                                                 .groups(m.cardinality));
                              }});
  registry.add("conv", {"one 3x3 conv-BN-ReLU unit with optional dropout (FractalNet's)", 1, 1, {},
                        [](const FieldShape& s, const ModelOptions&) -> std::shared_ptr<FieldImpl> {
                          return std::make_shared<ConvUnitImpl>(
                              ConvUnitOptions(s.in, s.out).stride(s.stride).activation(s.activation).dropout(s.dropout));
                        }});
  // Structured fields map a state to its own shape; a transition (stride or width change) gets a
  // conv-BN-ReLU unit.
  auto transition = [](const FieldShape& s) -> std::shared_ptr<FieldImpl> {
    return std::make_shared<ConvUnitImpl>(ConvUnitOptions(s.in, s.out).stride(s.stride).activation(s.activation));
  };
  registry.add("antisymmetric", {"tanh((K − K* − γI) u + b): a 3x3 convolution made antisymmetric, damped by γ (\"damping\")", 1, 1,
                                 {"damping"},
                                 [transition](const FieldShape& s, const ModelOptions& m) -> std::shared_ptr<FieldImpl> {
                                   if (s.in != s.out || s.stride != 1) return transition(s);
                                   return std::make_shared<AntisymmetricFieldImpl>(s.in, m.damping);
                                 }});
  registry.add("hamiltonian", {"−Kᵀ ReLU(BN(K z + b)): a force −∇V, the transposed convolution sharing K's weights (Chang et al. 2018)", 2, 1, {},
                               [transition](const FieldShape& s, const ModelOptions&) -> std::shared_ptr<FieldImpl> {
                                 if (s.in != s.out || s.stride != 1) return transition(s);
                                 return std::make_shared<HamiltonianFieldImpl>(s.in);
                               }});
}

FieldRegistry& field_registry() {
  static FieldRegistry registry = [] {
    FieldRegistry r("field (block)");
    register_builtin_fields(r);
    return r;
  }();
  return registry;
}

}  // namespace odenet
