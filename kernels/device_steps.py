"""The host side of the device kernel: a block's model state on a torch device, stepped in chunks.

Contract: `DeviceSteps(m, grid, device)` copies the predictor's kernel state `m` (predictor.KernelState)
and the block's grid to `device`; `run(mode, lane_lengths, first, last, coder, words)` then does what
`rounds.code_steps(mode, grid, lane_lengths, first, last, coder, words, m)` does, with the coder's
state and words passed in and out on each call (they are small); `close()` copies the model's state
and the grid back into the numpy arrays, so the next block may run on either device. Under
Triton's interpreter (TRITON_INTERPRET=1) `device` is "cpu" and the tensors share the numpy arrays.
"""
from __future__ import annotations

import numpy as np
import torch

from nncompress import tables
from nncompress.rounds import ENCODE
from nncompress.rangecoder import WRITTEN

from .steps import code_steps_kernel

# The kernel state's arrays, in the kernel's argument order (the scalars travel as arguments).
MODEL_ARRAYS = ("high", "prefix", "keys", "kinds", "table", "slots", "tags", "state_prob", "state_logit",
                "state_count", "mixer", "final", "rows", "logits", "net", "net_u", "net_h", "apm_node", "apm_byte",
                "apm_order2", "match_ptr", "match_len", "history", "match_table", "match_prob", "match_count",
                "lane_state", "inputs", "p_mix", "apm_point", "match_bit", "freqs", "learned", "params")
# predictor.KernelState's other arrays: p_final is scratch within a round, kept in registers here.
HOST_ONLY = ("p_final",)


def _power_of_two_at_least(n: int) -> int:
    return 1 << max(0, n - 1).bit_length()


class DeviceSteps:
    # One warp: a program's work is a chain of small dependent steps (one lane and node at a time).
    # No floating point reaches the coder, but fusing a*b+c is switched off all the same.
    OPTIONS = dict(num_warps=1, enable_fp_fusion=False)

    @staticmethod
    def constants(m) -> dict:
        """The kernel's compile-time sizes for kernel state m."""
        contexts, width = m.keys.shape[1], m.inputs.shape[2]
        return dict(STATES=tables.STATES, CONTEXT_BLOCK=_power_of_two_at_least(contexts),
                    INPUT_BLOCK=max(16, _power_of_two_at_least(width)))

    def __init__(self, m, grid: np.ndarray, device: str):
        self._m, self._grid_host, self._device = m, grid, torch.device(device)
        self._model = [self._upload(getattr(m, name)) for name in MODEL_ARRAYS]
        self._grid = self._upload(grid)
        self._tables = [self._upload(t) for t in (tables.SQUASH, tables.STRETCH, tables.STATE_NEXT,
                                                  tables.STATE_TOTAL, tables.RECIPROCAL)]
        lanes, contexts = m.keys.shape
        width = m.inputs.shape[2]
        self._symbols = torch.zeros(lanes, dtype=torch.int64, device=self._device)
        self._shape = (lanes, contexts, width, m.stride, m.table_mask, m.history.shape[0], m.match_table.shape[0])
        self._constants = self.constants(m)
        self._lengths = self._payload = None

    def _upload(self, array: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(array)).to(self._device)

    def run(self, mode: int, lane_lengths: np.ndarray, first: int, last: int, coder: np.ndarray,
            words: np.ndarray) -> None:
        if self._lengths is None:
            self._lengths = self._upload(lane_lengths)
        coder_on_device = self._upload(coder.view(np.int64))
        if mode == ENCODE:
            words_on_device = torch.empty(len(words), dtype=torch.int32, device=self._device)
        else:   # decoding reads the same payload in every call
            if self._payload is None:
                self._payload = self._upload(words.view(np.int32))
            words_on_device = self._payload
        code_steps_kernel[(1,)](mode, first, last, *self._shape, self._grid, self._lengths, coder_on_device,
                                words_on_device, len(words), self._symbols, *self._model, *self._tables,
                                **self._constants, **self.OPTIONS)
        coder[:] = coder_on_device.cpu().numpy().view(np.uint64)
        if mode == ENCODE:
            written = int(coder[WRITTEN])
            words[:written] = words_on_device[:written].cpu().numpy().view(np.uint32)

    def close(self) -> None:
        for name, tensor in zip(MODEL_ARRAYS, self._model):
            np.copyto(getattr(self._m, name), tensor.cpu().numpy().reshape(getattr(self._m, name).shape))
        np.copyto(self._grid_host, self._grid.cpu().numpy())
