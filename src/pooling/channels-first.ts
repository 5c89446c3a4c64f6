// A channelsFirst call of a layout-free kind (KindDefinition.layoutFree) on a backend whose pooling
// kernels vectorize across channels (Backend.poolsChannelsLast: wasm, whose channelsFirst walks give
// each plane one SIMD lane and measured 3 to 20 times slower) runs as the channelsLast call between
// two transposes, which cost about two copies. The numbers are the same: each channel's plane is
// pooled alone in both layouts, a plane is sample · channels + channel in both (the order in which
// weight gradients are summed), and no such kind draws by element index; returned indices are flat
// spatial indices within a plane, the same in both layouts. Errors must name the caller's layout and
// come in the op's own order: inputs of a rank the op does not take run as called, and a transposed
// call that breaks a rule runs again as called, which throws the caller's error.
import { PoolkitArgumentError } from '../errors.js';
import { activeBackendPoolsChannelsLast, kernel } from '../kernels/backend.js';
import { planeTranspose, transpose } from '../ops/nn/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { KindDefinition, OpCall, PoolResult } from './kind.js';

/** Whether `call` runs transposed (see the file's comment). */
export function runsTransposed(definition: Pick<KindDefinition, 'layoutFree' | 'window'>, call: OpCall): boolean {
  const rank = call.input.rank;
  const ranked = definition.window === 'global' ? rank >= 3 && rank <= 5 : rank === call.rank + 2;
  return (
    definition.layoutFree === true &&
    ranked &&
    call.options.dataFormat === 'channelsFirst' &&
    activeBackendPoolsChannelsLast()
  );
}

/** The kind's compute on `call`, transposed where runsTransposed says so. */
export function computeInLayout(
  definition: Pick<KindDefinition, 'layoutFree' | 'window' | 'compute'>,
  call: OpCall,
): PoolResult {
  if (!runsTransposed(definition, call)) return definition.compute(call);
  try {
    return computeTransposed(definition, call);
  } catch (error) {
    if (error instanceof PoolkitArgumentError) return definition.compute(call);
    throw error;
  }
}

function computeTransposed(definition: Pick<KindDefinition, 'compute'>, call: OpCall): PoolResult {
  const rank = call.input.rank;
  const spatial = Array.from({ length: rank - 2 }, (_, index) => index + 2);
  const input = transpose(call.input, [0, ...spatial, 1]);
  const result = definition.compute({ ...call, input, options: { ...call.options, dataFormat: 'channelsLast' } });
  const toFirst = [0, rank - 1, ...spatial.map((axis) => axis - 1)];
  if (result instanceof Tensor) return result.rank === 2 ? result : transpose(result, toFirst); // global: [batch, channels]
  return { output: transpose(result.output, toFirst), indices: transposedIndices(result.indices, toFirst) };
}

/** An int32 tensor permuted by `order` (a batched 2D transpose); the original stays (the op's backward may keep it). */
function transposedIndices(indices: Tensor, order: readonly number[]): Tensor {
  const target = Tensor.allocate(
    order.map((axis) => indices.shape[axis]!),
    'int32',
  );
  const planes = planeTranspose(indices.shape, order)!; // moving the channel axis is always one
  if (planes.rows === 1 || planes.columns === 1) target.intValues.set(indices.intValues);
  else kernel('transposePlanes')(indices.intValues, target.intValues, planes);
  return target;
}
