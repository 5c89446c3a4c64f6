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
  /** A value as its point's label says it, when there is a single epoch. */
  readonly format: (value: number) => string;
  readonly series: readonly Series[];
}

const PANEL_WIDTH = 440;
const PANEL_HEIGHT = 320;
const MARGIN = { left: 64, right: 16, top: 40, bottom: 52 };
const TRAIN_COLOR = '#1f77b4';
const VALIDATION_COLOR = '#d62728';

/** The loss and the accuracy panel of a run's history. */
function panelsOf(history: readonly EpochRecord[]): Panel[] {
  const series = (values: (record: EpochRecord) => number, validation: (record: EpochRecord) => number) => [
    { label: 'training', color: TRAIN_COLOR, dashed: false, values: history.map(values) },
    { label: 'validation', color: VALIDATION_COLOR, dashed: true, values: history.map(validation) },
  ];
  return [
    {
      title: 'Loss (cross-entropy)',
      legendAt: 'top',
      yLabel: 'loss',
      format: (value) => value.toFixed(4),
      series: series(
        (record) => record.loss,
        (record) => record.validationLoss,
      ),
    },
    {
      title: 'Accuracy',
      legendAt: 'bottom',
      yLabel: 'accuracy (%)',
      format: (value) => `${value.toFixed(2)}%`,
      series: series(
        (record) => 100 * record.accuracy,
        (record) => 100 * record.validationAccuracy,
      ),
    },
  ];
}

const svgOpen = (width: number, height: number): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`;

/** The two-panel SVG (loss left, accuracy right) for a run's history: the report's curves.svg. */
export function curvesSvg(history: readonly EpochRecord[], title = 'Training curves'): string {
  const panels = panelsOf(history);
  const epochs = history.map((record) => record.epoch);
  const width = PANEL_WIDTH * panels.length;
  const height = PANEL_HEIGHT + 30;
  const body = panels.map((panel, index) => panelSvg(panel, epochs, index * PANEL_WIDTH, 30)).join('\n');
  return [
    svgOpen(width, height),
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}

/**
 * The same panels as separate SVGs, for report.html: side by side where the page is wide enough,
 * one above the other on a phone, each scaled down to the width there is (never clipped).
 */
export function curvePanelsSvg(history: readonly EpochRecord[]): string[] {
  const epochs = history.map((record) => record.epoch);
  return panelsOf(history).map((panel) =>
    [svgOpen(PANEL_WIDTH, PANEL_HEIGHT), panelSvg(panel, epochs, 0, 0), '</svg>'].join('\n'),
  );
}

function panelSvg(panel: Panel, epochs: readonly number[], left: number, top: number): string {
  const plot = {
    left: left + MARGIN.left,
    top: top + MARGIN.top,
    width: PANEL_WIDTH - MARGIN.left - MARGIN.right,
    height: PANEL_HEIGHT - MARGIN.top - MARGIN.bottom,
  };
  const values = panel.series.flatMap((series) => series.values).filter(Number.isFinite);
  // One epoch is one point per curve, with no line to read: centre it, keep it off the frame, label it.
  const single = epochs.length === 1;
  const [low, high] = [Math.min(...values, Infinity), Math.max(...values, -Infinity)];
  const pad = single ? (high - low) / 2 || Math.abs(high) * 0.05 : 0;
  const yTicks = niceTicks(low - pad, high + pad);
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
    `<text x="${plot.left + plot.width / 2}" y="${plot.top + plot.height + 40}" text-anchor="middle">${single ? '1 epoch, so one point per curve' : 'epoch'}</text>`,
    `<text transform="translate(${left + 16} ${plot.top + plot.height / 2}) rotate(-90)" text-anchor="middle">${escapeXml(panel.yLabel)}</text>`,
    ...panel.series.map((series) => seriesSvg(series, epochs, x, y, single ? panel.format : null)),
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
  /** Writes each point's value beside it (a single epoch), or null. */
  label: ((value: number) => string) | null,
): string {
  const points = epochs
    .map((epoch, index) => [epoch, series.values[index]!] as const)
    .filter(([, value]) => Number.isFinite(value));
  const path = points.map(([epoch, value]) => `${x(epoch).toFixed(1)},${y(value).toFixed(1)}`).join(' ');
  const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
  const line = `<polyline points="${path}" fill="none" stroke="${series.color}" stroke-width="2"${dash}/>`;
  const dots = points.map(([epoch, value]) => {
    const [cx, cy] = [x(epoch).toFixed(1), y(value).toFixed(1)];
    const dot = `<circle cx="${cx}" cy="${cy}" r="${label ? 5 : 3.5}" fill="${series.color}"/>`;
    if (label === null) return dot;
    const text = `${series.label} ${label(value)}`;
    return `${dot}<text x="${x(epoch) + 10}" y="${y(value) + 4}" fill="${series.color}">${escapeXml(text)}</text>`;
  });
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

/** Whole-number epochs from the first to the last, ten ticks at most; one epoch is one tick. */
function epochTicks(epochs: readonly number[]): number[] {
  const last = epochs.length > 0 ? Math.max(...epochs) : 1;
  const first = epochs.length > 0 ? Math.min(...epochs) : last;
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
