// The argmax plane description shared by max pooling, adaptive max pooling and max unpooling.
import type { PoolingSizes } from '../geometry/layout.js';
import type { ArgmaxPlanes } from '../kernels/types.js';

/** Planes of a pooling whose input is the large side and whose output is the small side. */
export function poolingPlanes(geometry: PoolingSizes): ArgmaxPlanes {
  return {
    channelsLast: geometry.channelsLast,
    batch: geometry.batch,
    channels: geometry.channels,
    largeSpatial: geometry.inDepth * geometry.inHeight * geometry.inWidth,
    smallSpatial: geometry.outDepth * geometry.outHeight * geometry.outWidth,
  };
}
