#!/bin/sh
# Train + export every zoo model (resumable; see zoo/train_all.py).  Run from the repo root.
# Needs: build/data/corpora/train/*.txt and data/tokenizer/lengen-4096.model (make data).
set -e
cd "$(dirname "$0")/.."
TC=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
if [ -e "$TC" ]; then export LD_PRELOAD="$TC${LD_PRELOAD:+:$LD_PRELOAD}"; fi
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
exec /usr/bin/python3 -m zoo.train_all "$@"
