"""nncompress.prefetch: a hint that compiles to a prefetch instruction and changes nothing."""
from __future__ import annotations

import numpy as np
from numba import njit

from nncompress.prefetch import prefetch


@njit
def _sum_after_asking(values, step):
    """The sum of every step-th element of the 2-D `values`, each asked for (by its flat index) before it is read."""
    total = 0
    width = values.shape[1]
    for i in range(0, values.size, step):
        prefetch(values, i)
        prefetch(values, values.size - 1)
        total += values[i // width, i % width]
    return total


def test_prefetch_compiles_to_an_instruction_and_changes_no_value():
    values = np.arange(4096, dtype=np.int32).reshape(64, 64)
    before = values.copy()
    assert _sum_after_asking(values, 16) == int(before.reshape(-1)[::16].sum())
    assert np.array_equal(values, before)
    machine_code = _sum_after_asking.inspect_asm(_sum_after_asking.signatures[0])
    assert "prefetch" in machine_code
