// LSTM pooling in ONNX: the window's taps in row-major order, each a strided Slice of the
// zero-padded input covering every window at once, run through an unrolled LSTM (Keras's cell,
// gates i, f, c, o). A tap outside the input leaves a window's state as it was, which is exactly
// the layer's sequence of in-bounds cells (h and c start at 0).
import { ONNX_BOOL } from '../../formats/onnx/graph.js';
import type { OnnxExportCall, OnnxExportResult } from '../../formats/onnx/kind-hook.js';
import { spatial } from '../../formats/onnx/pool-nodes.js';
import { exportWindow, type WindowAxes } from '../../formats/onnx/pool-window.js';
import { tapCells, tapInsideMask, zeroPadded } from '../../formats/onnx/window-cells.js';

interface State {
  readonly hidden: string | null;
  readonly cell: string | null;
}

/** The tap's input cell of every window: [batch, outH, outW, channels]. */
function tapInput(call: OnnxExportCall, padded: string, axes: WindowAxes, tap: readonly [number, number]): string {
  const cells = tapCells(call, padded, axes, tap);
  return call.graph.apply('Transpose', [cells], { perm: [0, 2, 3, 1] }, call.owner);
}

/** One LSTM step on every window: the new state, kept only where the tap is in the input (`mask`, [1, outH, outW, 1]). */
function step(
  call: OnnxExportCall,
  input: string,
  state: State,
  weights: readonly string[],
  mask: { readonly values: Float32Array; readonly shape: readonly number[] },
): State {
  const { graph, owner } = call;
  const [kernel, recurrent, bias] = weights as [string, string, string];
  let z = graph.apply('Add', [graph.apply('MatMul', [input, kernel], {}, owner), bias], {}, owner);
  if (state.hidden !== null)
    z = graph.apply('Add', [z, graph.apply('MatMul', [state.hidden, recurrent], {}, owner)], {}, owner);
  const [zi, zf, zc, zo] = graph.node('Split', [z], { axis: 3, num_outputs: 4 }, { name: owner, outputs: 4 });
  const [inputGate, forget, output] = [zi, zf, zo].map((gate) => graph.apply('Sigmoid', [gate!], {}, owner));
  const candidate = graph.apply('Mul', [inputGate!, graph.apply('Tanh', [zc!], {}, owner)], {}, owner);
  const cell =
    state.cell === null
      ? candidate
      : graph.apply('Add', [graph.apply('Mul', [forget!, state.cell], {}, owner), candidate], {}, owner);
  const hidden = graph.apply('Mul', [output!, graph.apply('Tanh', [cell], {}, owner)], {}, owner);
  if (mask.values.every((value) => value === 1)) return { hidden, cell };
  const inside = graph.apply(
    'Cast',
    [graph.floats(`${owner}/inside`, mask.values, mask.shape)],
    { to: ONNX_BOOL },
    owner,
  );
  const keep = (next: string, previous: string | null) =>
    graph.apply('Where', [inside, next, previous ?? graph.floats(`${owner}/zero`, [0], [])], {}, owner);
  return { hidden: keep(hidden, state.hidden), cell: keep(cell, state.cell) };
}

/** The layer as an unrolled LSTM over its window's taps; output channels first. */
export function exportLstmPool(call: OnnxExportCall): OnnxExportResult {
  const { graph, owner } = call;
  const { axes } = exportWindow(call);
  const [kernel, recurrent, bias] = call.weights;
  const weights = [
    graph.floats(`${owner}/kernel`, kernel!.values, kernel!.shape),
    graph.floats(`${owner}/recurrent_kernel`, recurrent!.values, recurrent!.shape),
    graph.floats(`${owner}/bias`, bias!.values, bias!.shape),
  ];
  const padded = zeroPadded(call, call.input, axes);
  const maskShape = [1, ...axes.outSize, 1];
  const outCells = axes.outSize[0]! * axes.outSize[1]!;
  const inside = tapInsideMask(axes);
  let state: State = { hidden: null, cell: null };
  for (let row = 0; row < axes.kernel[0]!; row++) {
    for (let column = 0; column < axes.kernel[1]!; column++) {
      const tapIndex = row * axes.kernel[1]! + column;
      const mask = { values: inside.subarray(tapIndex * outCells, (tapIndex + 1) * outCells), shape: maskShape };
      state = step(call, tapInput(call, padded, axes, [row, column]), state, weights, mask);
    }
  }
  return spatial(graph.apply('Transpose', [state.hidden!], { perm: [0, 3, 1, 2] }, owner));
}
