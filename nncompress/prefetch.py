"""A cache prefetch the compiled kernels can issue: the loads of a round's cold rows and slots start together and
the core goes on working while they arrive (a plain load, summed, would hold up every later instruction until it
has arrived).

Contract: `prefetch(array, index)` hints that element `index` (flat, C order) of the C-contiguous `array` will be
read soon. It changes no value, so it cannot change what is computed. Run as Python (numba's JIT off, as
tests/test_determinism.py runs the kernels) it does nothing.
"""
from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.extending import intrinsic, overload


def prefetch(array, index):
    """A hint to the cache; compiled, the instruction below."""


@intrinsic
def _prefetch_instruction(typingctx, array, index):
    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        byte_pointer = ir.IntType(8).as_pointer()
        hint = ir.FunctionType(ir.VoidType(), [byte_pointer] + [ir.IntType(32)] * 3)
        # (named for its pointer type: llvm.prefetch.p0 where LLVM's pointers are opaque, .p0i8 where they are typed)
        function = builder.module.declare_intrinsic("llvm.prefetch", [byte_pointer], hint)
        read, keep_in_all_caches, data_cache = (ir.Constant(ir.IntType(32), value) for value in (0, 3, 1))
        builder.call(function, [builder.bitcast(builder.gep(data, [args[1]]), byte_pointer), read,
                                keep_in_all_caches, data_cache])
        return context.get_dummy_value()

    return types.void(array, index), codegen


@overload(prefetch, inline="always")
def _prefetch_compiled(array, index):
    if isinstance(array, types.Array) and array.layout == "C" and isinstance(index, types.Integer):
        return lambda array, index: _prefetch_instruction(array, index)
    return None
