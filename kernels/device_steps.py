"""The host side of the device kernel: members' model states on a torch device, stepped in chunks.

Contract: `DeviceSteps(states, grids, device)` copies the predictors' kernel states (predictor.KernelState,
one per member, all of one configuration) and their blocks' grids to `device`, each kind of array
stacked over the members. `run(modes, lane_lengths, first, last, coders, words)` then does for
every member m what `rounds.code_steps(modes[m], grids[m], lane_lengths[m], first, last, coders[m],
words[m], states[m])` does, in one launch of one program per member; the coders' states and words
go in and out with each call (they are small). `close(finished)` copies the grids back into the
numpy arrays, and the models' states of the members not finished, so that their next block may
run on either device. Under Triton's interpreter (TRITON_INTERPRET=1) `device` is "cpu".
"""
from __future__ import annotations

import numpy as np
import torch

from nncompress import tables
from nncompress.rangecoder import WRITTEN
from nncompress.rounds import ENCODE

from .steps import MEMBER_ARRAYS, code_steps_kernel

# The kernel state's per-member arrays (MEMBER_ARRAYS less what the calls bring) and its shared ones.
MODEL_ARRAYS = MEMBER_ARRAYS[MEMBER_ARRAYS.index("high"):]
SHARED_ARRAYS = ("settings",)
# predictor.KernelState's other arrays: p_final is scratch within a round, kept in registers here.
HOST_ONLY = ("p_final",)
# The shared lookup tables, by the kernel's argument names, in its argument order.
TABLES = {"squash": tables.SQUASH, "stretch": tables.STRETCH, "state_next": tables.STATE_NEXT,
          "state_total": tables.STATE_TOTAL, "reciprocal": tables.RECIPROCAL, "state_only": tables.STATE_ONLY}


def _power_of_two_at_least(n: int) -> int:
    return 1 << max(0, n - 1).bit_length()


class DeviceSteps:
    # One warp per member: a program's work is a chain of small dependent steps (one lane and node
    # at a time). No floating point reaches the coder, but fusing a*b+c is switched off all the same.
    OPTIONS = dict(num_warps=1, enable_fp_fusion=False)

    @staticmethod
    def constants(m) -> dict:
        """The kernel's compile-time sizes for kernel state m."""
        contexts, width = m.keys.shape[1], m.inputs.shape[2]
        return dict(STATES=tables.STATES, CONTEXT_BLOCK=_power_of_two_at_least(contexts),
                    INPUT_BLOCK=max(16, _power_of_two_at_least(width)))

    def __init__(self, states: list, grids: list[np.ndarray], device: str):
        first = states[0]
        for m in states[1:]:
            if m.keys.shape[1] != first.keys.shape[1] or not np.array_equal(m.settings, first.settings):
                raise ValueError("members coded together need one configuration")
        self._states, self._grids_host, self._device = states, grids, torch.device(device)
        self._model = [self._stack([getattr(m, name) for m in states]) for name in MODEL_ARRAYS]
        self._shared = [self._upload(getattr(first, name)) for name in SHARED_ARRAYS]
        self._tables = [self._upload(table) for table in TABLES.values()]
        self._grid = self._stack(grids)
        self._symbols = torch.zeros((len(states), max(m.keys.shape[0] for m in states)), dtype=torch.int64,
                                    device=self._device)
        self._shape = (first.keys.shape[1], first.inputs.shape[2])
        self._tables_of = [(m.table_mask, m.match_table.shape[0]) for m in states]   # per member: sized by its frame
        self._layouts = [(m.keys.shape[0], m.stride) for m in states]   # lanes and stride of each member
        self._constants = self.constants(first)
        self._lengths = self._payload = None

    def _upload(self, array: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(array)).to(self._device)

    def _stack(self, arrays: list[np.ndarray]) -> torch.Tensor:
        """[members, the longest array's size]: each member's array flattened, zero padded. Copied
        member by member, so the host never holds a second copy of all the models."""
        size = max(1, max(a.size for a in arrays))   # (no zero-sized tensors: a replay has no words)
        arrays = [device_view(np.ascontiguousarray(a)) for a in arrays]
        stacked = torch.zeros((len(arrays), size), dtype=torch.from_numpy(arrays[0][:0]).dtype, device=self._device)
        for row, a in zip(stacked, arrays):
            row[:a.size].copy_(torch.from_numpy(a.reshape(-1)))
        return stacked

    def run(self, modes: list[int], lane_lengths: list[np.ndarray], first: int, last: int,
            coders: list[np.ndarray], words: list[np.ndarray]) -> None:
        if self._lengths is None:   # a block's lane lengths are fixed
            self._lengths = self._stack(lane_lengths)
        coder = self._stack([c.view(np.int64) for c in coders])
        encoding = modes[0] == ENCODE
        if any((mode == ENCODE) != encoding for mode in modes):
            raise ValueError("members coded together are all encoded, or all decoded or replayed")
        if encoding:
            word_arrays = torch.zeros((len(modes), max(len(w) for w in words)), dtype=torch.int32,
                                      device=self._device)
        else:
            if self._payload is None:   # decoding reads the same payloads in every call
                self._payload = self._stack([w.view(np.int32) for w in words])
            word_arrays = self._payload
        members = self._upload(np.array([[mode, lanes, stride, len(w), mask, match_len] for mode, (lanes, stride), w,
                                         (mask, match_len) in zip(modes, self._layouts, words, self._tables_of)],
                                        dtype=np.int64))
        per_member = [self._grid, self._lengths, coder, word_arrays, self._symbols, *self._model]
        sizes = self._upload(np.array([t.shape[1] for t in per_member], dtype=np.int64))
        code_steps_kernel[(len(modes),)](first, last, *self._shape, members, sizes, *per_member, *self._shared,
                                         *self._tables, **self._constants, **self.OPTIONS)
        coder_back = coder.cpu().numpy()
        for m, state in enumerate(coders):
            state[:] = coder_back[m].view(np.uint64)
            if encoding:
                written = int(state[WRITTEN])
                words[m][:written] = word_arrays[m, :written].cpu().numpy().view(np.uint32)

    def close(self, finished: list[bool]) -> None:
        for name, stacked in zip(MODEL_ARRAYS, self._model):
            for row, state, done in zip(stacked, self._states, finished):
                if not done:
                    _copy_back(row, getattr(state, name))
        for row, grid in zip(self._grid, self._grids_host):
            _copy_back(row, grid)


def device_view(array: np.ndarray) -> np.ndarray:
    """A uint16 array (the APMs') viewed as int16: torch's unsigned types beyond uint8 are incomplete
    on CUDA. The kernel masks what it loads back to 16 bits."""
    return array.view(np.int16) if array.dtype == np.uint16 else array


def _copy_back(row: torch.Tensor, target: np.ndarray) -> None:
    """A member's row of a stacked tensor into its numpy array."""
    np.copyto(target, row[:target.size].cpu().numpy().view(target.dtype).reshape(target.shape))
