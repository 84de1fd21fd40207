"""Where the model runs: the CPU (numba kernels) or a CUDA device (the Triton kernel in kernels/).

Contract: `resolve_device(name)` maps "auto", "cpu" or "cuda" to the device that will run,
"cpu" or "cuda"; it raises ValueError for any other name and NNCompressError where CUDA cannot
run here. `block_steps(device, m, grid)` returns what runs one block's steps there: an object with
`run(mode, lane_lengths, first, last, coder, words)`, which does what rounds.code_steps does on
the block's grid and the predictor's kernel state m, and `close()`, after which m and the grid
hold the results. Both devices compute the same integers, so an archive made on one decodes
on the other (tests/test_kernels.py).

"auto" runs on the CPU: the CUDA path's speed has not been measured on a GPU yet
(kernels/README.md), and a user who asks for "auto" must not get a slower path.
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
    """rounds.code_steps on the CPU, on the predictor's own arrays."""

    def __init__(self, m, grid):
        self._m, self._grid = m, grid

    def run(self, mode, lane_lengths, first, last, coder, words) -> None:
        code_steps(mode, self._grid, lane_lengths, first, last, coder, words, self._m)

    def close(self) -> None:
        pass


def block_steps(device: str, m, grid):
    if device == "cpu":
        return CompiledSteps(m, grid)
    from .kernels.device_steps import DeviceSteps
    return DeviceSteps(m, grid, "cpu" if device == "interpret" else device)
