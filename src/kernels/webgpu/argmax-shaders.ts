// The WGSL of the argmax kernels (max unpooling and the backward of argmax-saving kinds): a scatter
// per (batch, channel) plane in the reference's cell order, and a gather per small element.
import { Param } from './params.js';
import { header, reads, storageBindings, writes, type StorageArray } from './shader-common.js';

/**
 * argmaxScatterAdd (`add`) and argmaxScatter, one invocation per (batch, channel) plane visiting its
 * cells in order, as the reference: sums round alike, and the last of several writes to a cell wins.
 */
export function argmaxScatter(add: boolean): string {
  return `${header(storageBindings([reads('small', 'f32'), reads('argmax', 'i32'), writes('large', 'f32')]))}
  let plane = element;
  let channels = pu(${Param.channels}u);
  let largeStrides = stridesOf(inSpatial());
  let smallStrides = stridesOf(outSpatial());
  let largeBase = (plane / channels) * largeStrides.x + (plane % channels) * largeStrides.y;
  let smallBase = (plane / channels) * smallStrides.x + (plane % channels) * smallStrides.y;
  for (var cell = 0u; cell < outSpatial(); cell++) {
    let smallIndex = smallBase + cell * smallStrides.z;
    let targetCell = argmax[smallIndex];
    if (targetCell >= 0) {
      let largeIndex = largeBase + u32(targetCell) * largeStrides.z;
      large[largeIndex] = ${add ? 'large[largeIndex] + ' : ''}small[smallIndex];
    }
  }
}`;
}

/** argmaxGather, one invocation per small element: its argmax cell's value, 0 for an empty window. */
const argmaxGatherArrays: readonly StorageArray[] = [
  reads('large', 'f32'),
  reads('argmax', 'i32'),
  writes('small', 'f32'),
];
export const argmaxGather = `${header(storageBindings(argmaxGatherArrays))}
  let at = locate(element, outSpatial());
  let largeStrides = stridesOf(inSpatial());
  let targetCell = argmax[element];
  var value: f32 = 0.0;
  if (targetCell >= 0) { value = large[at.x * largeStrides.x + at.y * largeStrides.y + u32(targetCell) * largeStrides.z]; }
  small[element] = value;
}`;
