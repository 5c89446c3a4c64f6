// The reference window walk clips each window to the input by arithmetic (issue #20, item 5): it
// must visit the same cells in the same order, with the same in-bounds and in-padding counts, as
// the plain tap-by-tap walk it replaced, which stays here as the oracle.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { poolGeometry, type PoolGeometry, type PoolOptions } from '../../src/geometry/pool-geometry.js';
import { stridesOf, type SpatialDims } from '../../src/geometry/layout.js';
import { walkPoolWindows, windowCapacity, type WindowCounts } from '../../src/kernels/reference/window-walk.js';

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

const axis = fc.record({
  size: fc.integer({ min: 1, max: 7 }),
  kernel: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 6, max: 24 })),
  stride: fc.integer({ min: 1, max: 6 }),
  dilation: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 9 })),
  before: fc.integer({ min: 0, max: 12 }),
  after: fc.integer({ min: 0, max: 12 }),
});

const cases = fc
  .record({
    spatialDims: fc.constantFrom<SpatialDims>(1, 2, 3),
    batch: fc.integer({ min: 1, max: 2 }),
    channels: fc.integer({ min: 1, max: 3 }),
    channelsLast: fc.boolean(),
    axes: fc.array(axis, { minLength: 3, maxLength: 3 }),
    padding: fc.constantFrom('valid', 'same', 'explicit'),
    ceilMode: fc.boolean(),
  })
  .map((draw) => {
    const axes = draw.axes.slice(3 - draw.spatialDims);
    const spatial = axes.map((item) => item.size);
    const shape = draw.channelsLast ? [draw.batch, ...spatial, draw.channels] : [draw.batch, draw.channels, ...spatial];
    const explicit = axes.map((item) => [
      Math.min(item.before, Math.floor(item.kernel / 2)),
      Math.min(item.after, Math.floor(item.kernel / 2)),
    ]) as [number, number][];
    const options: PoolOptions = {
      kernelSize: axes.map((item) => item.kernel),
      stride: axes.map((item) => item.stride),
      dilation: axes.map((item) => item.dilation),
      padding: draw.padding === 'explicit' ? explicit : (draw.padding as 'valid' | 'same'),
      ceilMode: draw.padding !== 'same' && draw.ceilMode,
      dataFormat: draw.channelsLast ? 'channelsLast' : 'channelsFirst',
    };
    try {
      return poolGeometry('test', shape, draw.spatialDims, options);
    } catch {
      return null; // a window that does not fit: nothing to walk
    }
  })
  .filter((geometry): geometry is PoolGeometry => geometry !== null);

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
