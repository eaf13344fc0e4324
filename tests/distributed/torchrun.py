"""torchrun (python3 -m torch.distributed.run) for Debian's python3-torch 1.13 on Python 3.11.

Its Std.from_str("0") returns None there (Python 3.11 no longer iterates an IntFlag's zero
member), so every launch fails in to_map(); this maps "0" to Std.NONE and runs torchrun's main.
"""
import sys

import torch.distributed.elastic.multiprocessing.api as api

_from_str = api.Std.from_str
api.Std.from_str = classmethod(lambda cls, vm: api.Std.NONE if vm.strip() == "0" else _from_str(vm))

import torch.distributed.run as run  # noqa: E402  (after the patch)

sys.exit(run.main())
