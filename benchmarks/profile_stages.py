"""Time per stage of the coding loop (compression), per step (one byte of every lane).

    python -m benchmarks.profile_stages FILE [--bytes N] [--presets 1,6] [--out PREFIX]

nncompress codes a block in compiled calls of 256 steps each (rounds.py): every round predicts,
codes and learns inside the call. Here the same loop runs with the CPU's cycle counter read
around each stage (`_timed_steps`, which mirrors rounds.code_steps in ENCODE mode and must give
the same archive); cycles become seconds by the counter's rate over the run. The loop, the calls
and the reading of the counter are what the wall time leaves. The instrumented loop ran 7-18%
slower than the plain one in two runs; the plain speed is reported beside it. (Timing separate
calls per stage instead, as for formats 1-4, now overstates the stages: each call starts with
colder caches.)

Stages: predict = context slots (hashing of the nibble, bucket search), gather of bit histories
and state maps, the match model's input, 6 weight sets, the WHT network forward, the second
mixer, 3 APMs and the integer frequencies; learn = bit-history and state-map updates, mixer and
WHT network backward steps, APMs, and after a byte the lane's context hashes and match model.
"""
from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from nncompress import rangecoder
from nncompress.codec import CHUNK, encode_block
from nncompress.coder import Encoding
from nncompress.config import preset_config
from nncompress.lanes import LaneLayout, choose_lanes
from nncompress.predictor import ONE_CHILD, TOP_NODE, ZERO_CHILD, Predictor, learn_round, predict_round

from .run import machine_info, save_results


@intrinsic
def _cycles(typingctx):
    """The CPU's cycle counter (rdtsc on x86)."""
    def codegen(context, builder, signature, args):
        counter = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.IntType(64), []),
                                                 "llvm.readcyclecounter")
        return builder.call(counter, [])
    return types.uint64(), codegen


@njit
def _counter():
    return _cycles()


@njit
def _timed_steps(grid, lane_lengths, first, last, coder, words, m, cycles):
    """rounds.code_steps(ENCODE, ...), adding each stage's cycles to cycles[predict, code, learn]."""
    lanes = grid.shape[0]
    symbols = np.zeros(lanes, dtype=np.int32)
    active = np.zeros(lanes, dtype=np.bool_)
    wanted = np.zeros(lanes, dtype=np.int64)
    for step in range(first, last):
        for b in range(lanes):
            active[b] = lane_lengths[b] > step
        for quarter in range(4):
            shift = 6 - 2 * quarter
            t0 = _cycles()
            wanted[:] = TOP_NODE
            predict_round(quarter, step, active, wanted, m)
            for b in range(lanes):
                wanted[b] = ONE_CHILD if (grid[b, step] >> (shift + 1)) & 1 else ZERO_CHILD
            predict_round(quarter, step, active, wanted, m)
            t1 = _cycles()
            for b in range(lanes):
                symbols[b] = (grid[b, step] >> shift) & 3 if active[b] else 0
                if active[b]:
                    rangecoder.encode_symbol(coder, words, m.freqs[b], symbols[b])
            t2 = _cycles()
            learn_round(quarter, step, active, symbols, m)
            t3 = _cycles()
            cycles[0] += t1 - t0
            cycles[1] += t2 - t1
            cycles[2] += t3 - t2


def profile(data: bytes, preset: int) -> dict:
    config = preset_config(preset)
    layout = LaneLayout(len(data), choose_lanes(len(data), config))
    grid = layout.split(data)
    lengths = layout.lane_lengths()
    predictor = Predictor(config)
    encoding = Encoding()
    cycles = np.zeros(3, dtype=np.uint64)
    warm = Predictor(config)   # compiles (or loads) the loop first
    warm.start_block(LaneLayout(64, 1))
    _timed_steps(np.zeros((1, 16), dtype=np.uint8), np.full(1, 16), 0, 16, rangecoder.new_state(),
                 np.zeros(80, dtype=np.uint32), warm.kernel_state, np.zeros(3, dtype=np.uint64))
    predictor.start_block(layout)
    clock = time.perf_counter
    start, start_cycles = clock(), _counter()
    for first in range(0, layout.stride, CHUNK):
        last = min(first + CHUNK, layout.stride)
        words = encoding.words(4 * layout.lanes * (last - first))
        _timed_steps(grid, lengths, first, last, encoding.state, words, predictor.kernel_state, cycles)
        encoding.chunk_done()
    wall, wall_cycles = clock() - start, _counter() - start_cycles
    payload = encoding.payload()
    encode_block(Predictor(config), data[:4096])   # the same block without the counter, as nncompress
    plain = Predictor(config)                      # codes it: its kernel loaded first, out of the clock
    start = clock()
    _, plain_payload = encode_block(plain, data)
    plain_wall = clock() - start
    assert plain_payload == payload
    seconds = [float(c) * wall / float(wall_cycles) for c in cycles]
    stages = {
        "predict (slots, gather, mixers, WHT forward, APMs, frequencies)": seconds[0],
        "range coder (compiled, rangecoder.py)": seconds[1],
        "learn (histories, state maps, mixers, WHT backward, APMs, contexts, match)": seconds[2],
    }
    stages["step loop, calls (one per 256 steps), counter reads"] = wall - sum(stages.values())
    rows = [{"stage": name, "us_per_step": round(1e6 * seconds / layout.stride, 2),
             "share": round(seconds / wall, 3)} for name, seconds in stages.items()]
    return {"preset": preset, "bytes": len(data), "lanes": layout.lanes, "steps": layout.stride,
            "wall_s": round(wall, 2), "bytes_per_s": round(len(data) / wall),
            "uninstrumented_bytes_per_s": round(len(data) / plain_wall),
            "bits_per_byte": round(8 * len(payload) / len(data), 4), "stages": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--bytes", type=int, default=1_000_000)
    parser.add_argument("--presets", default="1,6")
    parser.add_argument("--out", default="benchmarks/results/profile_stages")
    args = parser.parse_args()
    data = Path(args.file).read_bytes()[:args.bytes]
    results = [profile(data, int(p)) for p in args.presets.split(",")]
    command = "python -m benchmarks.profile_stages " + " ".join(sys.argv[1:])
    meta = {"command": command, "date": time.strftime("%Y-%m-%d"), "python": platform.python_version(),
            "cpu": machine_info()["cpu"]}
    lines = ["# Time per stage per step (compression, one thread)", "",
             f"Command: `{command}`; {meta['date']}; {meta['cpu']}.",
             "Before: `profile_stages_v1.md` (format 1, torch ops), `profile_stages_v2.md` (format 2, 37 arrays "
             "unboxed per kernel call), `profile_stages_v3.md` (format 3) and `profile_stages_v4.md` (format 4, "
             "one call per round, constriction called from Python).", ""]
    for r in results:
        lines += [f"## Preset -{r['preset']}: {r['bytes']:,} bytes, {r['steps']:,} steps of {r['lanes']} lanes, "
                  f"{r['bytes_per_s']:,} B/s ({r['uninstrumented_bytes_per_s']:,} B/s without the counter), "
                  f"{r['bits_per_byte']} bits/byte", "",
                  "| stage | us per step | share of wall time |", "|---|---:|---:|"]
        lines += [f"| {s['stage']} | {s['us_per_step']} | {100 * s['share']:.1f}% |" for s in r["stages"]]
        lines.append("")
    save_results(args.out, meta, results, lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
