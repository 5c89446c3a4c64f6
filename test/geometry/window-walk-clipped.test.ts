// The reference window walk clips each window to the input by arithmetic (issue #20, item 5): it
// must visit the same cells in the same order, with the same in-bounds and in-padding counts, as
// the plain tap-by-tap walk it replaced, which stays here as the oracle.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { poolGeometry, type PoolGeometry } from '../../src/geometry/pool-geometry.js';
import { stridesOf } from '../../src/geometry/layout.js';
import { walkPoolWindows, windowCapacity, type WindowCounts } from '../../src/kernels/reference/window-walk.js';
import { poolCases } from '../wasm/harness.js';

/** Every visit and every finished window, as the walk reports them. */
function recordWalk(geometry: PoolGeometry): string[] {
  const events: string[] = [];
  walkPoolWindows(geometry, {
    begin: () => events.push('begin'),
    visit: (inputIndex, spatialIndex) => events.push(`visit ${inputIndex} ${spatialIndex}`),
    finish: (outputIndex, counts: WindowCounts) =>
      events.push(`finish ${outputIndex} ${counts.inBounds} ${counts.inPadded}`),
  });
  return events;
}

/** The oracle: every tap of every window, in window order, tested one by one against the input and its padding. */
function tapByTapWalk(geometry: PoolGeometry): string[] {
  const g = geometry;
  const events: string[] = [];
  const inStrides = stridesOf(g.channelsLast, g.channels, g.inDepth * g.inHeight * g.inWidth);
  const outStrides = stridesOf(g.channelsLast, g.channels, g.outDepth * g.outHeight * g.outWidth);
  for (let plane = 0; plane < g.batch * g.channels; plane++) {
    const [sample, channel] = [Math.floor(plane / g.channels), plane % g.channels];
    for (let outCell = 0; outCell < g.outDepth * g.outHeight * g.outWidth; outCell++) {
      const outColumn = outCell % g.outWidth;
      const outRow = Math.floor(outCell / g.outWidth) % g.outHeight;
      const outSlice = Math.floor(outCell / (g.outWidth * g.outHeight));
      let [inBounds, inPadded] = [0, 0];
      events.push('begin');
      for (let kz = 0; kz < g.kernelDepth; kz++) {
        const z = outSlice * g.strideDepth - g.padFront + kz * g.dilationDepth;
        for (let ky = 0; ky < g.kernelHeight; ky++) {
          const y = outRow * g.strideHeight - g.padTop + ky * g.dilationHeight;
          for (let kx = 0; kx < g.kernelWidth; kx++) {
            const x = outColumn * g.strideWidth - g.padLeft + kx * g.dilationWidth;
            if (z < g.inDepth + g.padBack && y < g.inHeight + g.padBottom && x < g.inWidth + g.padRight) inPadded++;
            if (z < 0 || z >= g.inDepth || y < 0 || y >= g.inHeight || x < 0 || x >= g.inWidth) continue;
            const spatial = (z * g.inHeight + y) * g.inWidth + x;
            inBounds++;
            events.push(
              `visit ${sample * inStrides.batch + channel * inStrides.channel + spatial * inStrides.spatial} ${spatial}`,
            );
          }
        }
      }
      const outputIndex = sample * outStrides.batch + channel * outStrides.channel + outCell * outStrides.spatial;
      events.push(`finish ${outputIndex} ${inBounds} ${inPadded}`);
    }
  }
  return events;
}

/** Windows up to 24 taps, dilated up to 9, padded up to 12 per side, over inputs of up to 7 cells per axis. */
const cases = poolCases({ maxSize: 7, maxChannels: 3, maxKernel: 24, maxDilation: 9, maxPad: 12 }).map(
  ({ geometry }) => geometry,
);

test('the clipped walk visits and counts exactly as the tap-by-tap walk, on random geometries', () => {
  fc.assert(
    fc.property(cases, (geometry) => {
      assert.deepEqual(recordWalk(geometry), tapByTapWalk(geometry));
    }),
    { numRuns: 600, seed: 20260420 },
  );
});

test('no window holds more in-bounds cells than windowCapacity', () => {
  fc.assert(
    fc.property(cases, (geometry) => {
      let most = 0;
      walkPoolWindows(geometry, {
        begin: () => {},
        visit: () => {},
        finish: (_, counts) => (most = Math.max(most, counts.inBounds)),
      });
      assert.ok(most <= windowCapacity(geometry), `${most} cells, capacity ${windowCapacity(geometry)}`);
    }),
    { numRuns: 300, seed: 20260421 },
  );
});

test('a window of 2^31 - 1 taps costs what the input does: counts by arithmetic', () => {
  const geometry = poolGeometry('test', [1, 5, 1], 1, { kernelSize: 2 ** 31 - 1, padding: 'same' });
  const events = recordWalk(geometry);
  // SAME: total pad 2^31 - 6, 1073741821 before; the one window holds the 5 cells and every padded tap.
  assert.deepEqual(events, ['begin', ...[0, 1, 2, 3, 4].map((x) => `visit ${x} ${x}`), `finish 0 5 ${2 ** 31 - 1}`]);
  assert.equal(windowCapacity(geometry), 5);
});
