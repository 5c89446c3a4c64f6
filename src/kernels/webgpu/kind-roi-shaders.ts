// The WGSL of RoI max pooling and RoIAlign: one invocation per output element (box, channel, bin)
// over the bins' tables the host builds (kind-roi-kernels.ts); RoI pooling's gradient one invocation
// per plane, RoIAlign's a gather per input cell, both adding in the reference scatter's order (box,
// bin, corner), so their float32 sums round alike.
import { KindParam } from './kind-walk.js';
import { Param } from './params.js';
import { header, reads, storageBindings, writes } from './shader-common.js';

/** Where the parameters hold the box count (the last table slot, which these kinds do not use). */
export const ROI_BOX_COUNT = KindParam.tables + 5;

const tablesWgsl = `
/** Entry 'index' of table 'part' (offsets in the kind parameters). */
fn tableAt(part: u32, index: u32) -> i32 { return tables[pu(${KindParam.tables}u + part) + index]; }
/** The kind's flag: RoI pooling's ONNX rule, RoIAlign's max mode. */
fn flag() -> bool { return p(${KindParam.coefficient}u) != 0; }
/** a < b as JavaScript compares floats (false with NaN; -0 equals +0), on bits. */
fn lessBits(a: u32, b: u32) -> bool { return !isNanBits(a) && !isNanBits(b) && orderKey(a) < orderKey(b); }`;

/** The output element's box, channel, bin, and where its image's plane starts in the input. */
const outputBinWgsl = `
  let at = locate(element, outSpatial());
  let box = at.x;
  let bin = at.z;
  let inStrides = stridesOf(inSpatial());`;

/**
 * roi-pool.ts's forward (table 0: row start, row end, column start, column end per box and bin;
 * table 1: batch indices): from −FLT_MAX (0 for an empty bin), a cell wins when greater
 * (torchvision) or when not smaller (ONNX), compared on bits.
 */
const roiPoolForward = `${header(
  storageBindings([reads('tables', 'i32'), reads('input', 'u32'), writes('output', 'u32'), writes('argmax', 'i32')]) +
    tablesWgsl,
)}
  ${outputBinWgsl}
  let base = u32(tableAt(1u, box)) * inStrides.x + at.y * inStrides.y;
  let extent = (box * outSpatial() + bin) * 4u;
  let rows = vec2<i32>(tableAt(0u, extent), tableAt(0u, extent + 1u));
  let columns = vec2<i32>(tableAt(0u, extent + 2u), tableAt(0u, extent + 3u));
  let inWidth = p(${Param.inWidth}u);
  var best = select(0xff7fffffu, 0u, rows.y <= rows.x || columns.y <= columns.x);
  var bestIndex = -1;
  for (var row = rows.x; row < rows.y; row++) {
    for (var column = columns.x; column < columns.y; column++) {
      let spatial = row * inWidth + column;
      let bits = input[base + u32(spatial) * inStrides.z];
      let wins = select(lessBits(best, bits), !lessBits(bits, best), flag());
      if (wins) { best = bits; bestIndex = spatial; }
    }
  }
  output[element] = best;
  argmax[element] = bestIndex;
}`;

/**
 * roi-pool.ts's backward, one invocation per (image, channel) plane: the gradient of each bin of the
 * image's boxes, in box then bin order (the reference's), added at its argmax (table 0: batch indices).
 */
const roiPoolBackward = `${header(
  storageBindings([
    reads('tables', 'i32'),
    reads('gradOutput', 'f32'),
    reads('argmax', 'i32'),
    writes('gradInput', 'f32'),
  ]) + tablesWgsl,
)}
  let channels = pu(${Param.channels}u);
  let image = element / channels;
  let channel = element % channels;
  let inStrides = stridesOf(inSpatial());
  let outStrides = stridesOf(outSpatial());
  let base = image * inStrides.x + channel * inStrides.y;
  for (var box = 0u; box < pu(${ROI_BOX_COUNT}u); box++) {
    if (u32(tableAt(0u, box)) != image) { continue; }
    for (var bin = 0u; bin < outSpatial(); bin++) {
      let outputIndex = box * outStrides.x + channel * outStrides.y + bin * outStrides.z;
      let spatial = argmax[outputIndex];
      if (spatial >= 0) {
        let inputIndex = base + u32(spatial) * inStrides.z;
        gradInput[inputIndex] = gradInput[inputIndex] + gradOutput[outputIndex];
      }
    }
  }
}`;

/** RoIAlign's tables: 0: per box first sample, samples per bin, divisor, image; 1: corner positions; 2: corner weights (float bits). */
const alignTablesWgsl = `
fn weightAt(corner: u32) -> f32 { return bitcast<f32>(tableAt(2u, corner)); }`;

/**
 * roi-align.ts's forward: the average of the bin's samples (Σ of w·x per sample, the samples added in
 * order, divided by the grid size) or ONNX's max of the weighted corner terms (std::max: the first of
 * ties stays, NaN never takes over); `winners` gets the max's winning corner (−1 for none).
 */
const roiAlignForward = `${header(
  storageBindings([reads('tables', 'i32'), reads('input', 'f32'), writes('output', 'f32'), writes('winners', 'i32')]) +
    tablesWgsl +
    alignTablesWgsl,
)}
  ${outputBinWgsl}
  let first = u32(tableAt(0u, box * 4u));
  let size = u32(tableAt(0u, box * 4u + 1u));
  let base = u32(tableAt(0u, box * 4u + 3u)) * inStrides.x + at.y * inStrides.y;
  let start = (first + bin * size) * 4u;
  var total: f32 = 0.0;
  var best: f32 = 0.0;
  var bestCorner = -1;
  for (var corner = start; corner < start + size * 4u; corner += 4u) {
    var sum = weightAt(corner) * input[base + u32(tableAt(1u, corner)) * inStrides.z];
    var value = sum;
    var valueCorner = i32(corner);
    for (var other = corner + 1u; other < corner + 4u; other++) {
      let term = weightAt(other) * input[base + u32(tableAt(1u, other)) * inStrides.z];
      sum = sum + term;
      if (lessBits(bitcast<u32>(value), bitcast<u32>(term))) { value = term; valueCorner = i32(other); }
    }
    total = total + sum;
    if (bestCorner < 0 || lessBits(bitcast<u32>(best), bitcast<u32>(value))) { best = value; bestCorner = valueCorner; }
  }
  output[element] = select(total / f32(tableAt(0u, box * 4u + 2u)), best, flag());
  winners[element] = bestCorner;
}`;

/**
 * roi-align.ts's backward as a gather: per input cell, the (box·bins + bin, corner) pairs whose sample
 * on the image reads it (table 3: each cell's first pair, per image; table 4: the pairs), adding
 * g·w/divisor (average) or g·w where the corner won (max).
 */
const roiAlignBackward = `${header(
  storageBindings([
    reads('tables', 'i32'),
    reads('gradOutput', 'f32'),
    reads('winners', 'i32'),
    writes('gradInput', 'f32'),
  ]) +
    tablesWgsl +
    alignTablesWgsl,
)}
  let at = locate(element, inSpatial());
  let outStrides = stridesOf(outSpatial());
  let cell = at.x * inSpatial() + at.z;
  var sum: f32 = 0.0;
  for (var pair = u32(tableAt(3u, cell)); pair < u32(tableAt(3u, cell + 1u)); pair++) {
    let slot = u32(tableAt(4u, pair * 2u));
    let corner = tableAt(4u, pair * 2u + 1u);
    let box = slot / outSpatial();
    let outputIndex = box * outStrides.x + at.y * outStrides.y + (slot % outSpatial()) * outStrides.z;
    let share = gradOutput[outputIndex] * weightAt(u32(corner));
    if (!flag()) {
      sum = sum + share / f32(tableAt(0u, box * 4u + 2u));
    } else if (winners[outputIndex] == corner) {
      sum = sum + share;
    }
  }
  gradInput[element] = sum;
}`;

export const roiKindShaders: Readonly<Record<string, () => string>> = {
  roiPoolKindForward: () => roiPoolForward,
  roiPoolKindBackward: () => roiPoolBackward,
  roiAlignKindForward: () => roiAlignForward,
  roiAlignKindBackward: () => roiAlignBackward,
};
