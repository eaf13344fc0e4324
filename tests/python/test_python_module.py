"""The Python module against the CLI and against PyTorch itself (run by ctest as Python.Module).

Environment: PYTHONPATH holds build/python, ODENET_BINARY is the odenet executable,
ODENET_EXAMPLE_PLUGIN the example scheme plugin (ssprk3.so).
"""
import gzip
import json
import shutil
import os
import struct
import subprocess
import tempfile
import unittest

import numpy as np
import torch

import odenet

ODENET = os.environ["ODENET_BINARY"]


def cli_json(*args):
    return json.loads(subprocess.run([ODENET, *args, "--json"], check=True, capture_output=True, text=True).stdout)


def write_idx(path, array):
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(">" + "I" * array.ndim, *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def write_tiny_dataset(root, train=96, test=32, size=8, classes=3):
    """Images with a class-dependent bright square (learnable), as the C++ suites make them."""
    os.makedirs(root)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", train), ("t10k", test)):
        labels = np.arange(n) % classes
        images = rng.integers(0, 60, size=(n, size, size))
        for i, c in enumerate(labels):
            images[i, c * 2:c * 2 + 3, c * 2:c * 2 + 3] = 250
        write_idx(os.path.join(root, prefix + "-images-idx3-ubyte.gz"), images)
        write_idx(os.path.join(root, prefix + "-labels-idx1-ubyte.gz"), labels)


def tiny_experiment(data, name, epochs=2, **train):
    return {"name": name,
            "dataset": {"name": "tiny", "format": "idx", "root": data,
                        "augment": {"pad": 1, "flip": True, "mean": [0.2], "std": [0.3]}},
            "model": {"layout": "cifar_resnet", "activation": "pre", "shortcut": "projection", "depth": 14,
                      "width": 4, "scheme": {"name": "linear_multistep"}},
            "train": dict({"epochs": epochs, "batch_size": 32,
                           "optimizer": {"lr": 0.05, "decay_excludes": ["bn", "k"]},
                           "schedule": {"name": "multistep", "milestones": [epochs]}}, **train),
            "seeds": [0]}


def run_experiment(scratch, experiment):
    path = os.path.join(scratch, experiment["name"] + ".json")
    with open(path, "w") as f:
        json.dump(experiment, f)
    subprocess.run([ODENET, "run", path, "--results", os.path.join(scratch, "results"), "--threads", "1"],
                   check=True, capture_output=True)
    root = os.path.join(scratch, "results", experiment["name"])
    (run,) = os.listdir(root)
    return os.path.join(root, run)


class Registries(unittest.TestCase):
    def test_a_jpeg_view_is_torchvisions_resized_crop(self):
        import io
        import torchvision.transforms.functional as F
        from PIL import Image
        y, x = np.mgrid[0:375, 0:500]
        image = np.stack([128 + 90 * np.sin(0.02 * x + c) * np.cos(0.015 * y) for c in range(3)], -1)
        buffer = io.BytesIO()
        Image.fromarray(image.astype(np.uint8)).save(buffer, format="JPEG", quality=95)
        data = buffer.getvalue()
        box = [30, 40, 300, 400]
        view = odenet.decode_resized_crop(data, box, 224, 224)
        self.assertEqual(tuple(view.shape), (224, 224, 3))
        self.assertEqual(view.dtype, torch.uint8)
        theirs = np.asarray(F.resized_crop(Image.open(io.BytesIO(data)).convert("RGB"), *box, [224, 224]))
        self.assertLess(np.abs(view.numpy().astype(int) - theirs.astype(int)).mean(), 2.0)
        with self.assertRaisesRegex(odenet.Error, "outside the 375x500 image"):
            odenet.decode_resized_crop(data, [300, 0, 100, 100])
        with self.assertRaisesRegex(odenet.Error, "corrupt JPEG"):
            odenet.decode_resized_crop(data[:500], box)

    def test_schemes_and_models_are_the_clis(self):
        self.assertEqual([s for s in odenet.schemes() if s["name"] != "ssprk3"], cli_json("schemes"))
        self.assertEqual(odenet.models(), cli_json("models"))

    def test_verify_scheme_returns_the_clis_numbers(self):
        ours = odenet.verify_scheme("runge_kutta", "decay", steps=[10, 20, 40])
        cli = cli_json("verify-scheme", "--scheme", "runge_kutta", "--problem", "decay", "--steps", "10,20,40")
        self.assertEqual(ours, cli)
        self.assertAlmostEqual(ours["observed_order"], 4, delta=0.1)

    def test_a_plugin_loads_into_python(self):
        odenet.load_plugin(os.environ["ODENET_EXAMPLE_PLUGIN"])
        self.assertIn("ssprk3", [s["name"] for s in odenet.schemes()])
        self.assertAlmostEqual(odenet.verify_scheme("ssprk3", "decay", steps=[20, 40, 80])["observed_order"], 3, delta=0.1)
        net = odenet.build_model("resnet20", scheme="ssprk3")
        self.assertEqual(tuple(net(torch.randn(1, 3, 32, 32)).shape), (1, 10))

    def test_a_foreign_plugin_is_refused_before_its_code_runs(self):
        # Both test plugins abort in a static constructor: refused from the file, the interpreter lives on.
        with self.assertRaisesRegex(odenet.Error, "plugin built for odenet 0.1.0"):
            odenet.load_plugin(os.environ["ODENET_FOREIGN_ABI_PLUGIN"])
        with self.assertRaisesRegex(odenet.Error, "without an ABI stamp"):
            odenet.load_plugin(os.environ["ODENET_UNSTAMPED_PLUGIN"])
        self.assertIn("forward_euler", [s["name"] for s in odenet.schemes()])

    def test_bad_input_is_an_error_naming_it(self):
        with self.assertRaisesRegex(odenet.Error, "no_such_scheme"):
            odenet.build_model("resnet20", scheme="no_such_scheme")
        with self.assertRaisesRegex(odenet.Error, "steps"):
            odenet.verify_scheme("forward_euler", "decay", steps=[10])


class TrainingInPython(unittest.TestCase):
    def test_lm_resnet20_trains_with_sgd_and_its_state_dict_round_trips(self):
        torch.manual_seed(0)
        net = odenet.build_model("lm_resnet20")
        self.assertIsInstance(net, torch.nn.Module)
        self.assertEqual(sum(p.numel() for p in net.parameters()), net.parameter_count())
        self.assertTrue(all(isinstance(p, torch.nn.Parameter) for p in net.parameters()))
        optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
        x, y = torch.randn(16, 3, 32, 32), torch.randint(0, 10, (16,))
        losses = []
        for _ in range(4):
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        self.assertLess(losses[-1], losses[0])  # the optimiser moves the C++ network's own tensors

        net.eval()
        with tempfile.TemporaryDirectory() as scratch:
            path = os.path.join(scratch, "lm.pt")
            odenet.save_state_dict(net, path)
            fresh = odenet.build_model("lm_resnet20").eval()
            self.assertFalse(torch.allclose(fresh(x), net(x)))
            fresh.load_state_dict(torch.load(path))
            self.assertTrue(torch.equal(fresh(x), net(x)))
        self.assertEqual(set(net.state_dict()), set(fresh.state_dict()))
        self.assertTrue(any(name.endswith(".s") or name.endswith(".k") for name in net.state_dict()))

    def test_modules_compose_with_pytorch(self):
        net = torch.nn.Sequential(odenet.build_model("resnet20", num_classes=4), torch.nn.LogSoftmax(dim=1))
        out = net(torch.randn(2, 3, 32, 32))
        self.assertEqual(tuple(out.shape), (2, 4))
        net.train(False)
        self.assertFalse(net[0]._cpp.is_training())


class TorchvisionWeights(unittest.TestCase):
    """odenet's ImageNet ResNets load torchvision's state dicts and compute torchvision's logits."""

    def setUp(self):
        try:
            import torchvision  # Debian's python3-torchvision
        except ImportError:
            self.skipTest("python3-torchvision is not installed")
        self.models = torchvision.models

    @staticmethod
    def randomised(model):
        torch.manual_seed(0)
        with torch.no_grad():  # batch statistics and affine parameters away from 0/1, so each one counts
            for name, value in model.state_dict().items():
                if name.endswith("running_var"):
                    value.uniform_(0.5, 2.0)
                elif name.endswith("running_mean") or (value.dim() == 1 and name.endswith("bias")):
                    value.normal_(0, 0.1)
                elif value.dim() == 1 and name.endswith("weight"):
                    value.uniform_(0.5, 1.5)
        return model.eval()

    def test_resnets_match_torchvisions_logits(self):
        x = torch.randn(2, 3, 224, 224)
        for preset in ("resnet50", "resnet101", "resnet152", "resnext50_32x4d"):
            with self.subTest(preset=preset):
                theirs = self.randomised(getattr(self.models, preset)())
                ours = odenet.load_torchvision_state_dict(odenet.build_model(preset), theirs.state_dict()).eval()
                with torch.no_grad():
                    torch.testing.assert_close(ours(x), theirs(x), rtol=1e-5, atol=1e-5)

    def test_lm_variants_start_from_torchvisions_weights(self):
        theirs = self.randomised(self.models.resnet50()).state_dict()
        net = odenet.build_model("lm_resnet50")
        before = {n: v.clone() for n, v in net.state_dict().items() if not odenet.torchvision_name(n)}
        self.assertTrue(before)  # the learned k_n, which torchvision has not
        odenet.load_torchvision_state_dict(net, theirs)
        for name, value in net.state_dict().items():
            tv = odenet.torchvision_name(name)
            self.assertTrue(torch.equal(value, theirs[tv] if tv else before[name]), name)

    def test_momentum_resnet50_at_gamma_zero_is_resnet50(self):
        """The drop-in replacement (Sander et al. 2021): torchvision's weights, γ = 0, ResNet-50's logits."""
        x = torch.randn(2, 3, 224, 224)
        theirs = self.randomised(self.models.resnet50())
        with torch.no_grad():
            expected = theirs(x)
            for gamma in (0.0, 0.9):
                ours = odenet.build_model("momentum_resnet50", scheme={"name": "momentum", "gamma": gamma})
                logits = odenet.load_torchvision_state_dict(ours, theirs.state_dict()).eval()(x)
                if gamma == 0.0:
                    torch.testing.assert_close(logits, expected, rtol=1e-5, atol=1e-5)
                else:  # the velocity changes the function: γ matters
                    self.assertGreater((logits - expected).abs().max().item(), 1e-3)

    def test_a_foreign_tensor_is_named(self):
        theirs = self.models.resnet50().state_dict()
        theirs["extra.weight"] = torch.zeros(1)
        with self.assertRaisesRegex(odenet.Error, "extra.weight"):
            odenet.load_torchvision_state_dict(odenet.build_model("resnet50"), theirs)


class RunsAcrossTheBoundary(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch_dir = tempfile.TemporaryDirectory()
        cls.scratch = cls.scratch_dir.name
        cls.data = os.path.join(cls.scratch, "data")
        write_tiny_dataset(cls.data)
        cls.run_dir = run_experiment(cls.scratch, tiny_experiment(cls.data, "tiny", epochs=2))

    @classmethod
    def tearDownClass(cls):
        cls.scratch_dir.cleanup()

    def test_the_trajectory_gives_every_steps_state_field_and_increment(self):
        net = odenet.load_run(self.run_dir)
        x = torch.randn(3, 1, 8, 8)
        steps = net.trajectory(x)
        # Depth 14: stage 1 two steps; stages 2 and 3 an opening (projection) and one step.
        self.assertEqual([s["name"] for s in steps], ["stage1.block1", "stage1.block2", "stage2.block1", "stage2.block2",
                                                      "stage3.block1", "stage3.block2"])
        self.assertEqual([s["opening"] for s in steps], [False, False, True, False, True, False])
        for here, after in zip(steps, steps[1:]):
            if here["opening"]:
                self.assertIsNone(here["increment"])
                continue
            self.assertEqual(tuple(here["f"].shape), tuple(here["u"].shape))
            change = (after["u"] - here["u"]).flatten(1).norm(dim=1)
            self.assertTrue(torch.allclose(here["increment"], change))
        # Hooks on the C++ steps would never fire: registering one says so.
        with self.assertRaisesRegex(odenet.Error, "trajectory"):
            net.stage1.block2.register_forward_hook(lambda *args: None)

    def test_refinement_from_python_is_the_cli_s(self):
        trained = odenet.load_run(self.run_dir)
        x = torch.randn(4, 1, 8, 8)
        with torch.no_grad():
            self.assertTrue(torch.equal(odenet.refine_run(self.run_dir, factor=1)(x), trained(x)))
            refined = odenet.refine_run(self.run_dir, scheme="forward_euler", factor=4, interpolation="linear")
            self.assertEqual(refined(x).shape, trained(x).shape)
        ours = odenet.refinement_study(self.run_dir, schemes=["own"], factors=[1, 2], examples=0)
        cli = cli_json("ode", self.run_dir, "--refine", "--schemes", "own", "--factors", "1,2", "--examples", "0",
                       "--threads", "1")["refinement"]
        self.assertEqual([r["test_error"] for r in ours["rows"]], [r["test_error"] for r in cli["rows"]])
        self.assertEqual(ours["rows"][0]["distance_to_trained"], 0.0)
        self.assertEqual(len(odenet.stability_study(self.run_dir, examples=1, iterations=5)["steps"]), 4)
        self.assertEqual(odenet.smoothness_study(self.run_dir)["depth"], 14)

    def test_export_loads_in_python_with_the_checkpoints_logits(self):
        out = os.path.join(self.scratch, "not", "yet", "exported.pt")  # --out creates its directory
        subprocess.run([ODENET, "export", self.run_dir, "--out", out], check=True, capture_output=True)
        weights = torch.load(out)
        self.assertIsInstance(weights, dict)
        exported = odenet.load_exported(out)
        trained = odenet.load_run(self.run_dir)  # the C++ loader, from checkpoint.pt
        x = torch.randn(5, 1, 8, 8)
        # Trained weights may be channels-last (another convolution kernel): equal up to rounding.
        torch.testing.assert_close(exported(x), trained(x), rtol=1e-5, atol=1e-6)
        self.assertEqual(set(weights), set(trained.state_dict()))

    def test_init_from_starts_a_run_from_python_saved_weights(self):
        trained = odenet.load_run(self.run_dir)
        path = os.path.join(self.scratch, "from_python.pt")
        odenet.save_state_dict(trained, path)
        frozen = {"optimizer": {"lr": 0.0, "momentum": 0.0, "weight_decay": 0.0}, "init_from": path}
        second = run_experiment(self.scratch, tiny_experiment(self.data, "again", epochs=1, **frozen))
        again = odenet.load_run(second).state_dict()
        for name, value in trained.state_dict().items():
            if "running" in name or "num_batches" in name:
                continue  # batch statistics move in training mode even at lr 0
            self.assertTrue(torch.equal(value, again[name]), name)

    def test_a_swapped_config_is_named_not_a_missing_submodule(self):
        # load_run with another run's config.json used to fail with "No such serialized submodule" (#31).
        swapped = os.path.join(self.scratch, "swapped")
        shutil.copytree(self.run_dir, swapped)
        with open(os.path.join(swapped, "config.json")) as f:
            config = json.load(f)
        config["model"]["depth"] = 20
        with open(os.path.join(swapped, "config.json"), "w") as f:
            json.dump(config, f, indent=2)
        with self.assertRaisesRegex(Exception, "written for another config.json than .*swapped/config.json"):
            odenet.load_run(swapped)

    def test_non_finite_init_from_values_are_refused_and_leave_nothing_behind(self):
        # An inf BatchNorm running_var used to load silently (#31); the failed start left a
        # config.json-only run directory that blocked the corrected rerun.
        trained = odenet.load_run(self.run_dir)
        path = os.path.join(self.scratch, "poisoned.pt")
        (name,) = [n for n in trained.state_dict() if n.endswith("running_var")][:1]
        saved = trained.state_dict()[name].clone()
        trained.state_dict()[name].fill_(float("inf"))
        odenet.save_state_dict(trained, path)
        bad = tiny_experiment(self.data, "poisoned", epochs=1, init_from=path)
        experiment = os.path.join(self.scratch, "poisoned.json")
        with open(experiment, "w") as f:
            json.dump(bad, f)
        results = os.path.join(self.scratch, "results")
        result = subprocess.run([ODENET, "run", experiment, "--results", results, "--threads", "1"],
                                capture_output=True, text=True)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(path + " (train.init_from of " + experiment + "): '" + name + "' holds", result.stderr)
        self.assertIn("non-finite value(s)", result.stderr)
        self.assertFalse(os.path.exists(os.path.join(results, "poisoned")))
        trained.state_dict()[name].copy_(saved)
        odenet.save_state_dict(trained, path)
        fixed = subprocess.run([ODENET, "run", experiment, "--results", results, "--threads", "1"],
                               capture_output=True, text=True)
        self.assertEqual(fixed.returncode, 0, fixed.stderr)

    def test_a_pytorch_ordered_state_dict_is_refused_with_the_fix(self):
        path = os.path.join(self.scratch, "ordered.pt")
        torch.save(odenet.load_run(self.run_dir).state_dict(), path)  # an OrderedDict with _metadata
        bad = tiny_experiment(self.data, "ordered", epochs=1, init_from=path)
        experiment = os.path.join(self.scratch, "ordered.json")
        with open(experiment, "w") as f:
            json.dump(bad, f)
        result = subprocess.run([ODENET, "run", experiment, "--results", os.path.join(self.scratch, "results")],
                                capture_output=True, text=True)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("torch.save(dict(model.state_dict()), path)", result.stderr)

    def test_tensorboard_events_read_back_with_an_independent_reader(self):
        try:
            import crc32c  # Debian's python3-crc32c: an implementation that is not odenet's
        except ImportError:
            self.skipTest("python3-crc32c is not installed")
        (name,) = [f for f in os.listdir(self.run_dir) if f.startswith("events.out.tfevents.")]
        records = read_tfrecords(os.path.join(self.run_dir, name), crc32c.crc32c)
        events = [decode_event(r) for r in records]
        self.assertEqual(events[0]["file_version"], "brain.Event:2")
        with open(os.path.join(self.run_dir, "metrics.jsonl")) as f:
            metrics = [json.loads(line) for line in f if line.strip()]
        epochs = [e for e in events if "train/loss" in e["scalars"]]
        self.assertEqual(len(epochs), len(metrics))
        for event, m in zip(epochs, metrics):
            self.assertEqual(event["step"], m["epoch"])
            scalars = event["scalars"]
            for tag, key in (("train/loss", "train_loss"), ("train/error", "train_error"), ("test/loss", "test_loss"),
                             ("test/error", "test_error"), ("lr", "lr"), ("images_per_second", "images_per_second")):
                self.assertAlmostEqual(scalars[tag], m[key], delta=1e-6 * max(1, abs(m[key])))
            self.assertIn("test_top5_error", m)  # ten classes: top-5 beside top-1
            self.assertAlmostEqual(scalars["test/top5_error"], m["test_top5_error"], delta=1e-6 * max(1, m["test_top5_error"]))
            self.assertTrue(m["k"])  # an LM network: each step's learned k_n
            for step, k in m["k"].items():
                self.assertAlmostEqual(scalars["k/" + step], k, delta=1e-6)
        # The training loss every 10 steps, at the run's step, as metrics.jsonl records it.
        records = [r for m in metrics for r in m["steps"]]
        steps = [e for e in events if "step/train_loss" in e["scalars"]]
        self.assertTrue(records)
        self.assertEqual([e["step"] for e in steps], [r[0] for r in records])
        for event, (_, loss, lr) in zip(steps, records):
            self.assertAlmostEqual(event["scalars"]["step/train_loss"], loss, delta=1e-5 * max(1, abs(loss)))
            self.assertAlmostEqual(event["scalars"]["step/lr"], lr, delta=1e-6)
        # The HParams session and the provenance text, by their plugins.
        plugins = {tag: name for e in events for tag, name in e["plugins"].items()}
        self.assertEqual(plugins.get("_hparams_/session_start_info"), "hparams")
        self.assertEqual(plugins.get("_hparams_/session_end_info"), "hparams")
        self.assertEqual(plugins.get("run"), "text")


def masked(crc):
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def read_tfrecords(path, crc32c):
    with open(path, "rb") as f:
        data = f.read()
    records, at = [], 0
    while at < len(data):
        header = data[at:at + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[at + 8:at + 12])
        assert length_crc == masked(crc32c(header)), "length CRC"
        payload = data[at + 12:at + 12 + length]
        (payload_crc,) = struct.unpack("<I", data[at + 12 + length:at + 16 + length])
        assert payload_crc == masked(crc32c(payload)), "payload CRC"
        records.append(payload)
        at += 16 + length
    assert at == len(data)
    return records


def fields(message):
    """(field number, wire type, value) of a protobuf message, decoded from its wire format."""
    at = 0
    while at < len(message):
        key, at = varint(message, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = varint(message, at)
        elif wire == 1:
            value, at = message[at:at + 8], at + 8
        elif wire == 2:
            length, at = varint(message, at)
            value, at = message[at:at + length], at + length
        elif wire == 5:
            value, at = message[at:at + 4], at + 4
        else:
            raise ValueError("wire type %d" % wire)
        yield number, wire, value


def varint(data, at):
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at


def decode_event(message):
    event = {"scalars": {}, "plugins": {}}
    for number, _, value in fields(message):
        if number == 1:
            event["wall_time"] = struct.unpack("<d", value)[0]
        elif number == 2:
            event["step"] = value
        elif number == 3:
            event["file_version"] = value.decode()
        elif number == 5:
            for _, _, summary_value in fields(value):
                tag, simple, plugin = None, None, None
                for n, _, v in fields(summary_value):
                    if n == 1:
                        tag = v.decode()
                    elif n == 2:
                        simple = struct.unpack("<f", v)[0]
                    elif n == 9:  # SummaryMetadata { PluginData plugin_data = 1 { string plugin_name = 1 } }
                        (data,) = [d for m, _, d in fields(v) if m == 1]
                        plugin = [name.decode() for m, _, name in fields(data) if m == 1][0]
                if simple is not None:
                    event["scalars"][tag] = simple
                if plugin is not None:
                    event["plugins"][tag] = plugin
    return event


if __name__ == "__main__":
    unittest.main()
