// The order mixed, gated and ordinal pooling sum their weight gradients in (plane-sums.ts): each
// plane's terms in float64 in window order, the planes' sums in plane order, one float32 rounding;
// checked for mixed pooling's ∂alpha against a plain loop written from that definition, on the
// reference and on the active backend where it is exact (wasm); webgpu sums in float32 within a
// stated bound, tested in test/webgpu/kinds-selection.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { poolGeometry } from '../../src/geometry/pool-geometry.js';
import { getBackend, kernel } from '../../src/kernels/backend.js';
import { mixedPoolBackward } from '../../src/kernels/reference/extra/mixed-pool.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { generator } from '../wasm/harness.js';

function randomValues(length: number, seed: number): Float32Array {
  const random = generator(seed);
  return Float32Array.from({ length }, () => random() * 8 - 4);
}

/** ∂alpha of mixed pooling on NHWC input, 2x2 windows at stride 2 (valid), from the definition. */
function expectedAlphaGradient(input: Float32Array, gradOutput: Float32Array, shape: number[], slots: number) {
  const [batch, height, width, channels] = shape as [number, number, number, number];
  const [outHeight, outWidth] = [Math.floor(height / 2), Math.floor(width / 2)];
  const totals = new Float64Array(slots);
  for (let sample = 0; sample < batch; sample++) {
    for (let channel = 0; channel < channels; channel++) {
      let planeSum = 0;
      for (let row = 0; row < outHeight; row++) {
        for (let column = 0; column < outWidth; column++) {
          const cells = [0, 1, 2, 3].map((cell) => {
            const y = row * 2 + (cell >> 1);
            const x = column * 2 + (cell & 1);
            return input[((sample * height + y) * width + x) * channels + channel]!;
          });
          const mean = (0 + cells[0]! + cells[1]! + cells[2]! + cells[3]!) / 4;
          const gradient = gradOutput[((sample * outHeight + row) * outWidth + column) * channels + channel]!;
          planeSum += gradient * (Math.max(...cells) - mean);
        }
      }
      totals[slots === 1 ? 0 : channel]! += planeSum;
    }
  }
  return Float32Array.from(totals);
}

test("mixed pooling's ∂alpha: per-plane float64 sums, added in plane order, rounded once", () => {
  for (const [index, shape] of [
    [3, 6, 8, 5],
    [2, 26, 26, 8],
    [1, 4, 4, 1],
  ].entries()) {
    const geometry = poolGeometry('test', shape, 2, { kernelSize: 2, dataFormat: 'channelsLast' });
    const input = Tensor.allocate(shape);
    input.values.set(randomValues(input.size, index + 1));
    const gradOutput = Tensor.allocate(geometry.outputShape);
    gradOutput.values.set(randomValues(gradOutput.size, index + 50));
    for (const slots of [1, shape[3]!]) {
      const alpha = Tensor.allocate([slots]);
      alpha.values.fill(0.3);
      const expected = expectedAlphaGradient(input.values, gradOutput.values, shape, slots);
      const exact: [string, typeof mixedPoolBackward][] = [['reference', mixedPoolBackward]];
      if (getBackend() !== 'webgpu') exact.push(['active backend', kernel('mixedPoolBackward')]);
      for (const [name, backward] of exact) {
        const gradInput = Tensor.allocate(shape);
        gradInput.values.fill(0);
        const gradAlpha = Tensor.allocate([slots]);
        gradAlpha.values.fill(0);
        backward(input.values, alpha.values, gradOutput.values, gradInput.values, gradAlpha.values, geometry);
        const message = `${name}: shape ${shape}, ${slots} slots`;
        assert.deepEqual(Array.from(gradAlpha.values), Array.from(expected), message);
      }
    }
  }
});
