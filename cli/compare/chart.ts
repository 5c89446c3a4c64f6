// The comparison's SVG chart: test accuracy (mean, error bars ±1 std over seeds) against seconds
// per epoch, one labelled point per kind. A plain string generator.
import type { CompareRow } from './table.js';

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Round tick values from `low` to `high`, about five of them. */
function ticks(low: number, high: number): number[] {
  const step = 10 ** Math.floor(Math.log10((high - low) / 5 || 1));
  const nice = [1, 2, 5, 10].map((factor) => factor * step).find((candidate) => (high - low) / candidate <= 6)!;
  const values: number[] = [];
  for (let value = Math.ceil(low / nice) * nice; value <= high + nice * 1e-9; value += nice) values.push(value);
  return values;
}

/** The value ranges the plot spans: x from 0, y around every error bar. */
function plotRanges(rows: readonly CompareRow[]) {
  const finite = (values: number[]) => values.filter(Number.isFinite);
  const std = (row: CompareRow) => (Number.isNaN(row.testAccuracy.std) ? 0 : row.testAccuracy.std);
  const maxX = Math.max(...finite(rows.map((row) => row.secondsPerEpoch)), 1e-3) * 1.1;
  const lows = finite(rows.map((row) => row.testAccuracy.mean - std(row)));
  const highs = finite(rows.map((row) => row.testAccuracy.mean + std(row)));
  const [low, high] = lows.length === 0 ? [0, 1] : [Math.min(...lows), Math.max(...highs)];
  const pad = Math.max((high - low) * 0.1, 0.005);
  return { maxX, minY: Math.max(0, low - pad), maxY: Math.min(1, high + pad) };
}

export function compareChart(rows: readonly CompareRow[], caption: string): string {
  const [left, top, plotWidth, plotHeight] = [70, 60, 460, 320];
  const [width, height] = [left + plotWidth + 120, top + plotHeight + 50];
  const { maxX, minY, maxY } = plotRanges(rows);
  const px = (seconds: number) => left + (seconds / maxX) * plotWidth;
  const py = (accuracy: number) => top + plotHeight - ((accuracy - minY) / (maxY - minY || 1)) * plotHeight;
  const grid = [
    ...ticks(0, maxX).map(
      (tick) =>
        `<line x1="${px(tick).toFixed(1)}" y1="${top}" x2="${px(tick).toFixed(1)}" y2="${top + plotHeight}" stroke="#ddd"/><text x="${px(tick).toFixed(1)}" y="${top + plotHeight + 16}" text-anchor="middle">${Number(tick.toPrecision(6))}</text>`,
    ),
    ...ticks(minY, maxY).map(
      (tick) =>
        `<line x1="${left}" y1="${py(tick).toFixed(1)}" x2="${left + plotWidth}" y2="${py(tick).toFixed(1)}" stroke="#ddd"/><text x="${left - 6}" y="${(py(tick) + 4).toFixed(1)}" text-anchor="end">${Number((100 * tick).toPrecision(6))}%</text>`,
    ),
  ];
  const points = rows
    .filter((row) => Number.isFinite(row.testAccuracy.mean) && Number.isFinite(row.secondsPerEpoch))
    .map((row) => {
      const [x, y] = [px(row.secondsPerEpoch), py(row.testAccuracy.mean)];
      const std = Number.isNaN(row.testAccuracy.std) ? 0 : row.testAccuracy.std;
      const [upper, lower] = [py(row.testAccuracy.mean + std), py(row.testAccuracy.mean - std)];
      return [
        `<path class="error-bar" d="M${(x - 4).toFixed(1)},${upper.toFixed(1)}h8M${x.toFixed(1)},${upper.toFixed(1)}V${lower.toFixed(1)}M${(x - 4).toFixed(1)},${lower.toFixed(1)}h8" stroke="#3b6ea8" fill="none"/>`,
        `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="4" fill="#3b6ea8"/>`,
        `<text x="${(x + 7).toFixed(1)}" y="${(y - 5).toFixed(1)}">${escapeXml(row.kind)}</text>`,
      ].join('');
    });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">Test accuracy (mean ± 1 std over seeds) against seconds per epoch</text>`,
    `<text x="${left}" y="38" fill="#555">${escapeXml(caption)}</text>`,
    ...grid,
    `<rect x="${left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`,
    `<text x="${left + plotWidth / 2}" y="${top + plotHeight + 36}" text-anchor="middle">seconds / epoch</text>`,
    `<text transform="translate(18 ${top + plotHeight / 2}) rotate(-90)" text-anchor="middle">test accuracy</text>`,
    ...points,
    '</svg>',
    '',
  ].join('\n');
}
