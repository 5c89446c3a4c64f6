// The report's pieces: tick choice, the curves SVG (well-formed, points where the numbers say),
// feature-map grids (layout, colours, shared scale) and the PNG encoding (decoded back by pngjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { curvePanelsSvg, curvesSvg, niceTicks, type EpochRecord } from '../../src/report/curves-svg.js';
import { encodePng, reportHtml } from '../../src/report/feature-page.js';
import { featureGrid, grayscaleImage, viridis } from '../../src/report/image-grid.js';

const history: EpochRecord[] = [1, 2, 3].map((epoch) => ({
  epoch,
  loss: 0.5 / epoch,
  accuracy: 0.8 + 0.05 * epoch,
  validationLoss: 0.4 / epoch,
  validationAccuracy: 0.85 + 0.04 * epoch,
  seconds: 10,
}));

test('niceTicks picks round steps that cover the range', () => {
  assert.deepEqual(niceTicks(0.03, 0.31), [0, 0.1, 0.2, 0.3, 0.4]);
  assert.deepEqual(niceTicks(90.2, 99.1), [90, 92, 94, 96, 98, 100]);
  const flat = niceTicks(5, 5); // a flat series still gets a range around its value
  assert.ok(flat[0]! < 5 && flat[flat.length - 1]! > 5 && flat.includes(5));
  const ticks = niceTicks(-3.2, 17.9);
  assert.ok(ticks[0]! <= -3.2 && ticks[ticks.length - 1]! >= 17.9);
});

test('curves SVG: titles, both legends, one polyline per series with a point per epoch', () => {
  const svg = curvesSvg(history, 'Run <1>');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /Run &#60;1&#62;/); // escaped title
  assert.equal((svg.match(/<polyline /g) ?? []).length, 4);
  assert.equal((svg.match(/<circle /g) ?? []).length, 12);
  assert.equal((svg.match(/>validation</g) ?? []).length, 2);
  for (const label of ['Loss (cross-entropy)', 'Accuracy', 'epoch', 'accuracy (%)'])
    assert.ok(svg.includes(`>${label}<`), label);
  // the loss panel's y axis runs 0 .. 0.5; epoch 1's loss 0.5 sits on the top edge of the plot (y = 30 + 40)
  const firstLoss = svg.match(/<polyline points="([\d.]+),([\d.]+) /)!;
  assert.equal(Number(firstLoss[2]), 70);
});

test('one epoch: "1 epoch", the single tick centred, each point labelled with its value and off the frame', () => {
  const svg = curvesSvg(history.slice(0, 1));
  assert.equal((svg.match(/>1 epoch, so one point per curve</g) ?? []).length, 2);
  assert.equal((svg.match(/<circle /g) ?? []).length, 4);
  for (const label of ['training 0.5000', 'validation 0.4000', 'training 85.00%', 'validation 89.00%'])
    assert.ok(svg.includes(`>${label}<`), label);
  // The loss panel's plot spans x 64..424 and y 70..298: its points sit at the centre column, inside.
  const points = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((match): [number, number] => [
    Number(match[1]),
    Number(match[2]),
  ]);
  for (const [x, y] of points.slice(0, 2)) {
    assert.equal(x, 244);
    assert.ok(y > 70 && y < 298, `y ${y}`);
  }
  // A longer run keeps its plain axis title, and report.html gets the same panels one SVG each.
  assert.ok(curvesSvg(history).includes('>epoch<'));
  const panels = curvePanelsSvg(history);
  assert.equal(panels.length, 2);
  for (const panel of panels) assert.match(panel, /^<svg [^>]*viewBox="0 0 440 320"/);
});

test('viridis: dark purple at 0, yellow at 1, clamped outside and for NaN', () => {
  assert.deepEqual(viridis(0), [68, 1, 84, 255]);
  assert.deepEqual(viridis(1), [253, 231, 37, 255]);
  assert.deepEqual(viridis(2), viridis(1));
  assert.deepEqual(viridis(NaN), viridis(0));
});

test('featureGrid tiles channels row-major with white gaps and a per-channel scale', () => {
  // 2x2 maps, 3 channels: channel c holds c + 1 at cell (0, 0) and 0 elsewhere
  const values = new Float32Array(2 * 2 * 3);
  values.set([1, 2, 3], 0);
  const grid = featureGrid({ values, height: 2, width: 2, channels: 3 }, { cellScale: 2, columns: 2, gap: 1 });
  assert.equal(grid.width, 2 * 4 + 1);
  assert.equal(grid.height, 2 * 4 + 1);
  const pixel = (x: number, y: number) =>
    Array.from(grid.rgba.subarray((y * grid.width + x) * 4, (y * grid.width + x) * 4 + 4));
  assert.deepEqual(pixel(0, 0), viridis(1)); // channel 0 at its own maximum
  assert.deepEqual(pixel(5, 0), viridis(1)); // channel 1, second tile
  assert.deepEqual(pixel(2, 0), viridis(0)); // channel 0, cell (0, 1): zero
  assert.deepEqual(pixel(4, 0), [255, 255, 255, 255]); // the gap
  assert.deepEqual(pixel(6, 6), [255, 255, 255, 255]); // no fourth channel
  const shared = featureGrid(
    { values, height: 2, width: 2, channels: 3 },
    { cellScale: 1, columns: 3, channelMaxima: Float32Array.from([2, 2, 2]) },
  );
  assert.deepEqual(Array.from(shared.rgba.subarray(0, 4)), viridis(0.5));
});

test('PNG encoding decodes back to the same pixels', () => {
  const image = grayscaleImage(Float32Array.from([0, 0.5, 1, 0.25]), 2, 2, 3);
  const decoded = PNG.sync.read(encodePng(image));
  assert.equal(decoded.width, 6);
  assert.equal(decoded.height, 6);
  assert.deepEqual(new Uint8Array(decoded.data), image.rgba);
  assert.deepEqual(Array.from(image.rgba.subarray(4 * 4, 4 * 4 + 4)), [128, 128, 128, 255]); // (0, 4): 0.5 gray
});

test('reportHtml embeds the curves and one section per sample with three PNGs', () => {
  const maps = { values: new Float32Array(4 * 4 * 2).fill(0.5), height: 4, width: 4, channels: 2 };
  const pooled = { values: new Float32Array(2 * 2 * 2).fill(0.5), height: 2, width: 2, channels: 2 };
  const sample = {
    index: 7,
    label: 3,
    predicted: 5,
    confidence: 0.625,
    input: new Float32Array(784),
    before: maps,
    after: pooled,
  };
  const html = reportHtml([sample, { ...sample, predicted: 3 }], {
    title: 'Report',
    facts: ['a fact'],
    beforeLayer: 'conv2d',
    afterLayer: 'max_pooling2d',
    poolingNote: 'Max pooling keeps the strongest response.',
    curvesSvg: curvesSvg(history),
  });
  assert.equal((html.match(/src="data:image\/png;base64,/g) ?? []).length, 6);
  assert.match(html, /label 3, predicted 5 \(62\.5%, wrong\)/);
  assert.match(html, /label 3, predicted 3 \(62\.5%, right\)/);
  assert.match(html, /max_pooling2d output, after pooling \(2x2x2\)/);
  assert.match(html, /<svg /);
  assert.match(html, /Max pooling keeps the strongest response\./);
});
