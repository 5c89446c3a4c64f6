// Node only: writes the training report beside a saved model: curves.svg and report.html (the
// curves again, and feature maps before and after the pooling layer for a few test digits).
import { join } from 'node:path';
import type { LabeledImages } from '../data/mnist.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import type { Sequential } from '../nn/sequential.js';
import { chooseSamples, featureSample, poolingLayerIndex } from './activations.js';
import { curvePanelsSvg, curvesSvg, type EpochRecord } from './curves-svg.js';
import { reportHtml } from './feature-page.js';

export const CURVES_FILE = 'curves.svg';
export const REPORT_FILE = 'report.html';

/** What the pooling step shows in the pictures, by layer kind. */
function poolingNote(className: string): string {
  if (className.startsWith('Max'))
    return 'Max pooling keeps the strongest response of each window: the strokes survive at half the resolution.';
  if (className.startsWith('Average'))
    return 'Average pooling blurs each window into its mean: the strokes survive at half the resolution, softer.';
  return `${className || 'Pooling'} summarises each window into one value.`;
}

/** Writes both files into `folder`; returns their paths. */
export async function writeTrainingReport(
  folder: string,
  model: Sequential,
  history: readonly EpochRecord[],
  testData: LabeledImages,
  meta: { title: string; facts: readonly string[] },
): Promise<{ curves: string; report: string }> {
  const svg = curvesSvg(history, meta.title);
  const poolIndex = poolingLayerIndex(model);
  const samples =
    poolIndex > 0
      ? chooseSamples(model, testData).map((index) => featureSample(model, testData, index, poolIndex))
      : [];
  const html = reportHtml(samples, {
    ...meta,
    beforeLayer: poolIndex > 0 ? model.layers[poolIndex - 1]!.name : 'input',
    afterLayer: poolIndex >= 0 ? model.layers[poolIndex]!.name : 'none',
    poolingNote: poolingNote(poolIndex >= 0 ? model.layers[poolIndex]!.className : ''),
    curvesSvg: curvePanelsSvg(history).join('\n'),
  });
  const paths = { curves: join(folder, CURVES_FILE), report: join(folder, REPORT_FILE) };
  await writeFileAtomic(paths.curves, svg);
  await writeFileAtomic(paths.report, html);
  return paths;
}
