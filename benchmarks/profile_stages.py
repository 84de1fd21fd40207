"""Time per stage of the coding loop (compression), per step (one byte of every lane).

    python -m benchmarks.profile_stages FILE [--bytes N] [--presets 1,6] [--out PREFIX]

The model runs as one compiled call per round (two bits of every lane): it learns the last round's
bits, then predicts the next round. Here each round's call is split in two timed calls, learning
only and prediction only, which compute exactly what the fused call computes (the same archive);
the range coder and the Python loop are timed around them. The cost of calling a compiled kernel
(argument checks, measured on a call that does nothing) is reported as its own stage.

Stages inside the calls: predict = context slots (hashing of the nibble, bucket search), gather
of bit histories and state maps, the match model's input, 6 weight sets, the WHT network forward, the
second mixer, 3 APMs and the integer frequencies; learn = bit-history and state-map updates, mixer
and WHT network backward steps, APMs, and after a byte the lane's context hashes and match model.
"""
from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np

from nncompress import predictor as predictor_module
from nncompress.coder import EncodingSource
from nncompress.config import preset_config
from nncompress.lanes import LaneLayout, choose_lanes

from .run import machine_info, save_results


def profile(data: bytes, preset: int) -> dict:
    config = preset_config(preset)
    warm = predictor_module.Predictor(config)
    warm.start_block(LaneLayout(64, 1))
    warm.predict()
    layout = LaneLayout(len(data), choose_lanes(len(data), config))
    model = predictor_module.Predictor(config)
    model.start_block(layout)
    source = EncodingSource(layout.split(data))
    step_kernel = predictor_module._step
    lengths = layout.lane_lengths()
    totals = dict(learn=0.0, predict=0.0, coder=0.0, call=0.0)
    clock = time.perf_counter
    start = clock()
    symbols = None
    for step in range(layout.stride):
        active = lengths > step
        mask = None if active.all() else active
        for quarter in range(4):
            t0 = clock()
            if symbols is not None:
                step_kernel(True, *model._pending, False, model.quarter, model.step, model.active, model.kernel_state)
                model._pending = None
            t1 = clock()
            freqs = model.predict()
            t2 = clock()
            symbols = source.code(step, quarter, freqs, mask)
            t3 = clock()
            model.update(symbols)
            totals["learn"] += t1 - t0
            totals["predict"] += t2 - t1
            totals["coder"] += t3 - t2
    wall = clock() - start
    # What one call costs when it computes nothing: Python's call and numba's argument checks.
    idle = np.zeros_like(model.active)
    t0 = clock()
    for _ in range(10_000):
        step_kernel(False, *model._pending, False, model.quarter, model.step, idle, model.kernel_state)
    call = (clock() - t0) / 10_000
    calls = 4 * layout.stride
    learn_calls = calls - 1
    stages = {
        "predict (slots, gather, mixers, WHT forward, APMs, frequencies)": totals["predict"] - calls * call,
        "learn (histories, state maps, mixers, WHT backward, APMs, contexts, match)":
            totals["learn"] - learn_calls * call,
        "range coder (constriction) and symbol extraction": totals["coder"],
        "kernel call overhead (2 calls per round here, 1 in nncompress)": (calls + learn_calls) * call,
    }
    stages["Python loop"] = wall - sum(stages.values())
    payload = len(source.payload())
    rows = [{"stage": name, "us_per_step": round(1e6 * seconds / layout.stride, 2),
             "share": round(seconds / wall, 3)} for name, seconds in stages.items()]
    return {"preset": preset, "bytes": len(data), "lanes": layout.lanes, "steps": layout.stride,
            "wall_s": round(wall, 2), "bytes_per_s": round(len(data) / wall),
            "bits_per_byte": round(8 * payload / len(data), 4), "stages": rows}


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
             "unboxed per kernel call) and `profile_stages_v3.md` (format 3).", ""]
    for r in results:
        lines += [f"## Preset -{r['preset']}: {r['bytes']:,} bytes, {r['steps']:,} steps of {r['lanes']} lanes, "
                  f"{r['bytes_per_s']:,} B/s, {r['bits_per_byte']} bits/byte", "",
                  "| stage | us per step | share of wall time |", "|---|---:|---:|"]
        lines += [f"| {s['stage']} | {s['us_per_step']} | {100 * s['share']:.1f}% |" for s in r["stages"]]
        lines.append("")
    save_results(args.out, meta, results, lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
