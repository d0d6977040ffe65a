#!/usr/bin/env bash
# The recipe's size against the data it stands for, and sharded export against
# the single one (60,000 digits, seed 1): writes benchmarks/results/recipes.json.
# Run from the repository after npm run build: bash benchmarks/exports/measure.sh
set -euo pipefail
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cli="node dist/cli.js"
ms() { date +%s%3N; }
t0=$(ms); $cli export --task digits --count 60000 --seed 1 --out "$out/single" >/dev/null; t1=$(ms)
recipe="$out/single/digits.recipe.json"
for i in 0 1 2 3; do $cli export --recipe "$recipe" --shard "$i/4" --out "$out/shards" >/dev/null & done
wait; t2=$(ms)
$cli verify "$out/shards" >/dev/null; t3=$(ms)
$cli merge "$out/shards" --out "$out/merged" >/dev/null; t4=$(ms)
same=true
for f in digits-images-idx3-ubyte digits-labels-idx1-ubyte; do cmp -s "$out/single/$f" "$out/merged/$f" || same=false; done
size() { stat -c %s "$1"; }
cat > benchmarks/results/recipes.json <<JSON
{
  "command": "bash benchmarks/exports/measure.sh",
  "date": "$(date -u +%F)",
  "samples": 60000,
  "recipeBytes": $(size "$recipe"),
  "recipeBytesMinified": $(node -e "process.stdout.write(String(JSON.stringify(require('$recipe')).length))"),
  "imageBytes": $(size "$out/single/digits-images-idx3-ubyte"),
  "labelBytes": $(size "$out/single/digits-labels-idx1-ubyte"),
  "singleExportMs": $((t1 - t0)),
  "fourShardProcessesMs": $((t2 - t1)),
  "verifyMs": $((t3 - t2)),
  "mergeMs": $((t4 - t3)),
  "mergedEqualsSingle": $same,
  "machine": "2 cores, shared with other work while measured: times are indicative"
}
JSON
cat benchmarks/results/recipes.json
