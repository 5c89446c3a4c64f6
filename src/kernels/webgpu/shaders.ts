// The WGSL of every GPU pooling kernel, by shader name: one window walk per window type with a
// reducer per kind (as the reference kernels), forward over output elements in the reference's
// window order, backward as a gather over input elements that adds the windows holding a cell in
// ascending output order: the order of the reference's scatter, so the sums round alike.
import { Param } from './params.js';
import { argmaxGather, argmaxScatter } from './argmax-shaders.js';
import { header, reads, storageBindings, writes, type StorageArray } from './shader-common.js';
import { kindShaders } from './kind-shaders.js';
import { roiSpectralLstmShaders } from './kind-roi-spectral-lstm-shaders.js';
import { forCells, gatherShader, outputShader } from './kind-walk.js';
import { trainShaders } from './train-shaders.js';

/** A shader's pieces: the arrays bound after params (and after the tables, for adaptive windows). */
interface BoundArrays {
  readonly bindings: readonly StorageArray[];
}

interface Reducer extends BoundArrays {
  readonly begin: string;
  /** Runs with inputIndex (u32) and spatialIndex (u32) in scope. */
  readonly visit: string;
  /** Runs with element, inBounds and inPadded (i32) in scope. */
  readonly finish: string;
}

const floatBindings: readonly StorageArray[] = [reads('source', 'f32'), writes('destination', 'f32')];

const reducers: Record<string, Reducer> = {
  max: {
    bindings: [reads('source', 'u32'), writes('destination', 'u32'), writes('argmax', 'i32')],
    begin: 'var state = startMax();',
    visit: 'visitMax(&state, source[inputIndex], i32(spatialIndex));',
    finish: 'destination[element] = state.bits; argmax[element] = state.index;',
  },
  /** Max without the argmax, for a forward nothing will differentiate (no index writes). */
  maxValues: {
    bindings: [reads('source', 'u32'), writes('destination', 'u32')],
    begin: 'var state = startMax();',
    visit: 'visitMax(&state, source[inputIndex], i32(spatialIndex));',
    finish: 'destination[element] = state.bits;',
  },
  average: {
    bindings: floatBindings,
    begin: 'var sum: f32 = 0.0;',
    visit: 'sum = sum + source[inputIndex];',
    finish: 'destination[element] = select(sum / divisor(inBounds, inPadded), 0.0, inBounds == 0);',
  },
  lp: {
    bindings: floatBindings,
    begin: 'var sum: f32 = 0.0; let exponent = power();',
    visit: 'sum = sum + powerTerm(abs(source[inputIndex]), exponent);',
    finish: 'destination[element] = lpRoot(sum, exponent);',
  },
};

/** Sliding windows (poolGeometry), one invocation per output element: walkPoolWindows's order (kind-walk.ts's walk). */
function windowForward(reducer: Reducer): string {
  const body = `let inBounds = w.count;
  let inPadded = w.padded;
  ${reducer.begin}
  ${forCells(reducer.visit, 'w', null)}
  ${reducer.finish}`;
  return outputShader(reducer.bindings, body);
}

interface Gather extends BoundArrays {
  /** Runs once per input element with inputValue-free scope: element, spatialIndex (u32); none when absent. */
  readonly prepare?: string;
  /** Runs per window holding the cell with outputIndex (u32) and window (vec3<i32>) in scope; adds to sum. */
  readonly add: string;
}

/** A backward's pooled gradient in, input gradient out. */
const gradientArrays: readonly StorageArray[] = [reads('gradOutput', 'f32'), writes('gradInput', 'f32')];

const gathers: Record<string, Gather> = {
  max: {
    bindings: [reads('gradOutput', 'f32'), reads('argmax', 'i32'), writes('gradInput', 'f32')],
    add: 'if (argmax[outputIndex] == i32(spatialIndex)) { sum = sum + gradOutput[outputIndex]; }',
  },
  average: {
    bindings: gradientArrays,
    add: `let slices = axisTaps(0u, windowStart(0u, window.x));
        let rows = axisTaps(1u, windowStart(1u, window.y));
        let columns = axisTaps(2u, windowStart(2u, window.z));
        let inBounds = (slices.y - slices.x) * (rows.y - rows.x) * (columns.y - columns.x);
        sum = sum + gradOutput[outputIndex] / divisor(inBounds, slices.z * rows.z * columns.z);`,
  },
  lp: {
    bindings: [reads('input', 'f32'), reads('output', 'f32'), reads('gradOutput', 'f32'), writes('gradInput', 'f32')],
    prepare: `let exponent = power();
  let value = input[element];
  var local = sign(value) * powerTerm(abs(value), exponent - 1.0);
  if (exponent == 2.0 || isNanBits(bitcast<u32>(value))) { local = value; }`,
    add: `let norm = output[outputIndex];
        // norm != 0 on the bits: a float comparison with NaN is one WGSL lets a GPU get wrong.
        if ((bitcast<u32>(norm) & 0x7fffffffu) != 0u) {
          // p = 1 divides by norm^0 = 1: skipped, so that p = 1 stays exact on every GPU.
          let share = gradOutput[outputIndex];
          sum = sum + select(share / powerTerm(norm, exponent - 1.0), share, exponent == 1.0) * local;
        }`,
  },
};

/**
 * Sliding windows backward, one invocation per input element: the windows whose taps hit the cell,
 * in ascending output order (taps descending on each axis), each adding its share (kind-walk.ts's gather).
 */
function windowBackward(gather: Gather): string {
  return gatherShader(gather.bindings, gather.add, { reads: false, window: false, prepare: gather.prepare ?? '' });
}

const tableWgsl = /* wgsl */ `${storageBindings([reads('tables', 'i32')])}
/** Part 0: window start, 1: window end (per output cell); 2: first window, 3: one past the last (per input cell). */
fn table(axis: u32, part: u32, index: u32) -> i32 { return tables[pu(${Param.tables}u + axis * 4u + part) + index]; }`;

/** Adaptive windows (adaptiveStart/adaptiveEnd tables), one invocation per output element. */
function adaptiveForward(reducer: Reducer): string {
  return `${header(tableWgsl + storageBindings(reducer.bindings, 2))}
  let at = locate(element, outSpatial());
  let inStrides = stridesOf(inSpatial());
  let inBase = at.x * inStrides.x + at.y * inStrides.y;
  let outWidth = pu(${Param.outWidth}u);
  let outHeight = pu(${Param.outHeight}u);
  let window = vec3<u32>(at.z / (outWidth * outHeight), (at.z / outWidth) % outHeight, at.z % outWidth);
  let start = vec3<i32>(table(0u, 0u, window.x), table(1u, 0u, window.y), table(2u, 0u, window.z));
  let end = vec3<i32>(table(0u, 1u, window.x), table(1u, 1u, window.y), table(2u, 1u, window.z));
  let inBounds = (end.x - start.x) * (end.y - start.y) * (end.z - start.z);
  let inPadded = inBounds;
  let inHeight = p(${Param.inHeight}u);
  let inWidth = p(${Param.inWidth}u);
  ${reducer.begin}
  for (var slice = start.x; slice < end.x; slice++) {
    for (var row = start.y; row < end.y; row++) {
      for (var column = start.z; column < end.z; column++) {
        let spatialIndex = u32((slice * inHeight + row) * inWidth + column);
        let inputIndex = inBase + spatialIndex * inStrides.z;
        ${reducer.visit}
      }
    }
  }
  ${reducer.finish}
}`;
}

/** Adaptive average backward, one invocation per input element: its windows in ascending output order. */
const adaptiveAverageBackward = `${header(tableWgsl + storageBindings(gradientArrays, 2))}
  let at = locate(element, inSpatial());
  let inWidth = pu(${Param.inWidth}u);
  let inHeight = pu(${Param.inHeight}u);
  let cell = vec3<u32>(at.z / (inWidth * inHeight), (at.z / inWidth) % inHeight, at.z % inWidth);
  let outStrides = stridesOf(outSpatial());
  let outBase = at.x * outStrides.x + at.y * outStrides.y;
  let outHeight = p(${Param.outHeight}u);
  let outWidth = p(${Param.outWidth}u);
  var sum: f32 = 0.0;
  for (var slice = table(0u, 2u, cell.x); slice < table(0u, 3u, cell.x); slice++) {
    let depthCells = table(0u, 1u, u32(slice)) - table(0u, 0u, u32(slice));
    for (var row = table(1u, 2u, cell.y); row < table(1u, 3u, cell.y); row++) {
      let rowCells = table(1u, 1u, u32(row)) - table(1u, 0u, u32(row));
      for (var column = table(2u, 2u, cell.z); column < table(2u, 3u, cell.z); column++) {
        let cells = depthCells * rowCells * (table(2u, 1u, u32(column)) - table(2u, 0u, u32(column)));
        let outputIndex = outBase + u32((slice * outHeight + row) * outWidth + column) * outStrides.z;
        sum = sum + gradOutput[outputIndex] / f32(cells);
      }
    }
  }
  gradInput[element] = sum;
}`;

export const shaders: Readonly<Record<string, () => string>> = {
  maxWindowForward: () => windowForward(reducers.max!),
  maxValuesWindowForward: () => windowForward(reducers.maxValues!),
  averageWindowForward: () => windowForward(reducers.average!),
  lpWindowForward: () => windowForward(reducers.lp!),
  maxWindowBackward: () => windowBackward(gathers.max!),
  averageWindowBackward: () => windowBackward(gathers.average!),
  lpWindowBackward: () => windowBackward(gathers.lp!),
  maxAdaptiveForward: () => adaptiveForward(reducers.max!),
  averageAdaptiveForward: () => adaptiveForward(reducers.average!),
  averageAdaptiveBackward: () => adaptiveAverageBackward,
  argmaxScatterAdd: () => argmaxScatter(true),
  argmaxScatter: () => argmaxScatter(false),
  argmaxGather: () => argmaxGather,
  ...trainShaders,
  ...kindShaders,
  ...roiSpectralLstmShaders,
};

export type ShaderName = keyof typeof shaders;
