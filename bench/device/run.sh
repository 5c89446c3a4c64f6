#!/bin/sh
# Runs on the many-core machine from the repository root after bench/device/pack.sh's .device/ was
# carried there: unpacks node and the package into /tmp/poolkit, then prints the seed CNN's step per
# thread count against PyTorch's (whatever torch that machine's python3 has). Arguments go to
# bench:train (default: --threads 1,2,4,8,16). (The pooling benchmark compares with onnxruntime-node,
# too large to carry; it runs here with `npm run bench`.)
set -eu
root=$(pwd)
work=/tmp/poolkit
rm -rf "$work" && mkdir -p "$work"
xz -dc "$root/.device/node.xz" > "$work/node" && chmod +x "$work/node"
tar -xJf "$root/.device/package.tar.xz" -C "$work"
cd "$work"
nproc; python3 -c 'import torch; print("torch", torch.__version__)' || true
if [ "$#" -eq 0 ]; then set -- --threads 1,2,4,8,16; fi
"$work/node" --expose-gc dist/bench/train.js "$@"
