"""Time per stage per step of the coding loop (compression), by wrapping each stage in a timer.

    python -m benchmarks.profile_stages FILE [--bytes N] [--presets 1,6] [--out PREFIX]

Stages: context hashing, memory gather, match model, mixers, WHT network forward, APM, leaf
products, quantisation, range coding, and the learning steps (memory, mixers, network backward,
APM, match). CPU ops are synchronous, so wall time per call is the stage's cost. One torch thread.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import torch

import nncompress
from nncompress import apm, codec, coder, hashing, match, memory, mixer, predictor, wht

# (label, object owning the function, attribute name)
STAGES = [
    ("hash contexts", hashing.LaneContexts, "hashes"),
    ("memory: slot addresses", memory.ContextMemory, "address"),
    ("memory: gather + stretch", memory.ContextMemory, "read"),
    ("match: predict", match.MatchModel, "predicted"),
    ("mixers: forward", mixer.Mixer, "forward"),
    ("WHT net: forward", wht.WHTNetwork, "forward"),
    ("APM: forward", apm.APM, "forward"),
    ("leaf products", predictor, "leaf_probabilities"),
    ("quantise", codec, "frequencies"),
    ("range coder", coder.EncodingSource, "code"),
    ("memory: update", memory.ContextMemory, "update"),
    ("mixers: update", mixer.Mixer, "update"),
    ("WHT net: backward + AdaMax", wht.WHTNetwork, "backward"),
    ("APM: update", apm.APM, "update"),
    ("match: update", match.MatchModel, "update"),
    ("lane histories", hashing.LaneContexts, "advance"),
]


@contextmanager
def instrumented(totals: dict[str, float]):
    originals = []
    for label, owner, name in STAGES:
        original = getattr(owner, name)
        originals.append((owner, name, original))

        def timed(*args, _f=original, _label=label, **kwargs):
            start = time.perf_counter()
            try:
                return _f(*args, **kwargs)
            finally:
                totals[_label] += time.perf_counter() - start
        setattr(owner, name, timed)
    try:
        yield
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def profile(data: bytes, preset: int) -> dict:
    totals: dict[str, float] = defaultdict(float)
    steps = []

    original_run = codec.run_block

    def counting_run(pred, layout, source, progress=None):
        steps.append(layout.stride)
        return original_run(pred, layout, source, progress)

    codec.run_block = counting_run
    try:
        with instrumented(totals):
            start = time.perf_counter()
            archive = nncompress.compress(data, preset=preset)
            wall = time.perf_counter() - start
    finally:
        codec.run_block = original_run
    n_steps = sum(steps)
    staged = sum(totals.values())
    rows = [{"stage": label, "us_per_step": round(1e6 * totals[label] / n_steps, 1),
             "share": round(totals[label] / wall, 3)} for label, _, _ in STAGES if label in totals]
    rows.append({"stage": "other (Python glue, allocation)", "us_per_step": round(1e6 * (wall - staged) / n_steps, 1),
                 "share": round((wall - staged) / wall, 3)})
    return {"preset": preset, "bytes": len(data), "steps": n_steps, "lanes": len(data) // max(n_steps, 1),
            "wall_s": round(wall, 2), "bytes_per_s": round(len(data) / wall),
            "bits_per_byte": round(8 * len(archive) / len(data), 4), "stages": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--bytes", type=int, default=262_144)
    parser.add_argument("--presets", default="1,6")
    parser.add_argument("--out", default="benchmarks/results/profile_stages")
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = Path(args.file).read_bytes()[:args.bytes]
    results = [profile(data, int(p)) for p in args.presets.split(",")]
    command = "python -m benchmarks.profile_stages " + " ".join(sys.argv[1:])
    meta = {"command": command, "date": time.strftime("%Y-%m-%d"), "torch": torch.__version__,
            "python": platform.python_version(), "cpu": _cpu()}
    Path(args.out + ".json").write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    lines = ["# Time per stage per step (compression, 1 torch thread)", "",
             f"Command: `{command}`; {meta['date']}; {meta['cpu']}; torch {meta['torch']}.", ""]
    for r in results:
        lines += [f"## Preset -{r['preset']}: {r['bytes']:,} bytes, {r['steps']:,} steps of ~{r['lanes']} lanes, "
                  f"{r['bytes_per_s']:,} B/s, {r['bits_per_byte']} bits/byte", "",
                  "| stage | us per step | share of wall time |", "|---|---:|---:|"]
        lines += [f"| {s['stage']} | {s['us_per_step']} | {100 * s['share']:.1f}% |" for s in r["stages"]]
        lines.append("")
    Path(args.out + ".md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


def _cpu() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


if __name__ == "__main__":
    raise SystemExit(main())
