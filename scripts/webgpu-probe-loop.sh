#!/bin/sh
# Runs scripts/webgpu-probe.mjs RUNS times with its arguments under SwiftShader; prints each
# outcome (ok, a failure, a crash signal or a 300 s hang) and a tally. A 100 MB run takes about a
# minute on SwiftShader.
#   sh scripts/webgpu-probe-loop.sh RUNS PATTERN [MEGABYTES] [ROUNDS]
runs=$1; shift
export VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json LD_LIBRARY_PATH=/usr/lib/chromium XDG_RUNTIME_DIR=/tmp
ok=0
for run in $(seq 1 "$runs"); do
  output=$(timeout 300 node "$(dirname "$0")/webgpu-probe.mjs" "$@" 2>&1)
  code=$?
  if [ $code -eq 0 ] && echo "$output" | grep -q '^ok$'; then ok=$((ok + 1)); else echo "run $run: exit $code: $(echo "$output" | tail -3 | tr '\n' ' ')"; fi
done
echo "$* : $ok of $runs ok"
