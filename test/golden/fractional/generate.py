"""Golden cases for poolkit's fractionalMaxPool2d/3d: PyTorch 1.13's fractional_max_pool2d/3d with
given _random_samples; output, indices and the input gradient of sum(output * grad_weights).
Run with Debian's /usr/bin/python3 (python3-torch), then format the JSON as the repository does:
  /usr/bin/python3 test/golden/fractional/generate.py && npx prettier --write test/golden/fractional/cases.json
Tensors are NCHW / NCDHW, flattened; NaN is written as null."""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20140618)


def flat(tensor):
    return [None if math.isnan(value) else value for value in tensor.detach().flatten().tolist()]


def case(name, shape, kernel, output_size=None, output_ratio=None, values="random"):
    dims = len(shape) - 2
    if values == "random":
        x = torch.randn(*shape)
    elif values == "ties":
        x = torch.randint(0, 3, shape).float()
    else:  # some NaN
        x = torch.randn(*shape)
        x.view(-1)[:: 7] = float("nan")
    x.requires_grad_(True)
    samples = torch.rand(shape[0], shape[1], dims)
    pool = F.fractional_max_pool2d if dims == 2 else F.fractional_max_pool3d
    out, indices = pool(
        x, kernel, output_size=output_size, output_ratio=output_ratio, return_indices=True, _random_samples=samples
    )
    weights = torch.randn(*out.shape)
    weights[out.isnan()] = 0  # nansum passes no gradient through NaN outputs; the weights say so
    (out * weights).nansum().backward()
    return {
        "name": name,
        "inputShape": list(shape),
        "kernelSize": kernel,
        "outputSize": output_size,
        "outputRatio": output_ratio,
        "input": flat(x),
        "samples": samples.flatten().tolist(),
        "outputShape": list(out.shape),
        "output": flat(out),
        "indices": indices.flatten().tolist(),
        "gradWeights": weights.flatten().tolist(),
        "gradInput": flat(x.grad),
    }


cases = [
    case("2d 2x2 to 5x5", (2, 3, 10, 10), [2, 2], output_size=[5, 5]),
    case("2d non-square, 3x2 kernel, size", (1, 2, 13, 9), [3, 2], output_size=[7, 6]),
    case("2d ratio 0.7", (2, 2, 11, 14), [2, 2], output_ratio=[0.7, 0.7]),
    case("2d ratio 0.5 with 3x3 windows (overlap)", (1, 3, 12, 12), [3, 3], output_ratio=[0.5, 0.5]),
    case("2d output 1x1", (1, 2, 6, 5), [2, 3], output_size=[1, 1]),
    case("2d output as large as possible", (1, 1, 7, 8), [2, 2], output_size=[6, 7]),
    case("2d ties (first wins)", (1, 2, 8, 8), [2, 2], output_size=[5, 5], values="ties"),
    case("2d NaN propagates", (1, 2, 9, 9), [2, 2], output_size=[6, 6], values="nan"),
    case("3d 2x2x2 to 3x4x5", (1, 2, 6, 8, 9), [2, 2, 2], output_size=[3, 4, 5]),
    case("3d ratio 0.6, kernel 2x3x2", (2, 1, 7, 9, 6), [2, 3, 2], output_ratio=[0.6, 0.6, 0.6]),
]

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.json")
with open(path, "w") as handle:
    json.dump({"torch": torch.__version__, "cases": cases}, handle, separators=(",", ":"))
print(f"wrote {len(cases)} cases to {path} ({os.path.getsize(path)} bytes)")
