// Training curves as a self-contained SVG: loss and accuracy per epoch, training and validation,
// each panel with axes, ticks, labels and a legend. Hand-written SVG, no chart library.

/** One epoch of training history, as the train command records it. */
export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly validationLoss: number;
  readonly validationAccuracy: number;
  readonly seconds: number;
}

interface Series {
  readonly label: string;
  readonly color: string;
  readonly dashed: boolean;
  readonly values: readonly number[];
}

interface Panel {
  readonly title: string;
  /** Where the legend stays clear of the curves: loss falls (legend top), accuracy rises (bottom). */
  readonly legendAt: 'top' | 'bottom';
  readonly yLabel: string;
  readonly series: readonly Series[];
}

const PANEL_WIDTH = 440;
const PANEL_HEIGHT = 320;
const MARGIN = { left: 64, right: 16, top: 40, bottom: 52 };
const TRAIN_COLOR = '#1f77b4';
const VALIDATION_COLOR = '#d62728';

/** The two-panel SVG (loss left, accuracy right) for a run's history. */
export function curvesSvg(history: readonly EpochRecord[], title = 'Training curves'): string {
  const panels: Panel[] = [
    {
      title: 'Loss (cross-entropy)',
      legendAt: 'top',
      yLabel: 'loss',
      series: [
        { label: 'training', color: TRAIN_COLOR, dashed: false, values: history.map((record) => record.loss) },
        { label: 'validation', color: VALIDATION_COLOR, dashed: true, values: history.map((r) => r.validationLoss) },
      ],
    },
    {
      title: 'Accuracy',
      legendAt: 'bottom',
      yLabel: 'accuracy (%)',
      series: [
        { label: 'training', color: TRAIN_COLOR, dashed: false, values: history.map((r) => 100 * r.accuracy) },
        {
          label: 'validation',
          color: VALIDATION_COLOR,
          dashed: true,
          values: history.map((r) => 100 * r.validationAccuracy),
        },
      ],
    },
  ];
  const epochs = history.map((record) => record.epoch);
  const width = PANEL_WIDTH * panels.length;
  const height = PANEL_HEIGHT + 30;
  const body = panels.map((panel, index) => panelSvg(panel, epochs, index * PANEL_WIDTH, 30)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}

function panelSvg(panel: Panel, epochs: readonly number[], left: number, top: number): string {
  const plot = {
    left: left + MARGIN.left,
    top: top + MARGIN.top,
    width: PANEL_WIDTH - MARGIN.left - MARGIN.right,
    height: PANEL_HEIGHT - MARGIN.top - MARGIN.bottom,
  };
  const values = panel.series.flatMap((series) => series.values).filter(Number.isFinite);
  const yTicks = niceTicks(Math.min(...values, Infinity), Math.max(...values, -Infinity));
  const xTicks = epochTicks(epochs);
  const xRange = [xTicks[0]!, xTicks[xTicks.length - 1]!] as const;
  const yRange = [yTicks[0]!, yTicks[yTicks.length - 1]!] as const;
  const x = (epoch: number): number => plot.left + scale(epoch, xRange) * plot.width;
  const y = (value: number): number => plot.top + (1 - scale(value, yRange)) * plot.height;
  const parts = [
    `<text x="${left + PANEL_WIDTH / 2}" y="${top + 22}" text-anchor="middle" font-size="14">${escapeXml(panel.title)}</text>`,
    ...yTicks.map(
      (tick) =>
        `<line x1="${plot.left}" x2="${plot.left + plot.width}" y1="${y(tick)}" y2="${y(tick)}" stroke="#e0e0e0"/>` +
        `<text x="${plot.left - 6}" y="${y(tick) + 4}" text-anchor="end">${formatTick(tick, yTicks)}</text>`,
    ),
    ...xTicks.map(
      (tick) =>
        `<line x1="${x(tick)}" x2="${x(tick)}" y1="${plot.top + plot.height}" y2="${plot.top + plot.height + 5}" stroke="#000"/>` +
        `<text x="${x(tick)}" y="${plot.top + plot.height + 18}" text-anchor="middle">${tick}</text>`,
    ),
    `<rect x="${plot.left}" y="${plot.top}" width="${plot.width}" height="${plot.height}" fill="none" stroke="#000"/>`,
    `<text x="${plot.left + plot.width / 2}" y="${plot.top + plot.height + 40}" text-anchor="middle">epoch</text>`,
    `<text transform="translate(${left + 16} ${plot.top + plot.height / 2}) rotate(-90)" text-anchor="middle">${escapeXml(panel.yLabel)}</text>`,
    ...panel.series.map((series) => seriesSvg(series, epochs, x, y)),
    legendSvg(
      panel.series,
      plot.left + plot.width - 110,
      panel.legendAt === 'top' ? plot.top + 8 : plot.top + plot.height - 16 - panel.series.length * 18,
    ),
  ];
  return `<g>\n${parts.join('\n')}\n</g>`;
}

function seriesSvg(
  series: Series,
  epochs: readonly number[],
  x: (v: number) => number,
  y: (v: number) => number,
): string {
  const points = epochs
    .map((epoch, index) => [epoch, series.values[index]!] as const)
    .filter(([, value]) => Number.isFinite(value));
  const path = points.map(([epoch, value]) => `${x(epoch).toFixed(1)},${y(value).toFixed(1)}`).join(' ');
  const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
  const line = `<polyline points="${path}" fill="none" stroke="${series.color}" stroke-width="2"${dash}/>`;
  const dots = points.map(
    ([epoch, value]) =>
      `<circle cx="${x(epoch).toFixed(1)}" cy="${y(value).toFixed(1)}" r="3.5" fill="${series.color}"/>`,
  );
  return [line, ...dots].join('\n');
}

function legendSvg(series: readonly Series[], left: number, top: number): string {
  const rows = series.map((item, index) => {
    const rowY = top + 14 + index * 18;
    const dash = item.dashed ? ' stroke-dasharray="6 4"' : '';
    return (
      `<line x1="${left + 8}" x2="${left + 36}" y1="${rowY - 4}" y2="${rowY - 4}" stroke="${item.color}" stroke-width="2"${dash}/>` +
      `<text x="${left + 42}" y="${rowY}">${escapeXml(item.label)}</text>`
    );
  });
  const box = `<rect x="${left}" y="${top}" width="102" height="${series.length * 18 + 8}" fill="#fff" fill-opacity="0.85" stroke="#999"/>`;
  return [box, ...rows].join('\n');
}

/** Round tick values (1, 2 or 5 times a power of ten) covering [low, high], about five of them. */
export function niceTicks(low: number, high: number, target = 5): number[] {
  if (!Number.isFinite(low) || !Number.isFinite(high)) return [0, 1];
  if (high - low < 1e-9) {
    const pad = Math.abs(high) * 0.05 || 0.5;
    return niceTicks(low - pad, high + pad, target);
  }
  const rough = (high - low) / target;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough)!;
  const ticks: number[] = [];
  for (let tick = Math.floor(low / step) * step; tick <= high + step * 0.999; tick += step) {
    ticks.push(Number(tick.toPrecision(12)));
  }
  return ticks;
}

/** Whole-number epochs from the first to the last (one before it when there is just one), ten ticks at most. */
function epochTicks(epochs: readonly number[]): number[] {
  const last = epochs.length > 0 ? Math.max(...epochs) : 1;
  const first = epochs.length > 1 ? Math.min(...epochs) : last - 1;
  const step = Math.max(1, Math.ceil((last - first) / 10));
  const ticks: number[] = [];
  for (let tick = first; tick < last; tick += step) ticks.push(tick);
  ticks.push(last);
  return ticks;
}

function scale(value: number, [low, high]: readonly [number, number]): number {
  return high === low ? 0.5 : (value - low) / (high - low);
}

function formatTick(value: number, ticks: readonly number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) : 1;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toFixed(decimals);
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
