"""odenet from Python: build odenet's networks and schemes as torch.nn.Modules.

    import torch, odenet
    net = odenet.build_model("lm_resnet20", scheme="runge_kutta")   # a torch.nn.Module
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)

The network's parameters and buffers are the C++ network's own tensors, registered in a
mirror of its module tree, so optimisers, state_dict() / load_state_dict(), .train() and
.eval() act on the network odenet runs.
"""
import os
import sys

import torch

# Scheme plugins (load_plugin) resolve odenet's symbols from this extension: load it globally.
_flags = sys.getdlopenflags()
sys.setdlopenflags(_flags | os.RTLD_GLOBAL)
try:
    from . import _odenet
finally:
    sys.setdlopenflags(_flags)

Error = _odenet.Error
schemes = _odenet.schemes
models = _odenet.models
verify_scheme = _odenet.verify_scheme
refinement_study = _odenet.refinement_study
stability_study = _odenet.stability_study
smoothness_study = _odenet.smoothness_study
decode_resized_crop = _odenet.decode_resized_crop
load_plugin = _odenet.load_plugin
loaded_plugins = _odenet.loaded_plugins


class _Mirror(torch.nn.Module):
    """A C++ submodule's parameters and buffers, seen from Python. The C++ network runs its stages
    and steps itself, so forward hooks here would never fire: registering one is an error."""

    def _no_hooks(self, *args, **kwargs):
        raise Error("odenet runs this module in C++: a Python forward hook on it would never fire; "
                    "use net.trajectory(x) for every step's state u_n, f_n(u_n) and increment")

    register_forward_hook = _no_hooks
    register_forward_pre_hook = _no_hooks


class Network(torch.nn.Module):
    """An odenet network as a torch.nn.Module (forward runs the C++ network)."""

    def __init__(self, cpp):
        super().__init__()
        object.__setattr__(self, "_cpp", cpp)
        for path, parameters, buffers in cpp.tensors_by_module():
            module = self._submodule_for(path)
            for name, tensor in parameters:
                tensor._is_param = True  # isinstance(tensor, nn.Parameter) holds, the tensor stays the C++ one
                module._parameters[name] = tensor
            for name, tensor in buffers:
                module._buffers[name] = tensor
        self.train(cpp.is_training())

    def _submodule_for(self, path):
        module = self
        for part in path.split(".") if path else []:
            if part not in module._modules:
                module._modules[part] = _Mirror()
            module = module._modules[part]
        return module

    def forward(self, x):
        return self._cpp.forward(x)

    def train(self, mode=True):
        self._cpp.train(mode)
        return super().train(mode)

    def parameter_count(self):
        return self._cpp.parameter_count()

    def trajectory(self, x):
        """The forward pass step by step, without gradients: per step a dict with its name
        ("stage2.block3"), stage, step, opening (the projection step), u (the state it sees),
        f (its field's value f_n(u_n)) and increment (per example ||u_(n+1) - u_n||)."""
        return self._cpp.trajectory(x)

    def extra_repr(self):
        return repr(self._cpp)


def build_model(preset, scheme=None, in_channels=3, num_classes=0, **options):
    """The network of `preset` (odenet models), optionally with another `scheme` (a name or a
    dict, as in an experiment's "model"/"scheme") and other model options; num_classes 0: the
    layout's own (10 for CIFAR layouts, 1000 for ImageNet)."""
    model = dict(options, preset=preset)
    if scheme is not None:
        model["scheme"] = scheme
    return Network(_odenet.build_model(model, in_channels, num_classes))


def build_model_from_json(config, in_channels=None, num_classes=None):
    """The network a JSON object describes: an experiment's "model" object, or a whole config
    (a run's config.json, or the .json that `odenet export` writes beside the weights)."""
    if "model" in config:
        data = config.get("data", {})
        shape = data.get("shape")
        if in_channels is None and shape:
            in_channels = shape[0]
        if num_classes is None:
            num_classes = data.get("classes")
        config = config["model"]
    return Network(_odenet.build_model(config, in_channels or 3, num_classes or 0))


def load_run(run_dir):
    """A finished run's trained network, from its checkpoint (in eval mode)."""
    return Network(_odenet.load_run(run_dir))


def refine_run(run_dir, scheme=None, factor=2, interpolation="piecewise"):
    """A finished run's network re-integrated with `factor` steps of dt = 1/factor per trained step
    (odenet ode): under `scheme` (a name or object; None: the run's own), its parameters between
    trained steps "piecewise" (the trained network at factor 1) or "linear"."""
    return Network(_odenet.refine_run(run_dir, scheme, factor, interpolation)).eval()


def load_exported(path):
    """The network `odenet export` wrote to `path` (weights) and its .json (config), in eval mode."""
    import json

    with open(os.path.splitext(path)[0] + ".json") as f:
        net = build_model_from_json(json.load(f))
    net.load_state_dict(torch.load(path))
    return net.eval()


torchvision_name = _odenet.torchvision_name


def load_torchvision_state_dict(net, state_dict):
    """Loads a state dict with torchvision's ResNet names (e.g. torchvision.models.resnet50's)
    into an odenet ImageNet network (resnet50/101/152, resnext50_32x4d and their LM variants,
    whose learned k keep their initialisation); strict, as odenet's train.init_names does."""
    _odenet.load_torchvision_state_dict(net._cpp, dict(state_dict))
    return net


def save_state_dict(module, path):
    """torch.save of module's state dict as a plain dict, the form odenet (train.init_from) reads."""
    torch.save(dict(module.state_dict()), path)


__all__ = ["Error", "Network", "schemes", "models", "build_model", "build_model_from_json", "load_run", "refine_run",
           "refinement_study", "stability_study", "smoothness_study",
           "load_exported", "save_state_dict", "torchvision_name",
           "load_torchvision_state_dict", "verify_scheme", "load_plugin", "loaded_plugins"]
