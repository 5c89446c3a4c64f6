// embeddingLookup: rows of an embedding matrix picked by integer indices (tf.nn.embedding_lookup,
// Keras's Embedding). The matrix's gradient adds each output row's gradient into the row it came
// from (a scatter-add: a token seen twice in a batch gets both gradients); indices get none.
import { recordGrad } from '../../autograd/tape.js';
import { fail } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkTensor } from '../checks.js';

/**
 * The indices as integers, checked: int32, or float32 holding whole numbers (what a float32
 * dataset of token ids holds), each in [0, rows).
 */
export function indexValues(op: string, indices: unknown, rows: number): Int32Array | Float32Array {
  if (!(indices instanceof Tensor)) fail(op, 'indices', 'must be a Tensor', typeof indices);
  if (indices.isDisposed) fail(op, 'indices', 'must not be disposed', indices.toString());
  const values = indices.dtype === 'int32' ? indices.intValues : indices.values;
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    if (!Number.isInteger(value) || value < 0 || value >= rows) {
      fail(op, 'indices', `must hold whole numbers in [0, ${rows}) (the embedding's rows)`, `${value} at ${index}`);
    }
  }
  return values;
}

/**
 * Looks up rows of `embeddings` [rows, dim]: the output has shape [...indices.shape, dim].
 * @example embeddingLookup(table, tensor([[1, 4, 0]], [1, 3], 'int32')) // → [1, 3, dim]
 */
export function embeddingLookup(embeddings: Tensor, indices: Tensor): Tensor {
  checkTensor('embeddingLookup', 'embeddings', embeddings);
  if (embeddings.rank !== 2)
    fail('embeddingLookup', 'embeddings', 'must have rank 2 [rows, dim]', `shape [${embeddings.shape.join(', ')}]`);
  const [rows, dim] = embeddings.shape as [number, number];
  const positions = indexValues('embeddingLookup', indices, rows);
  const output = Tensor.allocate([...indices.shape, dim]);
  const [table, target] = [embeddings.values, output.values];
  for (let position = 0; position < positions.length; position++) {
    const row = positions[position]!;
    target.set(table.subarray(row * dim, (row + 1) * dim), position * dim);
  }
  recordGrad(
    'embeddingLookup',
    output,
    [embeddings],
    (gradOutput) => {
      const gradTable = Tensor.allocate(embeddings.shape);
      const [sums, grads] = [gradTable.values, gradOutput.values];
      sums.fill(0);
      const used = indices.dtype === 'int32' ? indices.intValues : indices.values;
      for (let position = 0; position < used.length; position++) {
        const start = used[position]! * dim;
        for (let column = 0; column < dim; column++) sums[start + column]! += grads[position * dim + column]!;
      }
      return [gradTable];
    },
    [indices],
  );
  return output;
}
