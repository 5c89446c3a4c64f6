// The webgpu kernels of attention pooling (attention-pool.ts), each one job of per-sample steps whose
// intermediates stay on the device: the mean, q = mean·W_q, r = W_k·q, the logits x_s·r/√C (the
// reference's k_s·q regrouped), the softmax, then the output or the gradients (kind-attention-shaders.ts).
import type { PoolingSizes } from '../../geometry/layout.js';
import { attentionPoolBackward, attentionPoolForward } from '../reference/extra/attention-pool.js';
import type { PoolingKernels } from '../types.js';
import type { KindRunner } from './kind-kernels.js';
import { addSampleProduct, cellStrides, sampleParams } from './kind-matrix-shaders.js';
import { JobBuilder } from './train-jobs.js';

const cellsOf = (g: PoolingSizes): number => g.inDepth * g.inHeight * g.inWidth;

/**
 * The per-sample products attention needs, over C-vectors per sample (dense [batch, C]), the shared
 * C×C kernels and the input's cells; each writes a new device array and returns its index.
 */
function attentionProducts(builder: JobBuilder, g: PoolingSizes) {
  const [batch, channels, cells] = [g.batch, g.channels, cellsOf(g)];
  const [perSample, perCell, perChannel] = cellStrides(g);
  const vectors = { matrices: batch, rows: 1, depth: channels, columns: channels };
  const columns = { matrices: batch, rows: channels, depth: channels, columns: 1 };
  const into = (length: number) => builder.scratch(length);
  return {
    /** v·W per sample. */
    vectorKernel(vector: number, kernel: number): number {
      const out = into(batch * channels);
      const operands = {
        a: { array: vector, strides: [channels, 0, 1] },
        b: { array: kernel, strides: [0, channels, 1] },
      } as const;
      addSampleProduct(builder, g, vectors, { ...operands, out });
      return out;
    },
    /** W·v per sample. */
    kernelVector(kernel: number, vector: number): number {
      const out = into(batch * channels);
      const operands = {
        a: { array: kernel, strides: [0, channels, 1] },
        b: { array: vector, strides: [channels, 1, 0] },
      } as const;
      addSampleProduct(builder, g, columns, { ...operands, out });
      return out;
    },
    /** x_s·v·scale per cell s (dense [batch, cells]). */
    cellsVector(x: number, vector: number, scale = 1): number {
      const out = into(batch * cells);
      const shape = { matrices: batch, rows: cells, depth: channels, columns: 1 };
      const operands = {
        a: { array: x, strides: cellStrides(g) },
        b: { array: vector, strides: [channels, 1, 0] },
      } as const;
      addSampleProduct(builder, g, shape, { ...operands, out }, { scale });
      return out;
    },
    /** Σ_s w_s·x_s per sample, w dense [batch, cells]. */
    weightedCells(x: number, weights: number): number {
      const out = into(batch * channels);
      const shape = { matrices: batch, rows: channels, depth: cells, columns: 1 };
      const a = { array: x, strides: [perSample, perChannel, perCell] } as const;
      addSampleProduct(builder, g, shape, { a, b: { array: weights, strides: [cells, 1, 0] }, out });
      return out;
    },
    /** out += Σ_samples left ⊗ right (C×C), out an array of the job read and written. */
    addOuterProducts(left: number, right: number, out: number): void {
      const shape = { matrices: 1, rows: channels, depth: batch, columns: channels };
      const operands = {
        a: { array: left, strides: [0, 1, channels] },
        b: { array: right, strides: [0, channels, 1] },
      } as const;
      addSampleProduct(builder, g, shape, { ...operands, out }, { accumulate: true });
    },
  };
}

/** The steps both directions share: mean, query, W_k·q and the logits; returns the arrays' indexes. */
function addAttention(
  builder: JobBuilder,
  g: PoolingSizes,
  input: Float32Array,
  query: Float32Array,
  key: Float32Array,
) {
  const products = attentionProducts(builder, g);
  const x = builder.add(input, 'read');
  const [queryKernel, keyKernel] = [builder.add(query, 'read'), builder.add(key, 'read')];
  const mean = builder.scratch(g.batch * g.channels);
  builder.step('sampleMean', sampleParams(g), [x, mean], g.batch * g.channels);
  const q = products.vectorKernel(mean, queryKernel);
  const keyQuery = products.kernelVector(keyKernel, q);
  const logits = products.cellsVector(x, keyQuery, 1 / Math.sqrt(g.channels));
  return { products, x, queryKernel, keyKernel, mean, q, keyQuery, logits };
}

/** The backward: scores g·x_s, the softmax backward, u = Σ ∂logit_s·x_s, ∂q = u·W_k, W_q·∂q, then ∂x, ∂W_q, ∂W_k. */
function attentionBackwardJob(
  g: PoolingSizes,
  arrays: { input: Float32Array; query: Float32Array; key: Float32Array; gradOutput: Float32Array },
  gradients: { input: Float32Array; query: Float32Array; key: Float32Array },
): JobBuilder {
  const builder = new JobBuilder();
  const state = addAttention(builder, g, arrays.input, arrays.query, arrays.key);
  const { products } = state;
  const gradOutput = builder.add(arrays.gradOutput, 'read');
  const scores = products.cellsVector(state.x, gradOutput);
  const stats = builder.scratch(g.batch * 3);
  builder.step('attentionSoftmaxScores', sampleParams(g), [state.logits, scores, stats], g.batch);
  const logitCount = g.batch * cellsOf(g);
  const gradLogits = builder.scratch(logitCount);
  const logitParams = sampleParams(g, 1 / Math.sqrt(g.channels));
  builder.step('attentionLogitGradient', logitParams, [state.logits, scores, stats, gradLogits], logitCount);
  const cellSums = products.weightedCells(state.x, gradLogits);
  const gradQuery = products.vectorKernel(cellSums, state.keyKernel);
  const throughMean = products.kernelVector(state.queryKernel, gradQuery);
  const gradInput = builder.add(gradients.input, 'write');
  const reads = [state.logits, stats, gradOutput, gradLogits, state.keyQuery, throughMean];
  builder.step('attentionInputGradient', sampleParams(g), [...reads, gradInput], gradients.input.length);
  products.addOuterProducts(state.mean, gradQuery, builder.add(gradients.query, 'readWrite'));
  products.addOuterProducts(cellSums, state.q, builder.add(gradients.key, 'readWrite'));
  return builder;
}

export function createAttentionGpuKernels(run: KindRunner) {
  return {
    attentionPoolForward(input, queryKernel, keyKernel, output, geometry) {
      const builder = new JobBuilder();
      const state = addAttention(builder, geometry, input, queryKernel, keyKernel);
      const stats = builder.scratch(geometry.batch * 2);
      builder.step('attentionSoftmax', sampleParams(geometry), [state.logits, stats], geometry.batch);
      const out = builder.add(output, 'write');
      const reads = [state.x, state.mean, state.logits, stats];
      builder.step('attentionForward', sampleParams(geometry), [...reads, out], output.length);
      run('attentionPoolForward', builder.job(), () =>
        attentionPoolForward(input, queryKernel, keyKernel, output, geometry),
      );
    },
    attentionPoolBackward(input, queryKernel, keyKernel, gradOutput, gradInput, gradQuery, gradKey, geometry) {
      const arrays = { input, query: queryKernel, key: keyKernel, gradOutput };
      const job = attentionBackwardJob(geometry, arrays, { input: gradInput, query: gradQuery, key: gradKey }).job();
      run('attentionPoolBackward', job, () =>
        attentionPoolBackward(input, queryKernel, keyKernel, gradOutput, gradInput, gradQuery, gradKey, geometry),
      );
    },
  } satisfies Partial<PoolingKernels>;
}
