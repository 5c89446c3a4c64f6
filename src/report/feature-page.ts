// Node only: the HTML report beside a saved model: the training curves (inline SVG) and, for a few
// test digits, the feature maps just before and just after the pooling layer, as embedded PNGs.
import { PNG } from 'pngjs';
import { escapeXml } from './curves-svg.js';
import { channelMaxima, featureGrid, grayscaleImage, type FeatureMaps, type RgbaImage } from './image-grid.js';

export interface FeatureSample {
  readonly index: number;
  readonly label: number;
  readonly predicted: number;
  readonly confidence: number;
  /** The 28x28 input in [0, 1]. */
  readonly input: Float32Array;
  readonly before: FeatureMaps;
  readonly after: FeatureMaps;
}

export interface ReportMeta {
  readonly title: string;
  /** Lines of facts about the run: model, backend, accuracy. */
  readonly facts: readonly string[];
  readonly beforeLayer: string;
  readonly afterLayer: string;
  /** One sentence on what this pooling layer does to the maps. */
  readonly poolingNote: string;
  /** The curves, inlined: SVG markup (curvePanelsSvg's panels, which wrap on a narrow page). */
  readonly curvesSvg: string;
}

const COLUMNS = 8;

/** PNG bytes of an opaque RGBA image, stored as RGB. */
export function encodePng(image: RgbaImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.rgba.buffer, image.rgba.byteOffset, image.rgba.byteLength);
  // One filter (Paeth) instead of pngjs's try-all-five: 4x faster, files as small on these maps.
  return PNG.sync.write(png, { colorType: 2, inputHasAlpha: true, filterType: 4 });
}

function dataUrl(image: RgbaImage): string {
  return `data:image/png;base64,${encodePng(image).toString('base64')}`;
}

function sampleSection(sample: FeatureSample, meta: ReportMeta): string {
  // Both grids share the pre-pooling channel maxima, so the colours compare across the pooling step.
  const maxima = channelMaxima(sample.before);
  // One cell scale for both grids, so the pooled maps show at their true, smaller size.
  const before = featureGrid(sample.before, { cellScale: 3, columns: COLUMNS, channelMaxima: maxima });
  const after = featureGrid(sample.after, { cellScale: 3, columns: COLUMNS, channelMaxima: maxima });
  const input = grayscaleImage(sample.input, 28, 28, 4);
  const verdict = sample.predicted === sample.label ? 'right' : 'wrong';
  const shape = (maps: FeatureMaps): string => `${maps.height}x${maps.width}x${maps.channels}`;
  return `<section>
<h2>Test digit #${sample.index}: label ${sample.label}, predicted ${sample.predicted} (${(100 * sample.confidence).toFixed(1)}%, ${verdict})</h2>
<div class="row">
<figure><img src="${dataUrl(input)}" alt="input digit" width="${input.width}"><figcaption>input 28x28</figcaption></figure>
<figure><img src="${dataUrl(before)}" alt="before pooling" width="${before.width}"><figcaption>${escapeXml(meta.beforeLayer)} output, before pooling (${shape(sample.before)})</figcaption></figure>
<figure><img src="${dataUrl(after)}" alt="after pooling" width="${after.width}"><figcaption>${escapeXml(meta.afterLayer)} output, after pooling (${shape(sample.after)})</figcaption></figure>
</div>
</section>`;
}

/** The whole report page. */
export function reportHtml(samples: readonly FeatureSample[], meta: ReportMeta): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(meta.title)}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #222; background: #fff; }
@media (max-width: 600px) { body { margin: 12px; } }
/* Curves and feature maps shrink to the page's width (a phone's) instead of being cut off. */
svg, img { max-width: 100%; height: auto; }
h1 { font-size: 22px; } h2 { font-size: 16px; margin: 18px 0 6px; }
ul.facts { margin: 0 0 12px; padding-left: 18px; }
.row { display: flex; gap: 20px; align-items: flex-start; flex-wrap: wrap; }
figure { margin: 0; } figcaption { font-size: 12px; color: #555; margin-top: 4px; }
img { image-rendering: pixelated; border: 1px solid #ccc; }
.note { font-size: 13px; color: #555; max-width: 900px; }
</style>
</head>
<body>
<h1>Training report</h1>
<ul class="facts">${meta.facts.map((fact) => `<li>${escapeXml(fact)}</li>`).join('')}</ul>
<h2>${escapeXml(meta.title)}</h2>
${meta.curvesSvg}
<h1>Feature maps before and after pooling</h1>
<p class="note">Each tile is one of the convolution's channels (viridis: dark is zero, yellow is the channel's largest
activation before pooling; both grids of a digit share that scale, and the pooled maps are drawn at their true size).
${escapeXml(meta.poolingNote)}</p>
${samples.map((sample) => sampleSection(sample, meta)).join('\n')}
</body>
</html>
`;
}
