// The webgpu kernels of LSTM pooling's batched step (kind-lstm-shaders.ts): a step's gather and
// scatter, and the fused gate kernels forward and backward (the bias gradient a second dispatch of the
// backward's job). The op runs x·W, h·U and their gradients through the matmul kernel, which is the
// GPU's too, so every product and every gate of the sequence runs on the GPU.
import { lstmCellBackward, lstmCellForward, lstmGatherStep, lstmScatterStep } from '../reference/extra/lstm-batched.js';
import type { PoolingKernels } from '../types.js';
import { LstmParam } from './kind-lstm-shaders.js';
import type { GpuJob, JobArray } from './params.js';
import { JobBuilder } from './train-jobs.js';

export type LstmGpuKernels = Pick<
  PoolingKernels,
  'lstmGatherStep' | 'lstmScatterStep' | 'lstmCellForward' | 'lstmCellBackward'
>;
export type LstmRunner = (kernel: keyof LstmGpuKernels, job: GpuJob, fallback: () => void) => void;

const read = (data: Float32Array | Int32Array): JobArray => ({ data, role: 'read' });
const write = (data: Float32Array | Int32Array): JobArray => ({ data, role: 'write' });
const readWrite = (data: Float32Array | Int32Array): JobArray => ({ data, role: 'readWrite' });

function lstmParams(sizes: Partial<Record<Exclude<keyof typeof LstmParam, 'count'>, number>>): Int32Array {
  const params = new Int32Array(LstmParam.count);
  for (const [name, value] of Object.entries(sizes)) params[LstmParam[name as keyof typeof LstmParam]] = value;
  return params;
}

/**
 * The cells step `step` writes to, for the scatter's gather: [U, U distinct cells (their channel-0
 * element) in first-use order, U + 1 starts, the windows of each cell in window order].
 */
function scatterTables(offsets: Int32Array, step: number, taps: number): Int32Array {
  const windowsOf = new Map<number, number[]>();
  for (let window = 0; window < offsets.length / taps; window++) {
    const offset = offsets[window * taps + step]!;
    if (offset < 0) continue;
    const list = windowsOf.get(offset);
    if (list === undefined) windowsOf.set(offset, [window]);
    else list.push(window);
  }
  const cells = [...windowsOf.keys()];
  const starts = [0];
  for (const cell of cells) starts.push(starts[starts.length - 1]! + windowsOf.get(cell)!.length);
  return Int32Array.from([cells.length, ...cells, ...starts, ...cells.flatMap((cell) => windowsOf.get(cell)!)]);
}

export function createLstmGpuKernels(run: LstmRunner): LstmGpuKernels {
  return {
    lstmGatherStep(input, offsets, step, taps, channels, channelStride, inputs) {
      const params = lstmParams({ step, taps, channels, channelStride });
      const job = { shader: 'lstmKindGather', params, arrays: [read(input), read(offsets), write(inputs)] };
      run('lstmGatherStep', { ...job, work: inputs.length }, () =>
        lstmGatherStep(input, offsets, step, taps, channels, channelStride, inputs),
      );
    },
    lstmScatterStep(gradInputs, offsets, step, taps, channels, channelStride, gradInput) {
      const tables = scatterTables(offsets, step, taps);
      if (tables[0] === 0) return; // no window reaches a cell at this step: nothing to add
      const params = lstmParams({ step, taps, channels, channelStride });
      const arrays = [read(tables), read(gradInputs), readWrite(gradInput)];
      run('lstmScatterStep', { shader: 'lstmKindScatter', params, arrays, work: tables[0]! * channels }, () =>
        lstmScatterStep(gradInputs, offsets, step, taps, channels, channelStride, gradInput),
      );
    },
    lstmCellForward(gates, bias, counts, step, hidden, cells, nextCells, hiddens, nextHiddens) {
      const params = lstmParams({ windows: counts.length, hidden, step });
      const arrays = [readWrite(gates), read(bias), read(counts), read(cells), write(nextCells)];
      arrays.push(read(hiddens), write(nextHiddens));
      run('lstmCellForward', { shader: 'lstmKindCellForward', params, arrays, work: nextCells.length }, () =>
        lstmCellForward(gates, bias, counts, step, hidden, cells, nextCells, hiddens, nextHiddens),
      );
    },
    lstmCellBackward(gates, counts, step, hidden, cells, nextCells, gradHidden, gradCell, gradGates, gradBias, carry) {
      const params = lstmParams({ windows: counts.length, hidden, step });
      const builder = new JobBuilder();
      const [gateArray, countArray, cellArray, nextArray, hiddenArray] = [
        gates,
        counts,
        cells,
        nextCells,
        gradHidden,
      ].map((array) => builder.add(array, 'read')) as [number, number, number, number, number];
      const [cell, gateGradients] = [builder.add(gradCell, 'readWrite'), builder.add(gradGates, 'write')];
      const bindings = [gateArray, countArray, cellArray, nextArray, hiddenArray, cell, gateGradients];
      builder.step('lstmKindCellBackward', params, bindings, gradCell.length);
      builder.step('lstmKindCarry', params, [countArray, hiddenArray, builder.add(carry, 'write')], carry.length);
      builder.step(
        'lstmKindBiasGradient',
        params,
        [gateGradients, builder.add(gradBias, 'readWrite')],
        gradBias.length,
      );
      run('lstmCellBackward', builder.job(), () =>
        lstmCellBackward(
          gates,
          counts,
          step,
          hidden,
          cells,
          nextCells,
          gradHidden,
          gradCell,
          gradGates,
          gradBias,
          carry,
        ),
      );
    },
  };
}
