#!/usr/bin/env bash
# The project's own perplexity regression check, run by `make test` (ctest
# "ci_regression"): a small real sweep of the fixture models on the fixture
# corpus, checked with `lengen check` against the committed baseline
# results/ci_baseline.json; then a perturbed model must fail the check with
# exit code 3. Regenerate the baseline (when a change is intended) with:
#   tests/ci_regression.sh build/lengen --update
set -euo pipefail
LENGEN=$(realpath "$1")
cd "$(dirname "$0")/.."
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
BASELINE=results/ci_baseline.json
MODELS=(tests/fixtures/models/tiny_alibi.pt tests/fixtures/models/tiny_rope.pt tests/fixtures/models/tiny_fire.pt)
SWEEP=(-l 16 32 64 128 -p chunks sliding tail --tail-tokens 8 --threads 2 -q)

"$LENGEN" tokenize -q --tokenizer data/tokenizer/lengen-4096.model -o "$TMP/fixture.tok" tests/data/corpus
"$LENGEN" sweep -m "${MODELS[@]}" -c "$TMP/fixture.tok" "${SWEEP[@]}" -o "$TMP/run" > /dev/null
if [ "${2:-}" = "--update" ]; then
  "$LENGEN" baseline --run "$TMP/run" --out "$BASELINE"
  exit 0
fi
"$LENGEN" check --baseline "$BASELINE" --run "$TMP/run"

# A model scaled by 5% must be caught as a regression (exit 3).
/usr/bin/python3 tests/perturb_model.py tests/fixtures/models/tiny_alibi.pt "$TMP/tiny_alibi.pt" 0.05
"$LENGEN" sweep -m "$TMP/tiny_alibi.pt" "${MODELS[1]}" "${MODELS[2]}" -c "$TMP/fixture.tok" "${SWEEP[@]}" -o "$TMP/perturbed" > /dev/null
set +e
"$LENGEN" check --baseline "$BASELINE" --run "$TMP/perturbed" > "$TMP/check.md" 2>&1
code=$?
set -e
if [ "$code" -ne 3 ]; then
  echo "expected exit 3 (regression) for the perturbed model, got $code" >&2
  cat "$TMP/check.md" >&2
  exit 1
fi
grep -q "REGRESSION" "$TMP/check.md"
echo "perturbed model caught: exit 3 with $(grep -c REGRESSION "$TMP/check.md") regressed value(s)"
