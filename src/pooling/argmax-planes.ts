// The argmax plane description shared by max pooling, adaptive max pooling and max unpooling.
import type { ArgmaxPlanes } from '../kernels/types.js';

interface PlaneSizes {
  readonly channelsLast: boolean;
  readonly batch: number;
  readonly channels: number;
  readonly inDepth: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly outDepth: number;
  readonly outHeight: number;
  readonly outWidth: number;
}

/** Planes of a pooling whose input is the large side and whose output is the small side. */
export function poolingPlanes(geometry: PlaneSizes): ArgmaxPlanes {
  return {
    channelsLast: geometry.channelsLast,
    batch: geometry.batch,
    channels: geometry.channels,
    largeSpatial: geometry.inDepth * geometry.inHeight * geometry.inWidth,
    smallSpatial: geometry.outDepth * geometry.outHeight * geometry.outWidth,
  };
}
