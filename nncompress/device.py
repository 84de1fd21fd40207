"""Where the model runs: the CPU (numba kernels) or a CUDA device (the Triton kernel in kernels/).

Contract: `resolve_device(name)` maps "auto", "cpu" or "cuda" to the device that will run,
"cpu" or "cuda"; it raises ValueError for any other name and NNCompressError where CUDA cannot
run here. `block_steps(device, states, grids)` returns what runs a block of each of several
members there: an object with `run(modes, lane_lengths, first, last, coders, words)`, which does
for each member m what rounds.code_steps does on grids[m] and the predictor's kernel state
states[m] (lists, one entry per member), and `close(finished)`, after which the grids hold the
results and so do the states, except those of members with finished[m] (not used again), which
a device may leave as they were. The CPU codes the members one after another; a device codes
them at once. Both devices compute the same integers, so an archive made on one decodes on the
other (tests/test_kernels.py).

"auto" runs on the CPU: on a GPU one member codes 5-10 times slower than on a CPU core
(benchmarks/results/gpu_check.md), and a user who asks for "auto" must not get a slower path.
"interpret" runs the Triton kernel on CPU tensors under Triton's interpreter; only the tests
use it (TRITON_INTERPRET=1 must be set before Triton is first imported).
"""
from __future__ import annotations

import importlib.util

from .errors import NNCompressError
from .rounds import code_steps

DEVICES = ("auto", "cpu", "cuda")


def resolve_device(name: str) -> str:
    if name not in DEVICES:
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', not {name!r}")
    if name != "cuda":
        return "cpu"
    try:
        import torch
    except ImportError:
        torch = None
    # Triton is looked for, not imported: it must be imported only after TRITON_INTERPRET is set
    # where a process wants its interpreter (tests/test_kernels.py).
    if torch is None or importlib.util.find_spec("triton") is None:
        raise NNCompressError("--device cuda needs torch and triton: pip install 'nncompress[cuda]'")
    if not torch.cuda.is_available():
        raise NNCompressError("--device cuda: torch sees no CUDA device here")
    return "cuda"


class CompiledSteps:
    """rounds.code_steps on the CPU, on the predictors' own arrays, one member after another."""

    def __init__(self, states, grids):
        self._states, self._grids, self._strides = states, grids, [m.stride for m in states]

    def run(self, modes, lane_lengths, first, last, coders, words) -> None:
        for member in zip(modes, self._grids, lane_lengths, self._strides, coders, words, self._states):
            mode, grid, lengths, stride, coder, out, m = member
            code_steps(mode, grid, lengths, first, min(last, stride), coder, out, m)

    def close(self, finished: list[bool]) -> None:
        pass


def block_steps(device: str, states: list, grids: list):
    """What runs a block of each member (states: their predictors' kernel states) on `device`."""
    if device == "cpu":
        return CompiledSteps(states, grids)
    from .kernels.device_steps import DeviceSteps
    return DeviceSteps(states, grids, "cpu" if device == "interpret" else device)
