// fit on webgpu keeps what a step reads on the GPU for the whole fit: the trainable weights and the
// optimizer's slots (moved there and brought home at the end), a copy of the training data (the
// caller's tensors stay where they are), its labels checked once and trusted, and each epoch's
// order. A step then uploads nothing: takeRows gathers its batch there (batches.ts).
import { getBackend } from '../kernels/backend.js';
import { trustedCopy } from '../ops/nn/labels.js';
import { Tensor } from '../tensor/tensor.js';
import { compiled, type Dataset, type Model } from './fit-data.js';

export interface GpuFit {
  /** The training data on the GPU (labels trusted where the loss is sparse softmax cross-entropy). */
  readonly data: Dataset;
  /** An epoch's order on the GPU (one upload), or null for none; the caller disposes it. */
  order(order: Int32Array | null): Tensor | null;
  /** Brings the weights and slots home and frees the data's copies. */
  end(): void;
}

/** Moves the model's weights and slots and a copy of `data` to the GPU on webgpu; null on the other backends. */
export function startGpuFit(model: Model, data: Dataset): GpuFit | null {
  if (getBackend() !== 'webgpu') return null;
  const { optimizer } = compiled(model, 'fit');
  const weights = model.trainableParameters.map((parameter) => parameter.tensor);
  const copies: Tensor[] = [];
  const end = () => {
    for (const weight of weights) if (!weight.isDisposed) weight.to('heap');
    optimizer.moveSlots('heap');
    for (const copy of copies) copy.dispose();
  };
  try {
    const keep = (copy: Tensor) => copies[copies.push(copy) - 1]!;
    const labels = sparseLabels(model, data.y);
    const x = data.x.map((tensor) => keep(tensor.copyToGpu()));
    const y = data.y.map((tensor) => keep(tensor === labels?.tensor ? labels.copy() : tensor.copyToGpu()));
    for (const weight of weights) weight.to('webgpu');
    optimizer.moveSlots('webgpu');
    return { data: { x, y }, order: residentOrder, end };
  } catch (error) {
    end();
    throw error;
  }
}

/**
 * The labels of a model trained with sparse softmax cross-entropy, and how to copy them: checked
 * once here, as that loss checks them (its errors), then trusted on the GPU. Null for other models.
 */
function sparseLabels(model: Model, targets: readonly Tensor[]) {
  const { loss } = compiled(model, 'fit');
  const tensor = targets[0]!;
  const classes = model.outputShapes?.[0]?.at(-1);
  if (!model.trainsFromLogits || loss.accuracy !== 'sparse' || targets.length !== 1 || tensor.rank !== 1) return null;
  if (typeof classes !== 'number') return null;
  return { tensor, copy: () => trustedCopy('sparseSoftmaxCrossEntropy', tensor, classes) };
}

function residentOrder(order: Int32Array | null): Tensor | null {
  if (order === null || order.length === 0) return null;
  const tensor = Tensor.allocate([order.length], 'int32');
  tensor.intValues.set(order);
  return tensor.to('webgpu');
}
