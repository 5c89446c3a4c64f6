// The per-epoch progress display: one line redrawn in place with \r on a terminal; on a pipe or in
// CI, a plain line every tenth of the epoch, so logs stay readable.

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface RunningMetrics {
  readonly loss: number;
  readonly accuracy: number;
}

const REDRAW_MS = 100;
const PLAIN_STEPS = 10;

export class EpochProgress {
  private readonly started = performance.now();
  private lastDraw = 0;
  private plainStep = 0;
  private readonly interactive: boolean;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: ProgressStream = process.stdout,
  ) {
    this.interactive = stream.isTTY === true;
  }

  /** `done` samples of `total` are trained; redraws if it is time to. */
  update(done: number, metrics: RunningMetrics): void {
    const now = performance.now();
    if (this.interactive) {
      if (now - this.lastDraw < REDRAW_MS && done < this.total) return;
      this.lastDraw = now;
      this.stream.write(`\r${fitWidth(this.line(done, metrics, now), this.stream.columns)}\x1b[K`);
      return;
    }
    const step = Math.floor((done / this.total) * PLAIN_STEPS);
    if (step > this.plainStep && done < this.total) {
      this.plainStep = step;
      this.stream.write(`${this.line(done, metrics, now)}\n`);
    }
  }

  /** Ends the epoch's line with the summary (training and validation numbers). */
  finish(summary: string): void {
    const seconds = (performance.now() - this.started) / 1000;
    const rate = this.total / Math.max(seconds, 1e-9);
    const text = `${this.label} ${this.total}/${this.total} ${seconds.toFixed(1)}s ${Math.round(rate)} samples/s - ${summary}`;
    this.stream.write(this.interactive ? `\r${text}\x1b[K\n` : `${text}\n`);
  }

  private line(done: number, metrics: RunningMetrics, now: number): string {
    const seconds = (now - this.started) / 1000;
    const rate = done / Math.max(seconds, 1e-9);
    const eta = done > 0 ? (this.total - done) / rate : NaN;
    const fraction = this.total > 0 ? done / this.total : 1;
    const parts = [
      this.label,
      bar(fraction, 24),
      `${(100 * fraction).toFixed(0).padStart(3)}%`,
      `${done}/${this.total}`,
      `loss ${metrics.loss.toFixed(4)}`,
      `acc ${(100 * metrics.accuracy).toFixed(2)}%`,
      `${Math.round(rate)} samples/s`,
      `ETA ${formatDuration(eta)}`,
    ];
    return parts.join(' ');
  }
}

/** A bar of `width` cells; the plain ASCII form keeps CI logs clean. */
export function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** 75 → '1m15s', 9.4 → '9s'; '?' before the first batch. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

function fitWidth(text: string, columns: number | undefined): string {
  return columns !== undefined && columns > 10 && text.length >= columns ? text.slice(0, columns - 1) : text;
}
