"""Zeroed model tables for small and large inputs: on the OS's default pages, or on 2 MiB pages.

numpy asks the OS for 2 MiB pages (madvise) on every large array. That is right for a model that
fills its tables: fewer TLB misses on random slots. But a small input touches only a few hundred
random slots, and each costs a whole 2 MiB page: compressing 6 bytes at -6 mapped 204 MB of its
256 MiB table. `zeroed(shape, dtype, huge_pages=False)` maps anonymous memory without that
request, so the OS's default pages (4 KiB where huge pages are opt-in) are used.
"""
from __future__ import annotations

import mmap

import numpy as np

# Inputs shorter than this get default pages. Each byte touches about 34 random slots, so 4 KiB pages
# map far less of the table only for inputs of a few KiB; above that they map as much and cost
# more page faults (16 KiB at -6: 484 MB either way, 1.14-1.18 s against 0.99 s).
SMALL_INPUT = 4 << 10


def zeroed(shape, dtype, *, huge_pages: bool) -> np.ndarray:
    if huge_pages:
        return np.zeros(shape, dtype=dtype)
    size = int(np.prod(shape)) * np.dtype(dtype).itemsize
    buffer = mmap.mmap(-1, max(size, 1))   # anonymous memory: zero filled, pages mapped on first touch
    return np.frombuffer(buffer, dtype=dtype, count=int(np.prod(shape))).reshape(shape)
