// The RoI layers in ONNX: RoIAlign as RoiAlign (opset 16: both coordinate modes, avg and max),
// RoI pooling as MaxRoiPool, on the layer's rois input, or for a layer with one input on whole-map
// boxes (roi-layer.ts) built from the batch size at run time. ONNX Runtime computes both ops as
// poolkit does (test/kinds/roi-align.test.ts, roi-pool.test.ts), roiPool's NaN and ties aside.
import { float, ONNX_FLOAT, ONNX_INT64 } from '../../formats/onnx/graph.js';
import type { KindOnnx, OnnxExportCall } from '../../formats/onnx/kind-hook.js';
import { checkDataFormat, perDimension, spatialSizes } from '../../geometry/layout.js';
import type { OpOptions } from '../kind.js';
import { roiLayerOptions, wholeMapCorners } from './roi-layer.js';

interface RoiExport {
  readonly options: OpOptions;
  readonly outputSize: [number, number];
  readonly spatialScale: ReturnType<typeof float>;
}

function settings(call: OnnxExportCall): RoiExport {
  const options = roiLayerOptions(call.owner, call.options, call.inputShape, (call.second ?? null) !== null);
  const outputSize = perDimension(call.owner, 'outputSize', options.outputSize, 2, 1) as [number, number];
  return { options, outputSize, spatialScale: float((options.spatialScale as number | undefined) ?? 1) };
}

/** Whole-map boxes for every image of the input: corners [batch, 4] and int64 batch indices [batch]. */
function wholeMapBoxes(call: OnnxExportCall, options: OpOptions): { corners: string; indices: string } {
  const { graph, owner } = call;
  const [height, width] = spatialSizes(call.inputShape, 2, checkDataFormat(owner, options.dataFormat));
  const batch = graph.apply('Shape', [call.input], { start: 0, end: 1 }, owner);
  const count = graph.apply('Squeeze', [batch], {}, owner);
  const [zero, one] = [graph.int64s(`${owner}/zero`, [0], []), graph.int64s(`${owner}/one`, [1], [])];
  const indices = graph.apply('Range', [zero, count, one], {}, owner);
  const box = graph.floats(`${owner}/whole_map`, wholeMapCorners(options, height!, width!), [1, 4]);
  const shape = graph.apply('Concat', [batch, graph.int64s(`${owner}/four`, [4])], { axis: 0 }, owner);
  return { corners: graph.apply('Expand', [box, shape], {}, owner), indices };
}

/** The layer's rois [K, 5] split into corners [K, 4] and int64 batch indices [K]. */
function splitRois(call: OnnxExportCall, rois: string): { corners: string; indices: string } {
  const { graph, owner } = call;
  const columns = (start: number, end: number) =>
    graph.apply(
      'Slice',
      [
        rois,
        graph.int64s(`${owner}/start`, [start]),
        graph.int64s(`${owner}/end`, [end]),
        graph.int64s(`${owner}/axis`, [1]),
      ],
      {},
      owner,
    );
  const column = graph.apply('Squeeze', [columns(0, 1), graph.int64s(`${owner}/axis`, [1])], {}, owner);
  return { corners: columns(1, 5), indices: graph.apply('Cast', [column], { to: ONNX_INT64 }, owner) };
}

function exportRoiAlign(call: OnnxExportCall) {
  const { options, outputSize, spatialScale } = settings(call);
  const { corners, indices } = call.second ? splitRois(call, call.second) : wholeMapBoxes(call, options);
  const samplingRatio = (options.samplingRatio as number | undefined) ?? 0;
  const attributes = {
    mode: options.mode === 'max' ? 'max' : 'avg',
    output_height: outputSize[0],
    output_width: outputSize[1],
    sampling_ratio: Math.max(0, samplingRatio),
    spatial_scale: spatialScale,
    coordinate_transformation_mode: options.aligned === true ? 'half_pixel' : 'output_half_pixel',
  };
  const output = call.graph.apply('RoiAlign', [call.input, corners, indices], attributes, call.owner);
  return { output, layout: 'spatial' as const };
}

function exportRoiPool(call: OnnxExportCall) {
  const { options, outputSize, spatialScale } = settings(call);
  const { graph, owner } = call;
  let rois = call.second ?? null;
  if (rois === null) {
    const { corners, indices } = wholeMapBoxes(call, options);
    const column = graph.apply('Unsqueeze', [indices, graph.int64s(`${owner}/axis`, [1])], {}, owner);
    const index = graph.apply('Cast', [column], { to: ONNX_FLOAT }, owner);
    rois = graph.apply('Concat', [index, corners], { axis: 1 }, owner);
  }
  const attributes = { pooled_shape: outputSize, spatial_scale: spatialScale };
  return { output: graph.apply('MaxRoiPool', [call.input, rois], attributes, owner), layout: 'spatial' as const };
}

export const roiAlignOnnx: KindOnnx = { export: exportRoiAlign };
export const roiPoolOnnx: KindOnnx = { export: exportRoiPool };
