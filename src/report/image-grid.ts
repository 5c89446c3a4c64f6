// Pictures of activations: one NHWC sample's channels laid out as a grid of small images, each
// scaled up by whole pixels and coloured with viridis, as RGBA bytes ready for a PNG encoder.

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** width * height * 4 bytes, row-major, opaque. */
  readonly rgba: Uint8Array;
}

export interface FeatureMaps {
  /** [height, width, channels] of one sample, row-major (channels last). */
  readonly values: Float32Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export interface GridOptions {
  /** Screen pixels per activation cell. */
  readonly cellScale: number;
  readonly columns: number;
  /** Per-channel value mapped to the brightest colour; the channel's own maximum when absent. */
  readonly channelMaxima?: Float32Array;
  /** Pixels between tiles. */
  readonly gap?: number;
}

// Viridis at five stops: perceptually even, readable by colour-blind people, dark for zero.
const VIRIDIS = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
] as const;

/** The largest value of each channel (at least a tiny positive number, so dividing is safe). */
export function channelMaxima(maps: FeatureMaps): Float32Array {
  const maxima = new Float32Array(maps.channels).fill(1e-12);
  for (let index = 0; index < maps.values.length; index++) {
    const channel = index % maps.channels;
    if (maps.values[index]! > maxima[channel]!) maxima[channel] = maps.values[index]!;
  }
  return maxima;
}

/** Tiles every channel of `maps` into one image. */
export function featureGrid(maps: FeatureMaps, options: GridOptions): RgbaImage {
  const { cellScale, columns } = options;
  const gap = options.gap ?? 2;
  const maxima = options.channelMaxima ?? channelMaxima(maps);
  const rows = Math.ceil(maps.channels / columns);
  const tileWidth = maps.width * cellScale;
  const tileHeight = maps.height * cellScale;
  const width = columns * tileWidth + (columns - 1) * gap;
  const height = rows * tileHeight + (rows - 1) * gap;
  const rgba = new Uint8Array(width * height * 4).fill(255); // white gaps
  // One colour per activation cell, painted as a cellScale x cellScale block.
  for (let index = 0; index < maps.values.length; index++) {
    const channel = index % maps.channels;
    const cell = (index - channel) / maps.channels;
    const left = (channel % columns) * (tileWidth + gap) + (cell % maps.width) * cellScale;
    const top = Math.floor(channel / columns) * (tileHeight + gap) + Math.floor(cell / maps.width) * cellScale;
    paintBlock(rgba, width, left, top, cellScale, viridisByte(maps.values[index]! / maxima[channel]!));
  }
  return { width, height, rgba };
}

/** Fills a size x size block at (left, top) with the opaque colour `color` (0xRRGGBB). */
function paintBlock(rgba: Uint8Array, width: number, left: number, top: number, size: number, color: number): void {
  for (let row = top; row < top + size; row++) {
    for (let offset = (row * width + left) * 4, end = offset + size * 4; offset < end; offset += 4) {
      rgba[offset] = color >> 16;
      rgba[offset + 1] = (color >> 8) & 0xff;
      rgba[offset + 2] = color & 0xff;
      rgba[offset + 3] = 255;
    }
  }
}

/** A grayscale image [height, width] in [0, 1] scaled up, white on black as MNIST stores it. */
export function grayscaleImage(values: Float32Array, height: number, width: number, cellScale: number): RgbaImage {
  const outWidth = width * cellScale;
  const rgba = new Uint8Array(outWidth * height * cellScale * 4);
  for (let cell = 0; cell < height * width; cell++) {
    const level = Math.round(255 * Math.min(1, Math.max(0, values[cell]!)));
    const left = (cell % width) * cellScale;
    const top = Math.floor(cell / width) * cellScale;
    paintBlock(rgba, outWidth, left, top, cellScale, level * 0x010101);
  }
  return { width: outWidth, height: height * cellScale, rgba };
}

const VIRIDIS_TABLE = Int32Array.from({ length: 256 }, (_, step) => {
  const [red, green, blue] = viridis(step / 255);
  return (red << 16) | (green << 8) | blue;
});

/** Viridis of t as 0xRRGGBB from a 256-step table: the per-cell colour lookup. */
function viridisByte(t: number): number {
  const clamped = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  return VIRIDIS_TABLE[Math.round(clamped * 255)]!;
}

/** Viridis colour for t in [0, 1] (clamped), as RGBA. */
export function viridis(t: number): [number, number, number, number] {
  const clamped = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const position = clamped * (VIRIDIS.length - 1);
  const lower = Math.min(VIRIDIS.length - 2, Math.floor(position));
  const fraction = position - lower;
  const from = VIRIDIS[lower]!;
  const to = VIRIDIS[lower + 1]!;
  const mix = (channel: 0 | 1 | 2): number => Math.round(from[channel] + (to[channel] - from[channel]) * fraction);
  return [mix(0), mix(1), mix(2), 255];
}
