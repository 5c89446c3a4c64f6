// upSampling2d: repeats rows and columns by integer factors (Keras's UpSampling2D), by nearest
// neighbour or bilinear interpolation as TensorFlow's resize ops compute them without aligned
// corners or half-pixel centres (what tfjs-layers calls). Both are one walk over per-axis source
// tables (two source cells and a fraction; nearest has fraction 0), the backward its transpose.
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { checkDataFormat, checkOutputShape, perDimension, type DataFormat } from '../../geometry/layout.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkKnownOptions, checkOptions, checkTensor, optionKeys } from '../checks.js';
import { transpose } from './shape.js';

export interface UpSampling2dOptions {
  /** Factors [rows, columns] or one for both; default 2. */
  size?: number | readonly number[];
  /** 'nearest' (default) or 'bilinear'. */
  interpolation?: 'nearest' | 'bilinear';
  dataFormat?: DataFormat;
}

const UPSAMPLING_OPTION_KEYS = optionKeys<UpSampling2dOptions>({ size: true, interpolation: true, dataFormat: true });

/** For each output index along one axis: the two source indices and the weight of the second. */
interface AxisTable {
  readonly low: Int32Array;
  readonly high: Int32Array;
  readonly fraction: Float64Array;
}

function axisTable(inSize: number, factor: number, bilinear: boolean): AxisTable {
  const outSize = inSize * factor;
  const [low, high, fraction] = [new Int32Array(outSize), new Int32Array(outSize), new Float64Array(outSize)];
  const scale = inSize / outSize;
  for (let out = 0; out < outSize; out++) {
    // Nearest is floor(out / factor) in integers (Keras's repeat); bilinear follows tf.image.resizeBilinear.
    const source = bilinear ? out * scale : Math.floor(out / factor);
    low[out] = Math.floor(source);
    high[out] = bilinear ? Math.min(inSize - 1, Math.ceil(source)) : low[out]!;
    fraction[out] = bilinear ? source - low[out]! : 0;
  }
  return { low, high, fraction };
}

interface Plan {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly channels: number;
  readonly rows: AxisTable;
  readonly columns: AxisTable;
}

/**
 * Visits every output cell with its four source cells (top-left, top-right, bottom-left,
 * bottom-right; flat indices without the channel axis) and its row and column fractions.
 */
function walkCells(
  plan: Plan,
  visit: (out: number, corners: readonly number[], rowFraction: number, columnFraction: number) => void,
): void {
  const [outHeight, outWidth] = [plan.rows.low.length, plan.columns.low.length];
  const corners = [0, 0, 0, 0];
  for (let cell = 0; cell < plan.batch * outHeight * outWidth; cell++) {
    const batch = Math.floor(cell / (outHeight * outWidth));
    const [row, column] = [Math.floor(cell / outWidth) % outHeight, cell % outWidth];
    const top = (batch * plan.inHeight + plan.rows.low[row]!) * plan.inWidth;
    const bottom = (batch * plan.inHeight + plan.rows.high[row]!) * plan.inWidth;
    const [left, right] = [plan.columns.low[column]!, plan.columns.high[column]!];
    [corners[0], corners[1], corners[2], corners[3]] = [top + left, top + right, bottom + left, bottom + right];
    visit(cell, corners, plan.rows.fraction[row]!, plan.columns.fraction[column]!);
  }
}

/** Forward in TensorFlow's order of operations: top and bottom lerps by column, then by row. */
function resizeForward(plan: Plan, input: Float32Array, output: Float32Array): void {
  const channels = plan.channels;
  walkCells(plan, (out, corners, rowFraction, columnFraction) => {
    for (let channel = 0; channel < channels; channel++) {
      const [topLeft, topRight] = [input[corners[0]! * channels + channel]!, input[corners[1]! * channels + channel]!];
      const [bottomLeft, bottomRight] = [
        input[corners[2]! * channels + channel]!,
        input[corners[3]! * channels + channel]!,
      ];
      const top = columnFraction === 0 ? topLeft : topLeft + (topRight - topLeft) * columnFraction;
      const bottom = columnFraction === 0 ? bottomLeft : bottomLeft + (bottomRight - bottomLeft) * columnFraction;
      output[out * channels + channel] = rowFraction === 0 ? top : top + (bottom - top) * rowFraction;
    }
  });
}

function resizeBackward(plan: Plan, gradOutput: Float32Array, gradInput: Float32Array): void {
  const channels = plan.channels;
  gradInput.fill(0);
  const weights = [0, 0, 0, 0];
  walkCells(plan, (out, corners, rowFraction, columnFraction) => {
    weights[0] = (1 - rowFraction) * (1 - columnFraction);
    weights[1] = (1 - rowFraction) * columnFraction;
    weights[2] = rowFraction * (1 - columnFraction);
    weights[3] = rowFraction * columnFraction;
    for (let corner = 0; corner < 4; corner++) {
      const weight = weights[corner]!;
      if (weight === 0) continue;
      for (let channel = 0; channel < channels; channel++)
        gradInput[corners[corner]! * channels + channel]! += weight * gradOutput[out * channels + channel]!;
    }
  });
}

/**
 * Upsamples [batch, height, width, channels] (or channels first) by integer factors.
 * @example upSampling2d(x, { size: 2 })                          // [1, 3, 4, 8] → [1, 6, 8, 8]
 * @example upSampling2d(x, { size: [2, 3], interpolation: 'bilinear' })
 */
export function upSampling2d(input: Tensor, options?: UpSampling2dOptions): Tensor {
  checkTensor('upSampling2d', 'input', input);
  const checked = checkOptions('upSampling2d', options, false);
  checkKnownOptions('upSampling2d', checked, UPSAMPLING_OPTION_KEYS);
  const [rowFactor, columnFactor] = perDimension('upSampling2d', 'size', checked.size ?? 2, 2, 1) as [number, number];
  const interpolation = checked.interpolation ?? 'nearest';
  if (interpolation !== 'nearest' && interpolation !== 'bilinear')
    fail('upSampling2d', 'interpolation', "must be 'nearest' or 'bilinear'", interpolation);
  if (input.rank !== 4) fail('upSampling2d', 'input', 'must have rank 4', `shape [${input.shape.join(', ')}]`);
  if (checkDataFormat('upSampling2d', checked.dataFormat) === 'channelsFirst') {
    const last = upSampling2d(transpose(input, [0, 2, 3, 1]), { ...checked, dataFormat: 'channelsLast' });
    return transpose(last, [0, 3, 1, 2]);
  }
  const [batch, inHeight, inWidth, channels] = input.shape as [number, number, number, number];
  const outputShape = [batch, inHeight * rowFactor, inWidth * columnFactor, channels];
  checkOutputShape('upSampling2d', 'size', outputShape, checked.size ?? 2);
  const bilinear = interpolation === 'bilinear';
  const plan: Plan = {
    batch,
    inHeight,
    inWidth,
    channels,
    rows: axisTable(inHeight, rowFactor, bilinear),
    columns: axisTable(inWidth, columnFactor, bilinear),
  };
  const output = Tensor.allocate([batch, inHeight * rowFactor, inWidth * columnFactor, channels]);
  resizeForward(plan, input.values, output.values);
  recordGrad('upSampling2d', output, [input], (gradOutput) => {
    const gradInput = Tensor.allocate(input.shape);
    resizeBackward(plan, gradOutput.values, gradInput.values);
    return [gradInput];
  });
  return output;
}
