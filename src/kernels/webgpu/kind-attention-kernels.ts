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

/** The steps both directions share: mean, query, W_k·q and the logits; returns the arrays' indexes. */
function addAttention(
  builder: JobBuilder,
  g: PoolingSizes,
  input: Float32Array,
  query: Float32Array,
  key: Float32Array,
) {
  const [batch, channels, cells] = [g.batch, g.channels, cellsOf(g)];
  const x = builder.add(input, 'read');
  const [queryKernel, keyKernel] = [builder.add(query, 'read'), builder.add(key, 'read')];
  const mean = builder.scratch(batch * channels);
  builder.step('sampleMean', sampleParams(g), [x, mean], batch * channels);
  const q = builder.scratch(batch * channels);
  addSampleProduct(
    builder,
    g,
    { matrices: batch, rows: 1, depth: channels, columns: channels },
    { a: { array: mean, strides: [channels, 0, 1] }, b: { array: queryKernel, strides: [0, channels, 1] }, out: q },
  );
  const keyQuery = builder.scratch(batch * channels);
  addSampleProduct(
    builder,
    g,
    { matrices: batch, rows: channels, depth: channels, columns: 1 },
    { a: { array: keyKernel, strides: [0, channels, 1] }, b: { array: q, strides: [channels, 1, 0] }, out: keyQuery },
  );
  const logits = builder.scratch(batch * cells);
  addSampleProduct(
    builder,
    g,
    { matrices: batch, rows: cells, depth: channels, columns: 1 },
    { a: { array: x, strides: cellStrides(g) }, b: { array: keyQuery, strides: [channels, 1, 0] }, out: logits },
    { scale: 1 / Math.sqrt(channels) },
  );
  return { x, queryKernel, keyKernel, mean, q, keyQuery, logits };
}

type AttentionArrays = ReturnType<typeof addAttention>;

/** ∂W_q += Σ_samples mean ⊗ ∂q and ∂W_k += Σ_samples u ⊗ q: products over the batch, added into the given arrays. */
function addKernelGradients(
  builder: JobBuilder,
  g: PoolingSizes,
  state: AttentionArrays,
  sums: { gradQuery: number; gradKeySum: number },
  gradients: { query: Float32Array; key: Float32Array },
): void {
  const shape = { matrices: 1, rows: g.channels, depth: g.batch, columns: g.channels };
  const outer = (left: number, right: number, out: number) =>
    addSampleProduct(
      builder,
      g,
      shape,
      { a: { array: left, strides: [0, 1, g.channels] }, b: { array: right, strides: [0, g.channels, 1] }, out },
      { accumulate: true },
    );
  outer(state.mean, sums.gradQuery, builder.add(gradients.query, 'readWrite'));
  outer(sums.gradKeySum, state.q, builder.add(gradients.key, 'readWrite'));
}

/** The backward's steps after the shared ones: scores, softmax backward, u = Σ ∂logit·x, ∂q, W_q·∂q, ∂x, ∂W_q, ∂W_k. */
function attentionBackwardJob(
  g: PoolingSizes,
  arrays: { input: Float32Array; query: Float32Array; key: Float32Array; gradOutput: Float32Array },
  gradients: { input: Float32Array; query: Float32Array; key: Float32Array },
): JobBuilder {
  const builder = new JobBuilder();
  const [batch, channels, cells] = [g.batch, g.channels, cellsOf(g)];
  const state = addAttention(builder, g, arrays.input, arrays.query, arrays.key);
  const gradOutput = builder.add(arrays.gradOutput, 'read');
  const perSample = { matrices: batch, rows: cells, depth: channels, columns: 1 };
  const scores = builder.scratch(batch * cells);
  const x = { array: state.x, strides: cellStrides(g) };
  addSampleProduct(builder, g, perSample, { a: x, b: { array: gradOutput, strides: [channels, 1, 0] }, out: scores });
  const stats = builder.scratch(batch * 3);
  builder.step('attentionSoftmaxScores', sampleParams(g), [state.logits, scores, stats], batch);
  const gradLogits = builder.scratch(batch * cells);
  const logitParams = sampleParams(g, 1 / Math.sqrt(channels));
  builder.step('attentionLogitGradient', logitParams, [state.logits, scores, stats, gradLogits], batch * cells);
  const [perCell, perChannel] = [cellStrides(g)[1], cellStrides(g)[2]];
  const gradKeySum = builder.scratch(batch * channels);
  addSampleProduct(
    builder,
    g,
    { matrices: batch, rows: channels, depth: cells, columns: 1 },
    {
      a: { array: state.x, strides: [cellStrides(g)[0], perChannel, perCell] },
      b: { array: gradLogits, strides: [cells, 1, 0] },
      out: gradKeySum,
    },
  );
  const gradQuery = builder.scratch(batch * channels);
  const vectorRow = { matrices: batch, rows: 1, depth: channels, columns: channels };
  const byKey = { array: state.keyKernel, strides: [0, channels, 1] } as const;
  addSampleProduct(builder, g, vectorRow, {
    a: { array: gradKeySum, strides: [channels, 0, 1] },
    b: byKey,
    out: gradQuery,
  });
  const throughMean = builder.scratch(batch * channels);
  addSampleProduct(
    builder,
    g,
    { matrices: batch, rows: channels, depth: channels, columns: 1 },
    {
      a: { array: state.queryKernel, strides: [0, channels, 1] },
      b: { array: gradQuery, strides: [channels, 1, 0] },
      out: throughMean,
    },
  );
  const gradInput = builder.add(gradients.input, 'write');
  const reads = [state.logits, stats, gradOutput, gradLogits, state.keyQuery, throughMean];
  builder.step('attentionInputGradient', sampleParams(g), [...reads, gradInput], gradients.input.length);
  addKernelGradients(builder, g, state, { gradQuery, gradKeySum }, gradients);
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
