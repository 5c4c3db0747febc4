#!/usr/bin/env bash
# Assembles results/REPORT.md from the outputs of `make report`: provenance,
# the hand-written findings (results/FINDINGS.md, which cite the numbers
# below), the comparison tables and the figures. The CSVs of the runs are
# copied next to it so the report can be checked without re-running.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=results/report
mkdir -p "$OUT"
cp results/runs/demo/ppl.csv "$OUT/ppl_chunks_sliding.csv"
cp results/runs/demo/positions.csv "$OUT/positions_chunks_sliding.csv"
cp results/runs/demo/perf.csv "$OUT/perf_chunks_sliding.csv"
cp results/runs/tail/ppl.csv "$OUT/ppl_tail.csv"
cp results/runs/tail/perf.csv "$OUT/perf_tail.csv"
[ -f results/runs/tasks/tasks.csv ] && cp results/runs/tasks/tasks.csv "$OUT/tasks.csv"
[ -f results/runs/tasks_grid/tasks.csv ] && cp results/runs/tasks_grid/tasks.csv "$OUT/tasks_grid.csv"
for g in tasks_grid32k tasks_grid32k_mk; do  # never a stale copy of an earlier report
  rm -f "$OUT/$g.csv"
  if [ -f results/runs/$g/tasks.csv ]; then cp results/runs/$g/tasks.csv "$OUT/$g.csv"; fi
done
{
  echo "# lengen report: position encodings of the shipped zoo, 512 → 32768 tokens"
  echo
  echo "Produced by \`make report\` at commit \`$(git rev-parse --short=12 HEAD)\` on $(date -u +%F)"
  echo "($(nproc) cores; models: \`zoo/models/*.pt\`, trained at 512 tokens; corpus: the six"
  echo "held-out Jane Austen novels, tokenized with \`data/tokenizer/lengen-4096.model\`)."
  echo "Settings: \`configs/demo.toml\` with \`-l 512 1024 ... 32768\` (chunks and sliding, one 32768-token segment per cell),"
  echo "\`configs/report_tail.toml\` (tail, 2 segments of 32768 tokens per cell)$( [ -f "$OUT/tasks.csv" ] && echo ", \`configs/tasks_demo.toml\` (passkey and niah, needle at 50% depth)")$( [ -f "$OUT/tasks_grid.csv" ] && echo ", \`configs/tasks_grid.toml\` (passkey, niah and niah-multikey at depths 10/50/90, 512 ... 16384$( [ -f "$OUT/tasks_grid32k.csv" ] && echo ", and at 32768 in results/runs/tasks_grid32k")$( [ -f "$OUT/tasks_grid32k_mk.csv" ] && echo " and results/runs/tasks_grid32k_mk"))")."
  echo "Every number below is in the CSVs of \`results/report/\`."
  echo
  cat results/FINDINGS.md
  echo
  echo "## Tables"
  cat "$OUT/comparison.md"
  echo
  echo "## Figures"
  echo
  for png in "$OUT"/ppl_*.png "$OUT"/positions_*.png "$OUT"/task_*.png "$OUT"/heatmap_*.png; do
    [ -f "$png" ] || continue
    name=$(basename "$png" .png)
    echo "![$name](report/$name.png)"
    echo
  done
} > results/REPORT.md
echo "wrote results/REPORT.md"
