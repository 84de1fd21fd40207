"""What a GPU port of the format-2 model could reach at best: the floors of one coding round on CUDA.

A round of the model (docs/FORMAT.md) predicts 3 tree nodes in each of B lanes, hands integer
frequencies to the range coder on the CPU, and learns from the symbols the coder returns before the
next round can start. So whatever the kernels, a GPU round pays at least:

1. the round trip: symbols host->device, a kernel launch, frequencies device->host, a sync.
   Measured with a do-nothing Triton kernel (read B symbols, write 4B frequencies), eagerly and as
   a replayed CUDA graph;
2. learning's chain of dependent gathers: learning goes lane by lane in lane order on shared tables,
   so one program walks the lanes, and each lane's update reads a slot, then a state-map entry,
   then mixer weights, each address depending on the last read. Measured as a single-program Triton
   kernel following `depth` dependent 16-wide gathers per lane in a table the size of the default
   preset's (256 MiB).

The CPU figure it is set against is the compiled CPU model's whole round at the default preset
(`benchmarks/results/profile_stages.md`). Needs CUDA, torch and triton (not package dependencies):

    python -m benchmarks.gpu_round_floor --out benchmarks/results/gpu_round_floor
"""
from __future__ import annotations

import argparse
import time

import torch
import triton
import triton.language as tl

from benchmarks.run import gpu_header, gpu_meta, save_results


@triton.jit
def _round_trip_kernel(symbols, frequencies, LANES: tl.constexpr):
    lane = tl.arange(0, LANES)
    s = tl.load(symbols + lane)
    for k in tl.static_range(4):
        tl.store(frequencies + lane * 4 + k, (s + k) & 0xFFFF)


@triton.jit
def _gather_chain_kernel(table, starts, out, lanes, depth, mask, WIDTH: tl.constexpr):
    offsets = tl.arange(0, WIDTH)
    total = tl.zeros([WIDTH], dtype=tl.int64)
    for lane in range(lanes):
        index = tl.load(starts + lane * WIDTH + offsets)
        for _ in range(depth):
            value = tl.load(table + index)
            index = (value ^ (index * 2654435761)) & mask  # the next address needs the value just read
        total += index
    tl.store(out + offsets, total)


def _time_rounds(run_round, rounds: int) -> float:
    """Seconds per round, after a warm-up."""
    for _ in range(20):
        run_round()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(rounds):
        run_round()
    return (time.perf_counter() - start) / rounds


def round_trip_floor(lanes: int, rounds: int) -> dict:
    symbols_host = torch.zeros(lanes, dtype=torch.int32).pin_memory()
    frequencies_host = torch.zeros(lanes * 4, dtype=torch.int32).pin_memory()
    symbols = torch.zeros(lanes, dtype=torch.int32, device="cuda")
    frequencies = torch.zeros(lanes * 4, dtype=torch.int32, device="cuda")

    def enqueue():
        symbols.copy_(symbols_host, non_blocking=True)
        _round_trip_kernel[(1,)](symbols, frequencies, LANES=lanes)
        frequencies_host.copy_(frequencies, non_blocking=True)

    def eager():
        enqueue()
        torch.cuda.synchronize()  # the coder needs the frequencies before the next round

    enqueue()
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        enqueue()

    def replay():
        graph.replay()
        torch.cuda.synchronize()

    return {"lanes": lanes, "eager_us": 1e6 * _time_rounds(eager, rounds),
            "graph_us": 1e6 * _time_rounds(replay, rounds)}


def gather_chain(lanes: int, depth: int, table_bits: int, width: int = 16) -> dict:
    generator = torch.Generator().manual_seed(1)
    mask = (1 << table_bits) - 1
    table = torch.randint(0, 1 << 62, (1 << table_bits,), dtype=torch.int64, generator=generator).cuda()
    starts = torch.randint(0, 1 << table_bits, (lanes * width,), dtype=torch.int64, generator=generator).cuda()
    out = torch.zeros(width, dtype=torch.int64, device="cuda")

    def run():
        _gather_chain_kernel[(1,)](table, starts, out, lanes, depth, mask, WIDTH=width)
        torch.cuda.synchronize()

    return {"lanes": lanes, "depth": depth, "table_mib": (8 << table_bits) >> 20,
            "round_us": 1e6 * _time_rounds(run, 50)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="benchmarks/results/gpu_round_floor")
    parser.add_argument("--cpu-round-us", type=float, default=24.7,
                        help="the CPU model's whole round at the default preset: 16 lanes x 2 bits in 24.7 us "
                             "is format 2's 162 kB/s (benchmarks/results/enwik8_4M.md at commit 42b059c)")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("gpu_round_floor: needs a CUDA device")

    trips = [round_trip_floor(lanes, 2000) for lanes in (16, 256, 4096)]
    chains = [gather_chain(16, depth, 25) for depth in (1, 8, 32)]
    for chain in chains[1:]:  # the launch and sync are in every round: the slope is the gathers' own cost
        chain["per_dependent_gather_us"] = ((chain["round_us"] - chains[0]["round_us"])
                                            / (chain["lanes"] * (chain["depth"] - chains[0]["depth"])))
    meta = gpu_meta("gpu_round_floor", cpu_round_us=args.cpu_round_us)
    lines = [
        "# The floor of one coding round on a GPU", "",
        gpu_header(meta), "",
        "Round trip (symbols in, a do-nothing kernel, frequencies out, sync), µs per round. A round codes",
        "2 bits per lane, so lanes / 4 bytes. For comparison, the CPU model's whole round at the default",
        f"preset (16 lanes, prediction, coding and learning included) takes {args.cpu_round_us} µs.", "",
        "| lanes | eager µs | CUDA graph µs | ceiling kB/s (no model work at all) |", "|---:|---:|---:|---:|",
    ]
    for trip in trips:
        best = min(trip["eager_us"], trip["graph_us"])
        lines.append(f"| {trip['lanes']} | {trip['eager_us']:.1f} | {trip['graph_us']:.1f} | "
                     f"{trip['lanes'] / 4 / best * 1e3:,.0f} |")
    lines += ["", "Learning's dependent gathers: one program, 16 lanes in turn, 16-wide gathers in a 256 MiB table:", "",
              "| dependent gathers per lane | µs per round (launch and sync included) | µs per added dependent gather |",
              "|---:|---:|---:|"]
    for chain in chains:
        slope = chain.get("per_dependent_gather_us")
        lines.append(f"| {chain['depth']} | {chain['round_us']:.1f} | {'' if slope is None else f'{slope:.3f}'} |")
    save_results(args.out, meta, {"round_trip": trips, "gather_chain": chains}, lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
