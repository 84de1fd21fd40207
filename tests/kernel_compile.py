"""Compile the Triton kernel for a CUDA target on a machine without a GPU: `python -m tests.kernel_compile PRESET ARCH`.

Triton's compiler (through PTX to a cubin, with the ptxas Triton ships) checks what its interpreter
does not: that every value keeps one type through branches and loops, and that the kernel fits
the target. Run in a process without TRITON_INTERPRET (tests/test_kernels.py does so). It also
counts the PTX's barriers and global stores (kernels/README.md, "memory ordering").
"""
from __future__ import annotations

import inspect
import re
import sys
from dataclasses import replace

import numpy as np
from triton.backends.compiler import GPUTarget
from triton.compiler import ASTSource, compile

from nncompress.config import preset_config
from nncompress.kernels.device_steps import MODEL_ARRAYS, SHARED_ARRAYS, TABLES, DeviceSteps, device_view
from nncompress.kernels.steps import code_steps_kernel
from nncompress.lanes import LaneLayout
from nncompress.predictor import Predictor

POINTER = {np.dtype(np.uint8): "*u8", np.dtype(np.int16): "*i16", np.dtype(np.int32): "*i32",
           np.dtype(np.int64): "*i64"}


def main(preset: int, arch: int) -> None:
    predictor = Predictor(replace(preset_config(preset), table_bits=12, match_bits=10))
    predictor.start_block(LaneLayout(100_000, 4))
    m = predictor.kernel_state
    names = list(inspect.signature(code_steps_kernel.fn).parameters)
    signature = {name: "i32" for name in names[:names.index("members")]}
    signature.update(members="*i64", sizes="*i64", grid="*u8", lane_lengths="*i64", coder="*i64", words="*i32",
                     symbols="*i64")
    signature.update({name: POINTER[device_view(getattr(m, name)).dtype] for name in MODEL_ARRAYS + SHARED_ARRAYS})
    signature.update({name: POINTER[table.dtype] for name, table in TABLES.items()})
    constants = DeviceSteps.constants(m)
    signature.update({name: "constexpr" for name in constants})
    assert list(signature) == names, set(names) ^ set(signature)
    kernel = compile(ASTSource(code_steps_kernel, signature, {(names.index(k),): v for k, v in constants.items()}),
                     target=GPUTarget("cuda", arch, 32), options=DeviceSteps.OPTIONS)
    ptx = kernel.asm["ptx"]
    print(f"preset {preset}, sm_{arch}: cubin of {len(kernel.asm['cubin'])} bytes; PTX: "
          f"{len(re.findall(r'bar[.]sync', ptx))} barriers, {len(re.findall(r'st[.]global', ptx))} global stores "
          f"({len(re.findall(r'@%p[0-9]+ st[.]global', ptx))} predicated: masked, or a scalar stored by one thread)")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
