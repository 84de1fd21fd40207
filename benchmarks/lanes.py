"""Bytes/s and bits/byte against the number of lanes B, at a preset (default: the default one).

    python -m benchmarks.lanes FILE [--lanes 1,2,4,8,16,32,64] [--presets 6] [--out PREFIX]

Each B codes the whole file as one block with exactly B lanes (the preset's other settings
unchanged), through the range coder, then decodes it and checks the round trip; times exclude
compiling the kernels. A round's memory loads for all lanes are in flight together, so more lanes
are faster per byte (up to about 16), while the model learns less from each lane's neighbours.
The model runs on one thread; more processes (-T) are measured by `benchmarks.run --threads`
(benchmarks/README.md, "Threads").
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from nncompress.codec import decode_block, encode_block
from nncompress.config import DEFAULT_PRESET, preset_config
from nncompress.predictor import Predictor

from .run import machine_info, save_results


def measure(data: bytes, preset: int, lanes: int) -> dict:
    config = replace(preset_config(preset), max_lanes=lanes, min_lane_len=1, block_log=28)
    encode_block(Predictor(config), b"warm up: compile the kernels" * 8)
    start = time.perf_counter()
    header, payload = encode_block(Predictor(config), data)
    compress_s = time.perf_counter() - start
    start = time.perf_counter()
    restored = decode_block(Predictor(config), header, payload)
    decompress_s = time.perf_counter() - start
    if restored != data:
        raise SystemExit(f"round trip failed with {lanes} lanes")
    return {"preset": preset, "lanes": header.lanes, "bytes": len(payload),
            "bits_per_byte": round(8 * len(payload) / len(data), 4), "compress_Bps": round(len(data) / compress_s),
            "decompress_Bps": round(len(data) / decompress_s)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--lanes", default="1,2,4,8,16,32,64")
    parser.add_argument("--presets", default=str(DEFAULT_PRESET), help="comma-separated, each with every --lanes")
    parser.add_argument("--out", default="benchmarks/results/lanes")
    args = parser.parse_args()
    data = args.file.read_bytes()
    presets = [int(p) for p in args.presets.split(",")]
    rows = []
    for preset in presets:
        for lanes in (int(b) for b in args.lanes.split(",")):
            rows.append(measure(data, preset, lanes))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    command = "python -m benchmarks.lanes " + " ".join(sys.argv[1:])
    meta = {"command": command, "date": time.strftime("%Y-%m-%d"), "cpu": machine_info()["cpu"],
            "input": args.file.name, "input_bytes": len(data), "presets": presets, "threads": 1}
    named = ", ".join(f"-{p}" for p in presets)
    lines = [f"# Lanes: speed and bits per byte, preset {named}, {args.file.name} ({len(data):,} bytes)", "",
             f"Command: `{command}`; {meta['date']}; {meta['cpu']}; one thread; payload bytes (one block); "
             "in-process times (no start-up).", "",
             "| preset | lanes | bytes | bits/byte | compress kB/s | decompress kB/s |",
             "|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| -{r['preset']} | {r['lanes']} | {r['bytes']:,} | {r['bits_per_byte']} | "
              f"{r['compress_Bps'] / 1000:.1f} | {r['decompress_Bps'] / 1000:.1f} |" for r in rows]
    save_results(args.out, meta, rows, lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
