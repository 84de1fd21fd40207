"""Which contexts earn their time: leave each of a preset's contexts out, and add each candidate.

    python -m benchmarks.contexts FILE [--preset 6] [--add above,o6,lane:o2,o1+o6] [--values mixer_rate=3]
                                  [--leave-out all|none|o2,lane:o3] [--out PREFIX]

A candidate joined by + adds several contexts in one variant. --values tries other values of the
preset's settings (config.ModelConfig), one variant each.

Every variant compresses the whole file in a fresh process (benchmarks.ablation.run_variant: real
payload bytes, time without compiling the kernels). A context costs about the same time whichever
it is; what differs is how many bits it saves beside the others, which this measures.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import fields
from pathlib import Path

from nncompress.config import ModelConfig, preset_config

from .ablation import run_variant
from .run import machine_info, save_results


def _variants(preset: int, additions: list[str], values: list[str], leave_out: str):
    config = preset_config(preset)
    shared, lane = list(config.contexts), list(config.lane_contexts)
    chosen = {"all": shared + [f"lane:{name}" for name in lane], "none": []}.get(leave_out, leave_out.split(","))
    yield f"preset -{preset}", {}
    for name in shared:
        if name in chosen:
            yield f"- {name}", dict(contexts=[c for c in shared if c != name], lane_contexts=lane)
    for name in lane:
        if f"lane:{name}" in chosen:
            yield f"- lane {name}", dict(contexts=shared, lane_contexts=[c for c in lane if c != name])
    for addition in additions:
        names = addition.split("+")
        added_lane = [name[5:] for name in names if name.startswith("lane:")]
        added = [name for name in names if not name.startswith("lane:")]
        yield "+ " + ", ".join(added + [f"lane {name}" for name in added_lane]), dict(
            contexts=shared + added, lane_contexts=lane + added_lane)
    types = {field.name: field.type for field in fields(ModelConfig)}
    for value in values:
        name, text = value.split("=")
        yield f"{name} = {text}", {name: float(text) if types[name] in (float, "float") else int(text)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--preset", type=int, default=6)
    parser.add_argument("--add", default="above,o6,lane:o2", help="candidates to add, one at a time (a+b: together)")
    parser.add_argument("--values", default="", help="NAME=VALUE settings to try, one at a time")
    parser.add_argument("--leave-out", default="all", help="the preset's contexts to leave out, one at a time")
    parser.add_argument("--out", default="benchmarks/results/contexts")
    args = parser.parse_args()
    n = args.file.stat().st_size
    rows = []
    for label, overrides in _variants(args.preset, [a for a in args.add.split(",") if a],
                                      [v for v in args.values.split(",") if v], args.leave_out):
        r = run_variant(args.file, overrides, args.preset)
        rows.append({"variant": label, "bytes": r["bytes"], "bits_per_byte": round(8 * r["bytes"] / n, 4),
                     "bytes_per_s": round(n / r["seconds"])})
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    command = "python -m benchmarks.contexts " + " ".join(sys.argv[1:])
    meta = {"command": command, "date": time.strftime("%Y-%m-%d"), "cpu": machine_info()["cpu"],
            "input": args.file.name, "input_bytes": n, "preset": args.preset}
    reference = rows[0]["bits_per_byte"]
    lines = [f"# Contexts: each left out of preset -{args.preset}, each candidate added ({args.file.name})", "",
             f"Command: `{command}`; {meta['date']}; {meta['cpu']}; one thread; payload bytes, compression.", "",
             "| variant | bytes | bits/byte | change | compress kB/s |", "|---|---:|---:|---:|---:|"]
    for i, r in enumerate(rows):
        change = "" if i == 0 else f"{r['bits_per_byte'] - reference:+.4f}"
        lines.append(f"| {r['variant']} | {r['bytes']:,} | {r['bits_per_byte']} | {change} | "
                     f"{r['bytes_per_s'] / 1000:.1f} |")
    save_results(args.out, meta, rows, lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
