#!/usr/bin/env bash
# lengen on a machine with an NVIDIA GPU and a pip PyTorch (e.g. torch 2.11 +
# CUDA 13), no Debian packages and no network. In one run it
#   1. unpacks the .deb files of bench/fetch_device_debs.sh into a folder,
#   2. builds lengen against the pip PyTorch's LibTorch (CUDA),
#   3. runs the C++ test suite (the CUDA cases of tests/test_compute.cpp run),
#   4. times a 512 -> 32768 sweep cell of the zoo on the GPU, lengen against a bare
#      TorchScript loop and the plain PyTorch script on the same windows, and
#      bfloat16 against float32.
# Usage: bench/device_check.sh [DEBS_DIR] [OUT_DIR]   (run from anywhere)
set -euo pipefail
cd "$(dirname "$0")/.."
DEBS=${1:-build-device-debs}
OUT=${2:-${OUT:-build-device-out}}
PY=${PY:-python3}
BUILD=build-device
ROOT=$PWD/$BUILD/debs-root
mkdir -p "$OUT" "$ROOT"
exec > >(tee "$OUT/device_check.log") 2>&1

echo "## machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
"$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available())'

echo "## 1. Debian packages -> $ROOT"
for deb in "$DEBS"/*.deb; do dpkg-deb -x "$deb" "$ROOT"; done
export LD_LIBRARY_PATH=$ROOT/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

echo "## 2. build against the pip LibTorch"
TORCH_DIR=$("$PY" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')/Torch
start=$(date +%s)
GEN=$(command -v ninja > /dev/null && echo "-G Ninja" || true)
cmake -S . -B $BUILD $GEN -DCMAKE_BUILD_TYPE=Release -DTorch_DIR="$TORCH_DIR" \
  -DLENGEN_DEPS_PREFIX="$ROOT" \
  -DLENGEN_TCMALLOC_LIBRARY="$ROOT/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4" \
  -DCMAKE_CUDA_ARCHITECTURES=90 > "$OUT/cmake.log" 2>&1 || { tail -40 "$OUT/cmake.log"; exit 1; }
grep "lengen:" "$OUT/cmake.log" || true
cmake --build $BUILD -j "$(nproc)" > "$OUT/build.log" 2>&1 || { grep -m20 -B2 -A8 "error" "$OUT/build.log"; exit 1; }
echo "built in $(( $(date +%s) - start )) s"
$BUILD/lengen info --device cuda zoo/models/alibi.pt | grep -E "backend|parameters|forward"

echo "## 3. tests (C++ suite; the zoo/data Python suites need Debian's python3-torch: skipped)"
(cd $BUILD && ctest -LE python -j 4 --timeout 600 2>&1 | tail -25) || true

echo "## 4. GPU timings: chunks cells of the zoo, 512 -> 32768"
CACHE=${CACHE:-$DEBS/austen.tok}
[ -f "$CACHE" ] || { echo "no $CACHE (bench/fetch_device_debs.sh copies it)"; CACHE=""; }
if [ -n "$CACHE" ]; then
  for T in 512 2048 8192 32768; do
    $BUILD/lengen_bench --model zoo/models/fire.pt --cache "$CACHE" --length $T --max-tokens 131072 \
      --device cuda --repeats 3 --dump-windows $BUILD/w$T
    "$PY" bench/ppl_reference.py zoo/models/fire.pt $BUILD/w$T 4 3 cuda
    $BUILD/lengen_bench --model zoo/models/fire.pt --cache "$CACHE" --length $T --max-tokens 131072 \
      --device cuda --repeats 3 --versus-dtype bfloat16
  done
  start=$(date +%s)
  $BUILD/lengen sweep -q --device cuda -m zoo/models/*.pt -c "$CACHE" -l 512 1024 2048 4096 8192 16384 32768 \
    --max-tokens 65536 -o $BUILD/sweep-cuda > "$OUT/sweep_cuda.md"
  echo "lengen sweep of the zoo 512 -> 32768 on cuda (65536 tokens per cell): $(( $(date +%s) - start )) s"
  cp $BUILD/sweep-cuda/ppl.csv "$OUT/ppl_cuda.csv"; cp $BUILD/sweep-cuda/perf.csv "$OUT/perf_cuda.csv"
fi
