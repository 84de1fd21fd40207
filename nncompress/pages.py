"""Zeroed arrays whose memory is mapped only where they are written, in small pages.

numpy asks Linux for 2 MiB pages on large arrays: a row of weights written anywhere in such a page maps all of
it. -9's 675 MiB of layer-1 rows were then mapped mostly whole for a short input: 1 KiB writes 9,419 rows, in 245
of the 337 large pages but only 4,505 small ones. In 4 KiB pages a short input maps only what it writes; a long one
writes most pages anyway, and ran faster in large ones (predictor.SMALL_PAGES_BELOW).

Contract: `small_page_zeros(shape, dtype)` is a C-contiguous, writeable array of zeros, backed by anonymous memory
that the system maps page by page as it is written (where the system cannot be advised so, in whatever pages it
gives: the array is the same).
"""
from __future__ import annotations

import mmap

import numpy as np


def small_page_zeros(shape: tuple[int, ...], dtype) -> np.ndarray:
    size = int(np.prod(shape)) * np.dtype(dtype).itemsize
    memory = mmap.mmap(-1, max(size, 1))   # anonymous: zeros, mapped on first touch
    if hasattr(mmap, "MADV_NOHUGEPAGE"):
        try:
            memory.madvise(mmap.MADV_NOHUGEPAGE)
        except OSError:   # (a kernel without transparent huge pages refuses the advice it does not need)
            pass
    return np.frombuffer(memory, dtype=dtype, count=int(np.prod(shape))).reshape(shape)
