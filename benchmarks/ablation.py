"""Ablation: what each component of the model adds, in bits per byte, speed and memory.

    python -m benchmarks.ablation FILE... [--out PREFIX]
    python -m benchmarks.ablation FILE... --leave-out-of PRESET [--out PREFIX]

Components are added one at a time to the shared context memory + mixers, through the default
preset (-6) to -7. With --leave-out-of, each component is instead left out of the whole preset
alone: what it still adds once everything else is there. Each variant compresses the whole file
(payload bytes, through the coder) in a fresh process, so its peak RSS is its own; the time
excludes compiling the kernels.
"""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

from nncompress.config import DEFAULT_PRESET, preset_config

from .run import machine_info, save_results

# The contexts of format 2 (nncompress 0.2), from which this version's were chosen.
_FORMAT2_CONTEXTS = dict(contexts=("o2", "o3", "o4", "o5", "o6", "word", "words", "column", "markup", "skip"),
                         lane_contexts=())
_FORMAT2_LANE_CONTEXTS = dict(_FORMAT2_CONTEXTS, lane_contexts=("o2", "o3", "word", "markup"))
_NO_SHARED = dict(final_shared_rows=False)   # until format 17, -1..-6 had no shared rows in the second layer
_OFF = dict(_NO_SHARED, match_model=False, wht_network=False, apm=False, history_sets=False)
_STRONG = preset_config(9)
_STRONG_CONTEXTS = preset_config(8).contexts   # -7..-9's; -9 adds the word classes (format 23) and the phrase (25)
# -8's tables; -9's context table is twice as large (format 24).
_STRONG_TABLES = dict(table_bits=preset_config(8).table_bits, match_bits=preset_config(8).match_bits)
_SHAPES = ("shape", "shapeword", "shape12")
_STEADY = ("intag", "wordgap", "linegap", "prevgap")   # contexts steady within a word (format 9)
_SENTENCE = ("sentword", "prevstem", "nameword", "sentpos")   # -7..-9's contexts of the sentence (format 14)
# Format 8's default contexts, before format 9 put intag and wordgap in the place of skip and tag.
_FORMAT8_CONTEXTS = ("o2", "o3", "o4", "o5", "o7", "word", "words", "words3", "skip", "markup", "tag", "tagword",
                     "lineword", "column", "ind2", "shape")
# Format 10's default contexts, before format 13 added the title; format 9's, before format 10 added the last
# heading.
_FORMAT10_CONTEXTS = tuple(name for name in preset_config(DEFAULT_PRESET).contexts if name != "titleword")
_FORMAT9_CONTEXTS = tuple(name for name in _FORMAT10_CONTEXTS if name != "headword")
_STRONG_MIXING = dict(order3_set=_STRONG.order3_set, order2_by_depth=_STRONG.order2_by_depth, surprise=_STRONG.surprise,
                      final_by_position=_STRONG.final_by_position, mixer_init=_STRONG.mixer_init,
                      mixer_boost=_STRONG.mixer_boost)
_STRONG_SHARED = dict(_STRONG_MIXING, contexts=_STRONG_CONTEXTS, layer1_shared_rows=_STRONG.layer1_shared_rows)
_ONE_LANE = dict(_STRONG_SHARED, lane_contexts=(), max_lanes=1)   # -7 (format 20)
_STRONG_INPUTS = dict(_ONE_LANE, **_STRONG_TABLES, deterministic_inputs=True)   # -8 (format 20)
# -9 of format 23, with the run inputs, the word classes and the steps by input: -9's but for its table and the phrase.
_CLASSES_AND_STEPS = dict(_STRONG_INPUTS, run_inputs=True, contexts=_STRONG_CONTEXTS + ("classes", "classes2"),
                          input_rates=_STRONG.input_rates)
_TABLES_26 = dict(_CLASSES_AND_STEPS, table_bits=_STRONG.table_bits)   # -9 of format 24

# (label, overrides of the default preset), cumulative.
VARIANTS = [
    ("shared context memory + 4 weight sets (format-2 contexts)", dict(_FORMAT2_CONTEXTS, **_OFF)),
    ("+ lane-local contexts", dict(_FORMAT2_LANE_CONTEXTS, **_OFF)),
    ("+ match model", dict(_FORMAT2_LANE_CONTEXTS, **dict(_OFF, match_model=True))),
    ("+ WHT network", dict(_FORMAT2_LANE_CONTEXTS, **_NO_SHARED, apm=False, history_sets=False)),
    ("+ APMs", dict(_FORMAT2_LANE_CONTEXTS, **_NO_SHARED, history_sets=False)),
    ("+ 2 weight sets chosen by the gap before the word and its length, and the last two bytes",
     dict(_FORMAT2_LANE_CONTEXTS, **_NO_SHARED)),
    ("+ structure contexts: o7 for o6, words3, tag, tagword, lineword, indirect ind2",
     dict(contexts=_FORMAT8_CONTEXTS[:-1], **_NO_SHARED)),
    ("+ the text's shape: the classes of the last 7 bytes (format 8's contexts)",
     dict(contexts=_FORMAT8_CONTEXTS, **_NO_SHARED)),
    ("+ steady within a word: intag and wordgap in the place of skip and tag (format 9's contexts)",
     dict(contexts=_FORMAT9_CONTEXTS, **_NO_SHARED)),
    ("+ the last heading: headword", dict(contexts=_FORMAT10_CONTEXTS, **_NO_SHARED)),
    ("+ the page's title: titleword", dict(_NO_SHARED)),
    ("+ the second layer's shared rows: by the pattern, by the text state, by the node (= default -6)", dict()),
    ("+ -7..-9's 31 contexts: byte above, indirect, sparse, words, brackets, columns, the match's expected byte, "
     "the last 10 and 20 bytes, two more of the shape, skip and tag, two more steady ones, the title with "
     "two words, four of the sentence, two of the next word",
     dict(contexts=_STRONG_CONTEXTS)),
    ("+ -7..-9's mixing: a seventh weight set (the last three bytes), the order-2 set by depth, surprise 64, "
     "the second layer by position, weights starting at 0.03 with half the boost",
     dict(_STRONG_MIXING, contexts=_STRONG_CONTEXTS)),
    ("+ the first layer's rows shared by all nodes", _STRONG_SHARED),
    ("+ one lane, not 4, without lane-local contexts (= -7)", _ONE_LANE),
    ("+ deterministic inputs: a sure history's probability, linear; a bias where none; tables of 2^25 slots and "
     "2^22 match entries (= -8)", _STRONG_INPUTS),
    ("+ run inputs", dict(_STRONG_INPUTS, run_inputs=True)),
    ("+ two contexts of the last words' classes, the first layer's steps by input", _CLASSES_AND_STEPS),
    ("+ tables of 2^26 slots", _TABLES_26),
    ("+ the phrase inside brackets (= -9)", dict(_TABLES_26, contexts=_STRONG.contexts)),
]


def _switched_off(name):
    """config -> the overrides that switch the component `name` off, or None where the config lacks it."""
    return lambda config: {name: False} if getattr(config, name) else None


def _without(names):
    """config -> the overrides that leave the contexts `names` out, or None where the config has none of them."""
    def overrides(config):
        contexts = tuple(name for name in config.contexts if name not in names)
        return dict(contexts=contexts) if contexts != config.contexts else None
    return overrides


# (label, config -> overrides or None) for --leave-out-of: each component left out of the whole preset alone.
LEAVE_OUT = [
    ("without the match model", _switched_off("match_model")),
    ("without the WHT network", _switched_off("wht_network")),
    ("without the APMs", _switched_off("apm")),
    ("without the weight sets chosen by the gap before the word, the last two bytes (and the last three)",
     _switched_off("history_sets")),
    ("without the run inputs", _switched_off("run_inputs")),
    ("without the second layer's rows by position (the word's length, the innermost bracket)",
     _switched_off("final_by_position")),
    ("without the second layer's shared rows (by the pattern, by the text state, by the node)",
     _switched_off("final_shared_rows")),
    ("without the first layer's rows shared by all nodes", _switched_off("layer1_shared_rows")),
    ("without the deterministic inputs", _switched_off("deterministic_inputs")),
    ("without the shape contexts (shape; at -7..-9 also shapeword, shape12)", _without(_SHAPES)),
    ("without the contexts steady within a word (intag, wordgap; at -7..-9 also linegap, prevgap)",
     _without(_STEADY)),
    ("without the last heading (headword)", _without(("headword",))),
    ("without the title (titleword; at -7..-9 also titlewords)", _without(("titleword", "titlewords"))),
    ("without the sentence (sentword, prevstem, nameword, sentpos)", _without(_SENTENCE)),
    ("without the next word (followword, followletter)", _without(("followword", "followletter"))),
    ("without the last words' classes (classes, classes2)", _without(("classes", "classes2"))),
    ("without the phrase inside brackets (phrase)", _without(("phrase",))),
    ("with a table of 2^25 slots, not 2^26", lambda config: dict(table_bits=25) if config.table_bits > 25 else None),
    ("with the same step for every input (input_rates 4, 4, 4)",
     lambda config: dict(input_rates=(4, 4, 4)) if config.input_rates != (4, 4, 4) else None),
]

_CHILD = """
import json, resource, sys, time
from dataclasses import replace
from nncompress.codec import encode_block
from nncompress.config import preset_config
from nncompress.predictor import Predictor
overrides = {k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(sys.argv[2]).items()}
config = replace(preset_config(int(sys.argv[3])), **overrides)
encode_block(Predictor(config), b"warm up: compile the kernels" * 8)
data = open(sys.argv[1], 'rb').read()
start = time.perf_counter()
predictor = Predictor(config)
size = 0
for i in range(0, len(data), config.block_size):
    header, payload = encode_block(predictor, data[i:i + config.block_size])
    size += len(payload)
print(json.dumps({"bytes": size, "seconds": time.perf_counter() - start,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_variant(path: Path, overrides: dict, preset: int = DEFAULT_PRESET) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(path), json.dumps(overrides), str(preset)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--leave-out-of", type=int, metavar="PRESET",
                        help="leave each component out of this whole preset alone, instead of adding them in turn")
    parser.add_argument("--out")
    args = parser.parse_args()
    preset = args.leave_out_of or DEFAULT_PRESET
    if args.leave_out_of:
        config = preset_config(preset)
        variants = [(f"-{preset}", {})] + [(label, overrides(config)) for label, overrides in LEAVE_OUT
                                            if overrides(config) is not None]
        out = args.out or f"benchmarks/results/ablation_leave_out_{preset}"
    else:
        variants, out = VARIANTS, args.out or "benchmarks/results/ablation"
    command = "python -m benchmarks.ablation " + " ".join(sys.argv[1:])
    results = {}
    for path in args.files:
        n = path.stat().st_size
        rows = []
        for label, overrides in variants:
            r = run_variant(path, overrides, preset)
            rows.append({"variant": label, "overrides": overrides, "bytes": r["bytes"],
                         "bits_per_byte": round(8 * r["bytes"] / n, 4), "bytes_per_s": round(n / r["seconds"]),
                         "peak_rss_mib": round(r["peak_rss_mib"])})
            print(path.name, json.dumps(rows[-1]), file=sys.stderr, flush=True)
        results[path.name] = {"input_bytes": n, "rows": rows}
    meta = {"command": command, "date": time.strftime("%Y-%m-%d"), "python": platform.python_version(),
            "cpu": machine_info()["cpu"], "note": "compression only (decompression runs the same steps); payload bytes, "
                                   "without the container's few bytes; one thread"}
    title = (f"# Ablation: each component left out of -{preset} alone" if args.leave_out_of
             else "# Ablation: what each component adds")
    lines = [title, "",
             f"Command: `{command}`; {meta['date']}; {meta['cpu']}; {meta['note']}.", ""]
    for name, res in results.items():
        lines += [f"## {name} ({res['input_bytes']:,} bytes)", "",
                  "| variant | bytes | bits/byte | change | compress B/s | peak RSS MiB |", "|---|---:|---:|---:|---:|---:|"]
        previous = None
        for r in res["rows"]:
            change = "" if previous is None else f"{r['bits_per_byte'] - previous:+.4f}"
            lines.append(f"| {r['variant']} | {r['bytes']:,} | {r['bits_per_byte']} | {change} | "
                         f"{r['bytes_per_s']:,} | {r['peak_rss_mib']} |")
            if previous is None or not args.leave_out_of:   # left out: each row against the whole preset
                previous = r["bits_per_byte"]
        lines.append("")
    save_results(out, meta, results, lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
