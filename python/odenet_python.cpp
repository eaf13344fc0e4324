// The C++ half of the Python module `odenet` (package: python/odenet/): the
// registries, model building, run loading and scheme verification, exposed
// through pybind11. The Python half wraps a network into a torch.nn.Module.
#include <torch/csrc/utils/pybind.h>  // pybind11 with LibTorch's tensor conversions

#include <fmt/format.h>
#include <pybind11/stl.h>

#include "analysis/ode_problems.h"
#include "analysis/scheme_verification.h"
#include "analysis/trained_model.h"
#include "architectures/presets.h"
#include "architectures/torchvision_names.h"
#include "core/error.h"
#include "core/state_dict.h"
#include "core/json_reader.h"
#include "discretizations/plugin_loader.h"

namespace py = pybind11;

namespace odenet {
namespace {

py::object to_python(const nlohmann::json& j) { return py::module_::import("json").attr("loads")(j.dump()); }

nlohmann::json from_python(const py::handle& value, const std::string& what) {
  try {
    return nlohmann::json::parse(py::module_::import("json").attr("dumps")(value).cast<std::string>());
  } catch (const py::error_already_set& e) {
    throw ConfigError(what + ": not JSON-serialisable: " + e.what());
  }
}

std::shared_ptr<ClassifierImpl> build(const nlohmann::json& model, const std::string& source, int64_t in_channels,
                                      int64_t num_classes) {
  ModelOptions options = model_options_from_json(JsonReader(model, source, "/model"), preset_options);
  auto scheme = build_scheme(scheme_registry(), options.scheme, source, "/model/scheme");
  if (num_classes <= 0) num_classes = native_classes(options);
  if (in_channels <= 0) throw ConfigError(fmt::format("{}: in_channels {} is not positive", source, in_channels));
  return build_model(options, *scheme, in_channels, num_classes);
}

// Each module's own parameters and buffers, by module path ("" for the root): the Python side
// registers these very tensors in a mirror of the module tree.
py::list tensors_by_module(ClassifierImpl& model) {
  py::list out;
  for (const auto& item : model.named_modules("", /*include_self=*/true)) {
    py::list parameters, buffers;
    for (const auto& p : item.value()->named_parameters(false)) parameters.append(py::make_tuple(p.key(), p.value()));
    for (const auto& b : item.value()->named_buffers(false)) buffers.append(py::make_tuple(b.key(), b.value()));
    out.append(py::make_tuple(item.key(), parameters, buffers));
  }
  return out;
}

}  // namespace
}  // namespace odenet

PYBIND11_MODULE(_odenet, m) {
  using namespace odenet;
  m.doc() = "odenet's C++ core (use the package `odenet`)";
  static py::exception<Error> error(m, "Error", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      error(e.what());
    }
  });

  py::class_<ClassifierImpl, std::shared_ptr<ClassifierImpl>>(m, "Network")
      .def("forward", [](ClassifierImpl& net, const torch::Tensor& x) { return net.forward(x); })
      .def("train", [](ClassifierImpl& net, bool mode) { net.train(mode); })
      .def("is_training", [](ClassifierImpl& net) { return net.is_training(); })
      .def("tensors_by_module", &tensors_by_module)
      .def("parameter_count", [](ClassifierImpl& net) { return count_parameters(net); })
      .def("__repr__", [](ClassifierImpl& net) { return net.name(); });

  m.def("schemes", [] {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& name : scheme_registry().names()) out.push_back(to_json(scheme_registry().get(name).info));
    return to_python(out);
  });
  m.def("models", [](int64_t channels, int64_t classes) { return to_python(describe_presets(channels, classes)); },
        py::arg("channels") = 3, py::arg("classes") = 0);
  m.def(
      "build_model",
      [](const py::object& model, int64_t in_channels, int64_t num_classes) {
        return build(from_python(model, "model"), "build_model", in_channels, num_classes);
      },
      py::arg("model"), py::arg("in_channels") = 3, py::arg("num_classes") = 0);
  m.def("load_run", [](const std::string& dir) { return load_trained_model(dir).model; }, py::arg("run_dir"));
  m.def(
      "verify_scheme",
      [](const py::object& scheme_spec, const std::string& problem_name, const std::vector<int>& steps,
         std::optional<double> t1) {
        check_step_counts(steps, "steps");
        if (t1) check_final_time(*t1, "t1");
        auto scheme = build_scheme(scheme_registry(), from_python(scheme_spec, "scheme"), "scheme", "");
        OdeProblem problem = make_problem(problem_name);
        return to_python(to_json(verify_scheme(*scheme, scheme->to_json().dump(), problem, steps, t1.value_or(problem.t1))));
      },
      py::arg("scheme"), py::arg("problem"), py::arg("steps") = std::vector<int>{10, 20, 40, 80, 160},
      py::arg("t1") = py::none());
  m.def("torchvision_name", &torchvision_name, py::arg("name"),
        "torchvision's name for an ImageNet ResNet tensor of odenet's ('' for LM coefficients)");
  m.def(
      "load_torchvision_state_dict",
      [](ClassifierImpl& net, const py::dict& tensors) {
        StateDict dict;
        for (const auto& [name, tensor] : tensors) dict.insert(name.cast<std::string>(), tensor.cast<torch::Tensor>());
        load_state_dict(net, dict, "state dict", torchvision_name);  // strict, as train.init_names "torchvision"
      },
      py::arg("network"), py::arg("state_dict"));
  m.def("load_plugin", [](const std::string& path) { load_scheme_plugin(path, scheme_registry()); }, py::arg("path"));
  m.def("loaded_plugins", [] { return loaded_plugins(); });
}
