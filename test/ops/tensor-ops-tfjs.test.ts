// The tensor ops against TensorFlow.js's CPU backend on random shapes (fast-check): broadcasting
// add/sub/mul/div, sum/mean/max/min over random axes with keepDims, argMax/argMin, slice and concat;
// outputs and the gradients of Σ w·f for a random w.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import {
  add,
  argMax,
  argMin,
  concat,
  div,
  max,
  mean,
  min,
  mul,
  Random,
  slice,
  sub,
  sum,
  type Tensor,
} from '../../src/index.js';
import { assertSameResult, poolkitRun, randomArray, sizeOf, tf, tfjsRun, useTfjsCpu } from './tfjs-compare.js';

before(useTfjsCpu);

const RUNS = { numRuns: 40, seed: 17 };
const shapeArbitrary = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 });

/** Two shapes that broadcast to `shape`: leading axes dropped and some axes set to 1 in each. */
const broadcastPair = shapeArbitrary.chain((shape) => {
  const operand = fc
    .record({
      dropped: fc.integer({ min: 0, max: shape.length }),
      ones: fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
    })
    .map(({ dropped, ones }) => shape.map((extent, axis) => (ones[axis] ? 1 : extent)).slice(dropped));
  return fc.record({ left: operand, right: operand, seed: fc.integer({ min: 0, max: 1e6 }) });
});

const BINARY: [string, (a: Tensor, b: Tensor) => Tensor, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
  ['add', add, tf.add],
  ['sub', sub, tf.sub],
  ['mul', mul, tf.mul],
  ['div', div, tf.div],
];

for (const [name, ours, theirs] of BINARY) {
  test(`${name} broadcasts as tf.${name}: output and both gradients on random shape pairs`, () => {
    fc.assert(
      fc.property(broadcastPair, ({ left, right, seed }) => {
        const random = new Random(seed);
        const shapes = [left, right];
        // Divisors kept away from 0 so the quotient's gradient stays tame.
        const inputs = [
          randomArray(sizeOf(left), random),
          randomArray(sizeOf(right), random).map((v) => v + Math.sign(v || 1)),
        ];
        const label = `${name} ${JSON.stringify(shapes)}`;
        assertSameResult(label, poolkitRun(ours, inputs, shapes, seed), tfjsRun(theirs, inputs, shapes, seed), 1e-5);
      }),
      RUNS,
    );
  });
}

/** A shape, a random subset of its axes (some negative) or none, and keepDims. */
const reduction = shapeArbitrary.chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    axes: fc.option(
      fc
        .subarray(shape.map((_, axis) => axis))
        .chain((axes) => fc.constant(axes.map((axis) => (axis % 2 ? axis - shape.length : axis)))),
    ),
    keepDims: fc.boolean(),
    seed: fc.integer({ min: 0, max: 1e6 }),
  }),
);

const REDUCTIONS = [
  ['sum', sum, tf.sum],
  ['mean', mean, tf.mean],
  ['max', max, tf.max],
  ['min', min, tf.min],
] as const;

for (const [name, ours, theirs] of REDUCTIONS) {
  test(`${name} over random axes with keepDims matches tf.${name}, gradients included`, () => {
    fc.assert(
      fc.property(reduction, ({ shape, axes, keepDims, seed }) => {
        const inputs = [randomArray(sizeOf(shape), new Random(seed))];
        const axis = axes ?? undefined;
        const label = `${name} ${JSON.stringify({ shape, axis, keepDims })}`;
        assertSameResult(
          label,
          poolkitRun((x) => ours(x, axis, keepDims), inputs, [shape], seed),
          tfjsRun((x) => theirs(x, axis, keepDims), inputs, [shape], seed),
          1e-5,
        );
      }),
      RUNS,
    );
  });
}

const oneAxis = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    axis: fc.integer({ min: -shape.length, max: shape.length - 1 }),
    seed: fc.integer({ min: 0, max: 1e6 }),
  }),
);

test('argMax and argMin along a random axis match tf.argMax / tf.argMin (int32)', () => {
  fc.assert(
    fc.property(oneAxis, ({ shape, axis, seed }) => {
      const inputs = [randomArray(sizeOf(shape), new Random(seed))];
      for (const [ours, theirs] of [
        [argMax, tf.argMax],
        [argMin, tf.argMin],
      ] as const) {
        const mine = poolkitRun((x) => ours(x, axis), inputs, [shape], null);
        const reference = tfjsRun((x) => theirs(x, axis), inputs, [shape], null);
        assert.deepEqual(mine.shape, reference.shape);
        assert.ok(mine.output instanceof Int32Array);
        assert.deepEqual(Array.from(mine.output), Array.from(reference.output));
      }
    }),
    RUNS,
  );
});

/** A shape and a box inside it, with some sizes -1 and begin/size lists cut short as TF.js allows. */
const box = fc
  .array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      fractions: fc.array(
        fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()),
        {
          minLength: shape.length,
          maxLength: shape.length,
        },
      ),
      given: fc.integer({ min: 0, max: shape.length }),
      seed: fc.integer({ min: 0, max: 1e6 }),
    }),
  )
  .map(({ shape, fractions, given, seed }) => {
    const begin = shape.map((extent, axis) => Math.floor(fractions[axis]![0] * extent));
    const size = shape.map((extent, axis) =>
      fractions[axis]![2] ? -1 : Math.floor(fractions[axis]![1] * (extent - begin[axis]! + 1)),
    );
    return { shape, begin: begin.slice(0, given), size: size.slice(0, given), seed };
  });

test('slice(x, begin, size) matches tf.slice, -1 sizes and short lists included, with gradients', () => {
  fc.assert(
    fc.property(box, ({ shape, begin, size, seed }) => {
      const inputs = [randomArray(sizeOf(shape), new Random(seed))];
      const label = `slice ${JSON.stringify({ shape, begin, size })}`;
      assertSameResult(
        label,
        poolkitRun((x) => slice(x, begin, size), inputs, [shape], seed),
        tfjsRun((x) => tf.slice(x, begin, size), inputs, [shape], seed),
      );
    }),
    RUNS,
  );
});

const joinable = fc
  .record({
    shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
    extents: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
    axisChoice: fc.nat(),
    negative: fc.boolean(),
    seed: fc.integer({ min: 0, max: 1e6 }),
  })
  .map(({ shape, extents, axisChoice, negative, seed }) => {
    const along = axisChoice % shape.length;
    const shapes = extents.map((extent) => shape.map((size, axis) => (axis === along ? extent : size)));
    return { shapes, axis: negative ? along - shape.length : along, seed };
  });

test('concat(tensors, axis) matches tf.concat on random shapes (empty pieces included), with gradients', () => {
  fc.assert(
    fc.property(joinable, ({ shapes, axis, seed }) => {
      const random = new Random(seed);
      const inputs = shapes.map((shape) => randomArray(sizeOf(shape), random));
      const label = `concat ${JSON.stringify({ shapes, axis })}`;
      assertSameResult(
        label,
        poolkitRun((...xs) => concat(xs, axis), inputs, shapes, seed),
        tfjsRun((...xs) => tf.concat(xs, axis), inputs, shapes, seed),
      );
    }),
    RUNS,
  );
});
