"""Which contexts earn their time: leave each of a preset's contexts out, and add each candidate.

    python -m benchmarks.contexts FILE [--add above,o6,lane:o2] [--out PREFIX]

Every variant compresses the whole file in a fresh process (benchmarks.ablation.run_variant: real
payload bytes, time without compiling the kernels). A context costs about the same time whichever
it is; what differs is how many bits it saves beside the others, which this measures.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from nncompress.config import DEFAULT_PRESET, preset_config

from .ablation import run_variant
from .run import machine_info, save_results


def _variants(additions: list[str]):
    config = preset_config(DEFAULT_PRESET)   # run_variant's overrides apply to the default preset
    shared, lane = list(config.contexts), list(config.lane_contexts)
    yield f"preset -{DEFAULT_PRESET}", {}
    for name in shared:
        yield f"- {name}", dict(contexts=[c for c in shared if c != name], lane_contexts=lane)
    for name in lane:
        yield f"- lane {name}", dict(contexts=shared, lane_contexts=[c for c in lane if c != name])
    for name in additions:
        if name.startswith("lane:"):
            yield f"+ lane {name[5:]}", dict(contexts=shared, lane_contexts=lane + [name[5:]])
        else:
            yield f"+ {name}", dict(contexts=shared + [name], lane_contexts=lane)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--add", default="above,o6,lane:o2", help="candidates to add, one at a time")
    parser.add_argument("--out", default="benchmarks/results/contexts")
    args = parser.parse_args()
    n = args.file.stat().st_size
    rows = []
    for label, overrides in _variants([a for a in args.add.split(",") if a]):
        r = run_variant(args.file, overrides)
        rows.append({"variant": label, "bytes": r["bytes"], "bits_per_byte": round(8 * r["bytes"] / n, 4),
                     "bytes_per_s": round(n / r["seconds"])})
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    command = "python -m benchmarks.contexts " + " ".join(sys.argv[1:])
    meta = {"command": command, "date": time.strftime("%Y-%m-%d"), "cpu": machine_info()["cpu"],
            "input": args.file.name, "input_bytes": n, "preset": DEFAULT_PRESET}
    reference = rows[0]["bits_per_byte"]
    lines = [f"# Contexts: each left out of preset -{DEFAULT_PRESET}, each candidate added ({args.file.name})", "",
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
