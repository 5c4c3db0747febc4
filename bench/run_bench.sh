#!/usr/bin/env bash
# make bench: every comparison is measured side by side in one run and reported
# as a ratio (these machines are noisy; absolute seconds are context only).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
LENGEN=$BUILD/lengen
BENCH=$BUILD/lengen_bench
PY=/usr/bin/python3
TCMALLOC=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
THREADS=${THREADS:-$(nproc)}
DATA=$BUILD/data
CACHE=$DATA/caches/austen.tok
TOKENIZER=data/tokenizer/lengen-4096.model
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "# lengen bench ($(date -u +%FT%TZ), $THREADS threads, $(nproc) cores)"
echo
echo "## 1. Tokenization: lengen tokenize vs spm_encode on the six Austen novels"
cat "$DATA"/corpora/austen/*.txt > "$TMP/austen.txt"
for round in 1 2; do
  t0=$(date +%s.%N)
  "$LENGEN" tokenize -q --threads "$THREADS" --tokenizer "$TOKENIZER" -o "$TMP/a.tok" "$DATA"/corpora/austen
  t1=$(date +%s.%N)
  spm_encode --model "$TOKENIZER" --output_format=id < "$TMP/austen.txt" > "$TMP/ids.txt"
  t2=$(date +%s.%N)
  tokens=$(wc -w < "$TMP/ids.txt")
  awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$tokens" -v r="$round" 'BEGIN {
    printf "  round %d: lengen %.2f s (%.0f tokens/s), spm_encode %.2f s (%.0f tokens/s): spm_encode/lengen time ratio %.2f\n",
      r, b-a, n/(b-a), c-b, n/(c-b), (c-b)/(b-a) }'
done

echo
echo "## 2. Sweep cell: lengen vs a bare forward loop vs a plain PyTorch script (same windows)"
for T in 1024 8192; do
  "$BENCH" --model zoo/models/alibi.pt --cache "$CACHE" --length "$T" --max-tokens 16384 \
    --threads "$THREADS" --repeats 3 --dump-windows "$TMP/w$T" | tee "$TMP/bench$T.txt"
  LD_PRELOAD=$TCMALLOC "$PY" bench/ppl_reference.py zoo/models/alibi.pt "$TMP/w$T" "$THREADS" 3 | tee "$TMP/py$T.txt"
  lengen_best=$(awk '/lengen cell/ {print $4}' "$TMP/bench$T.txt")
  py_best=$(awk '/PYTHON_BEST/ {print $2}' "$TMP/py$T.txt")
  awk -v l="$lengen_best" -v p="$py_best" 'BEGIN { printf "  python script / lengen time ratio: %.2f\n", p/l }'
done

if [ "${BENCH_FIRE:-1}" = 1 ]; then
  echo
  echo "## 3. FIRE vs ALiBi: 32k-token forward of the shipped models"
  LD_PRELOAD=$TCMALLOC "$PY" -m zoo.bench_fire --length 32768 --repeats 1 --models zoo/models
fi

echo
echo "## 4. Task cell vs a sweep cell over as many tokens: passkey, 4 candidates, decoding on"
echo "   (cached: forward_cached, one prefill per sample; full: forward only, as before the cache;"
echo "    the full path decodes only up to --decode-max-length 2048)"
for spec in "2048 8" "8192 4"; do
  set -- $spec
  OMP_WAIT_POLICY=PASSIVE "$BUILD/lengen_bench_tasks" --model zoo/models/fire.pt --haystack "$CACHE" \
    --length "$1" --samples "$2" --candidates 4 --decode-tokens 16 --threads "$THREADS" \
    --repeats "${TASKS_REPEATS:-2}" --scratch "$TMP/tasks"
done

if [ "${BENCH_DTYPE:-1}" = 1 ]; then
  echo
  echo "## 5. bfloat16 vs float32: one T=4096 chunks cell of every shipped model (CPU matrix units)"
  for model in zoo/models/*.pt; do
    LD_PRELOAD=$TCMALLOC "$BENCH" --model "$model" --cache "$CACHE" --length 4096 --max-tokens 8192 \
      --threads "$THREADS" --repeats 2 --versus-dtype bfloat16 --device "${BENCH_DEVICE:-cpu}"
  done
fi
