"""pages.small_page_zeros: zeros the kernels can write, mapped as they are written; a short frame's layer-1 rows live
in them, a long one's in numpy's own arrays (large pages)."""
from __future__ import annotations

import mmap
from dataclasses import replace

import numpy as np

from nncompress.config import preset_config
from nncompress.pages import small_page_zeros
from nncompress.predictor import SMALL_PAGES_BELOW, Predictor


def test_small_page_zeros_are_writeable_zeros():
    array = small_page_zeros((3, 5), np.int32)
    assert array.shape == (3, 5) and array.dtype == np.int32
    assert array.flags.c_contiguous and array.flags.writeable and not array.any()
    array[2, 4] = -7
    assert array.sum() == -7


def _in_small_pages(array: np.ndarray) -> bool:
    """Whether the array's memory is a small_page_zeros mapping (numpy's own arrays own theirs: base None)."""
    owner = array
    while isinstance(owner, np.ndarray):
        owner = owner.base
    return isinstance(owner, memoryview) and isinstance(owner.obj, mmap.mmap)


def test_only_a_short_frame_keeps_its_rows_in_small_pages():
    config = replace(preset_config(6), table_bits=14, match_bits=12)
    assert _in_small_pages(Predictor(config, only_block=SMALL_PAGES_BELOW - 1).mixer)
    assert not _in_small_pages(Predictor(config, only_block=SMALL_PAGES_BELOW).mixer)
    assert not _in_small_pages(Predictor(config).mixer)
