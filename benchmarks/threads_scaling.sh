#!/bin/bash
# How -T scales with cores: T copies of FILE coded with -T T, so that each member is exactly FILE and
# every member's work is the same at every T; prints aggregate kB/s (input bytes per wall second).
#
#   benchmarks/threads_scaling.sh ../shared/data/enwik8_4M 1 2 4 8     (from the repository root)
#
# Results: benchmarks/results/threads_scaling.md. Where constriction or click is missing (the lent GPU
# machine), wheels carried in .whl/ are installed into /tmp/site first.
set -u
file=$1; shift
python3 -c "import constriction, click" 2>/dev/null ||
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl ||
  exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
nproc; lscpu | grep -i "model name"
python3 -c "import numba, numpy; print('numba', numba.__version__, 'numpy', numpy.__version__)"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
head -c 300000 "$file" > "$work/warm"
python3 -m nncompress compress -c "$work/warm" > /dev/null   # the kernels compiled (or loaded) once, untimed
for T in "$@"; do
  for i in $(seq "$T"); do cat "$file"; done > "$work/in"
  s=$(date +%s.%N); python3 -m nncompress compress -T"$T" -c "$work/in" > "$work/in.nnc"; e=$(date +%s.%N)
  python3 -m nncompress decompress -T"$T" -c "$work/in.nnc" > "$work/out"; f=$(date +%s.%N)
  cmp -s "$work/in" "$work/out" && ok=ok || ok=MISMATCH
  python3 - "$T" "$s" "$e" "$f" "$(stat -c %s "$work/in")" "$(stat -c %s "$work/in.nnc")" "$ok" <<'PY'
import sys
t, s, e, f, n, c, ok = sys.argv[1:]
s, e, f, n, c = float(s), float(e), float(f), int(n), int(c)
print(f"T={t} input {n:,} archive {c:,} ({8*c/n:.3f} bits/byte) compress {e-s:.1f} s {n/(e-s)/1e3:.0f} kB/s "
      f"decompress {f-e:.1f} s {n/(f-e)/1e3:.0f} kB/s round trip {ok}")
PY
done
