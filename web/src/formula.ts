// The output-size rule with the current numbers filled in, one line per axis, so a person can check
// the arithmetic: VALID/explicit floor rule, PyTorch's ceil mode, TensorFlow's SAME, adaptive sizes.
import type { AdaptiveGeometry, Padding, PoolGeometry } from '../../src/index.js';
import type { ExplorerKind, OptionValues } from './pool-kinds.js';

interface Axis {
  readonly name: string;
  readonly inSize: number;
  readonly outSize: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  readonly padBefore: number;
  readonly padAfter: number;
}

function axes(geometry: PoolGeometry): Axis[] {
  return [
    {
      name: 'height',
      inSize: geometry.inHeight,
      outSize: geometry.outHeight,
      kernel: geometry.kernelHeight,
      stride: geometry.strideHeight,
      dilation: geometry.dilationHeight,
      padBefore: geometry.padTop,
      padAfter: geometry.padBottom,
    },
    {
      name: 'width',
      inSize: geometry.inWidth,
      outSize: geometry.outWidth,
      kernel: geometry.kernelWidth,
      stride: geometry.strideWidth,
      dilation: geometry.dilationWidth,
      padBefore: geometry.padLeft,
      padAfter: geometry.padRight,
    },
  ];
}

/** Keff = (K − 1)·D + 1, written out only when dilation makes it differ from K. */
function effectiveKernel(axis: Axis): { value: number; note: string } {
  const value = (axis.kernel - 1) * axis.dilation + 1;
  const note = axis.dilation === 1 ? '' : `Keff = (${axis.kernel} − 1)·${axis.dilation} + 1 = ${value}; `;
  return { value, note };
}

function sameLine(axis: Axis): string {
  const kernel = effectiveKernel(axis);
  const total = axis.padBefore + axis.padAfter;
  return (
    `${axis.name}: ${kernel.note}SAME: ceil(${axis.inSize} / ${axis.stride}) = ${axis.outSize}; ` +
    `pad = max(0, (${axis.outSize} − 1)·${axis.stride} + ${kernel.value} − ${axis.inSize}) = ${total}` +
    ` → ${axis.padBefore} before, ${axis.padAfter} after`
  );
}

function floorLine(axis: Axis, ceilMode: boolean): string {
  const kernel = effectiveKernel(axis);
  const pads = axis.padBefore === axis.padAfter ? `2·${axis.padBefore}` : `${axis.padBefore} + ${axis.padAfter}`;
  const span = axis.inSize + axis.padBefore + axis.padAfter - kernel.value;
  const rounding = ceilMode ? 'ceil' : 'floor';
  const rounded = ceilMode ? Math.ceil(span / axis.stride) : Math.floor(span / axis.stride);
  const text =
    `${axis.name}: ${kernel.note}${rounding}((${axis.inSize} + ${pads} − ${kernel.value}) / ${axis.stride}) + 1` +
    ` = ${rounded + 1}`;
  // PyTorch drops a last window that would start in the right padding.
  return rounded + 1 === axis.outSize
    ? text
    : `${text} − 1 (the last window would start in the padding) = ${axis.outSize}`;
}

/** Lines for a windowed pooling. */
export function windowFormula(geometry: PoolGeometry, padding: Padding, ceilMode: boolean): string[] {
  return axes(geometry).map((axis) => (padding === 'same' ? sameLine(axis) : floorLine(axis, ceilMode)));
}

/** Lines for adaptive pooling: the size is chosen, the windows follow. */
export function adaptiveFormula(geometry: AdaptiveGeometry): string[] {
  return [
    ['height', geometry.inHeight, geometry.outHeight],
    ['width', geometry.inWidth, geometry.outWidth],
  ].map(
    ([name, inSize, outSize]) =>
      `${name}: output ${outSize} (chosen); window i spans floor(i·${inSize}/${outSize}) … ceil((i+1)·${inSize}/${outSize}) − 1`,
  );
}

/** Lines for kinds without a window geometry: what decides their output size, by window type. */
export function otherFormula(
  kind: ExplorerKind,
  input: { rows: number; columns: number },
  values: OptionValues,
  output: { outRows: number; outColumns: number },
): string[] {
  const size = `${output.outRows} × ${output.outColumns}`;
  switch (kind.window) {
    case 'global':
      return [`one window of ${input.rows} × ${input.columns} → output ${size}`];
    case 'sequence':
      return [
        `each of ${input.rows} rows is a sequence; its first ${String(values.lengths)} steps count → output ${size}`,
      ];
    case 'filter':
      return [`a filter or transform over the whole plane → output ${size}; pick an output to see what it reads`];
    case 'inverse':
      return [`max pool with these options, then each value put back where it came from → output ${size}`];
    default:
      return [`output ${size}`];
  }
}
