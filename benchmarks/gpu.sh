#!/usr/bin/env bash
# Everything that needs a CUDA GPU, in one go, in at most ~10 minutes on one GPU:
#   1. the device tests on CUDA           (FSK_TEST_DEVICE=cuda, tests parametrised over device)
#   2. training step time and share of the measured bf16 matmul peak, per preset and size
#   3. live per-frame time of each preset (tiny, lite, default) with the network on the GPU
# Each step has its own time limit; output goes to the terminal and to $OUT_DIR (out/gpu).
# Without a CUDA device it says so and exits 0 (nothing to measure here).
#   bash benchmarks/gpu.sh            # from the repository root or anywhere
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
if ! "$PY" -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)"; then
  echo "gpu.sh: skipped: torch sees no CUDA device (nothing measured)"
  exit 0
fi
OUT_DIR=${OUT_DIR:-out/gpu}
mkdir -p "$OUT_DIR"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" MPLBACKEND=Agg
failed=()
step() {  # step NAME SECONDS COMMAND...
  local name=$1 limit=$2
  shift 2
  echo "== $name (at most ${limit} s)"
  local start=$SECONDS
  timeout --kill-after=10 "$limit" "$@" 2>&1 | tee "$OUT_DIR/$name.txt"
  local status=${PIPESTATUS[0]}
  echo "== $name: exit $status after $((SECONDS - start)) s"
  [ "$status" -eq 0 ] || failed+=("$name (exit $status)")
}
step device 20 "$PY" -c "import torch; p = torch.cuda.get_device_properties(0); print(p.name, f'{p.total_memory / 2**30:.0f} GiB', 'bf16:', torch.cuda.is_bf16_supported(), 'torch', torch.__version__)"
step cuda-tests 240 env FSK_TEST_DEVICE=cuda "$PY" -m pytest -q -p no:cacheprovider -m "not slow and not browser" -k cuda tests faceswap_kit
step train 200 "$PY" benchmarks/bench_train.py --device cuda --repeats 3
step live 120 "$PY" benchmarks/bench_live.py --presets tiny lite default --device cuda --model-frames 60 --passes 2
echo
if [ ${#failed[@]} -eq 0 ]; then
  echo "gpu.sh: all steps done in ${SECONDS} s; tables in $OUT_DIR/"
else
  echo "gpu.sh: failed: ${failed[*]} (${SECONDS} s); see $OUT_DIR/"
  exit 1
fi
