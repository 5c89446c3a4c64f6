// Any picture of a digit → a 28x28 MNIST-style input: grayscale, white ink on black (inverted when
// the background is light), the ink's bounding box scaled to fit 20x20 and centred by its centre
// of mass, the way MNIST itself was made.

export interface RgbaPicture {
  readonly width: number;
  readonly height: number;
  /** width * height * 4 bytes, row-major RGBA. */
  readonly rgba: Uint8Array;
}

const SIDE = 28;
const BOX = 20;
/** Cells darker than this fraction of the brightest ink are background when finding the box. */
const INK_THRESHOLD = 0.05;
/** Ink fainter than this everywhere is a grey page, a smudge or compression noise, not a digit. */
const FAINTEST_DIGIT = 0.2;
/** Marks whose box is under this fraction of the picture's shorter side (or 3 pixels) are specks. */
const SMALLEST_DIGIT = 0.05;

/** The picture as ink intensity in [0, 1] (transparent parts read as a white page). */
export function inkLevels(picture: RgbaPicture): { ink: Float32Array; inverted: boolean } {
  const { width, height, rgba } = picture;
  const gray = new Float32Array(width * height);
  for (let pixel = 0; pixel < gray.length; pixel++) {
    const [red, green, blue, alpha] = [
      rgba[pixel * 4]!,
      rgba[pixel * 4 + 1]!,
      rgba[pixel * 4 + 2]!,
      rgba[pixel * 4 + 3]!,
    ];
    const luminance = (0.299 * red + 0.587 * green + 0.114 * blue) / 255;
    gray[pixel] = (luminance * alpha + 255 - alpha) / 255;
  }
  const inverted = borderMean(gray, width, height) > 0.5; // a light page with dark ink
  if (inverted) for (let pixel = 0; pixel < gray.length; pixel++) gray[pixel] = 1 - gray[pixel]!;
  return { ink: gray, inverted };
}

/**
 * Why a picture of ink (white on black, [0, 1], row-major) holds no digit: blank, too faint, or
 * only a speck. null when it holds something the size of a digit. A classifier given a blank input
 * still names a class, so callers ask this first.
 */
export function whyNoDigit(ink: Float32Array, width: number, height: number): string | null {
  const brightest = ink.reduce((top, value) => Math.max(top, value), 0);
  const box = inkBox(ink, width, height);
  if (box === null) return 'it is blank';
  if (brightest < FAINTEST_DIGIT) {
    return `it is nearly blank: its strongest mark is ${Math.round(brightest * 100)}% ink, too faint for a digit`;
  }
  if (Math.max(box.width, box.height) < Math.max(3, SMALLEST_DIGIT * Math.min(width, height))) {
    return `it is nearly blank: its only marks fit in ${box.width}x${box.height} pixels, too small for a digit`;
  }
  return null;
}

/**
 * The 28x28 float32 input [0, 1] for a picture of one digit; `inverted` says if it was dark on
 * light; `noDigit` says why the picture holds no digit (whyNoDigit), null when it holds one.
 */
export function digitToMnist(picture: RgbaPicture): {
  pixels: Float32Array;
  inverted: boolean;
  noDigit: string | null;
} {
  const { ink, inverted } = inkLevels(picture);
  const noDigit = whyNoDigit(ink, picture.width, picture.height);
  const box = inkBox(ink, picture.width, picture.height);
  const pixels = new Float32Array(SIDE * SIDE);
  if (box === null) return { pixels, inverted, noDigit };
  const scale = BOX / Math.max(box.width, box.height);
  const fitted = resizeArea(
    ink,
    picture.width,
    box,
    Math.max(1, Math.round(box.width * scale)),
    Math.max(1, Math.round(box.height * scale)),
  );
  const [massRow, massColumn] = centreOfMass(fitted.values, fitted.width, fitted.height);
  const top = clamp(Math.round(SIDE / 2 - massRow), 0, SIDE - fitted.height);
  const left = clamp(Math.round(SIDE / 2 - massColumn), 0, SIDE - fitted.width);
  for (let row = 0; row < fitted.height; row++) {
    pixels.set(fitted.values.subarray(row * fitted.width, (row + 1) * fitted.width), (top + row) * SIDE + left);
  }
  return { pixels, inverted, noDigit };
}

interface Box {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

function inkBox(ink: Float32Array, width: number, height: number): Box | null {
  const brightest = ink.reduce((top, value) => Math.max(top, value), 0);
  if (brightest <= 0.05) return null; // a blank picture
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let pixel = 0; pixel < ink.length; pixel++) {
    if (ink[pixel]! < INK_THRESHOLD * brightest) continue;
    const row = Math.floor(pixel / width);
    const column = pixel % width;
    [left, top, right, bottom] = [
      Math.min(left, column),
      Math.min(top, row),
      Math.max(right, column),
      Math.max(bottom, row),
    ];
  }
  return { left, top, width: right - left + 1, height: bottom - top + 1 };
}

/** Area-average resampling of `box` to outWidth x outHeight: each output cell averages what it covers. */
function resizeArea(
  ink: Float32Array,
  width: number,
  box: Box,
  outWidth: number,
  outHeight: number,
): { values: Float32Array; width: number; height: number } {
  const values = new Float32Array(outWidth * outHeight);
  const stepX = box.width / outWidth;
  const stepY = box.height / outHeight;
  for (let cell = 0; cell < values.length; cell++) {
    const outRow = Math.floor(cell / outWidth);
    const outColumn = cell % outWidth;
    values[cell] = coverageMean(ink, width, box, outColumn * stepX, outRow * stepY, stepX, stepY);
  }
  return { values, width: outWidth, height: outHeight };
}

/** Mean of ink over the rectangle [x, x+w) x [y, y+h) in box coordinates, weighting partial pixels. */
function coverageMean(ink: Float32Array, width: number, box: Box, x: number, y: number, w: number, h: number): number {
  let total = 0;
  for (let row = Math.floor(y); row < Math.ceil(y + h); row++) {
    const rowWeight = Math.min(row + 1, y + h) - Math.max(row, y);
    for (let column = Math.floor(x); column < Math.ceil(x + w); column++) {
      const weight = rowWeight * (Math.min(column + 1, x + w) - Math.max(column, x));
      total += weight * ink[(box.top + row) * width + box.left + column]!;
    }
  }
  return total / (w * h);
}

function centreOfMass(values: Float32Array, width: number, height: number): [number, number] {
  let [mass, rowSum, columnSum] = [0, 0, 0];
  for (let cell = 0; cell < values.length; cell++) {
    mass += values[cell]!;
    rowSum += values[cell]! * (Math.floor(cell / width) + 0.5);
    columnSum += values[cell]! * ((cell % width) + 0.5);
  }
  return mass > 0 ? [rowSum / mass, columnSum / mass] : [height / 2, width / 2];
}

function borderMean(gray: Float32Array, width: number, height: number): number {
  let [sum, count] = [0, 0];
  for (let pixel = 0; pixel < gray.length; pixel++) {
    const row = Math.floor(pixel / width);
    const column = pixel % width;
    if (row === 0 || column === 0 || row === height - 1 || column === width - 1) {
      sum += gray[pixel]!;
      count++;
    }
  }
  return count > 0 ? sum / count : 0;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
