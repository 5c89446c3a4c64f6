// The seed articles' worked examples of pooling, each printed as a section by `poolkit demo`, with
// the numbers the articles give (and where an article printed the wrong answer, the right one).
import {
  avgPool2d,
  backward,
  getBackend,
  lpPool2d,
  maxPool2d,
  ones,
  poolGeometry,
  requireGrad,
  tensor,
  type Tensor,
} from '../src/index.js';

/** A [1, rows, columns, 1] tensor from a matrix. */
function image(rows: number[][]): Tensor {
  return tensor(rows.flat(), [1, rows.length, rows[0]!.length, 1]);
}

/** The spatial plane of a [1, H, W, 1] tensor as aligned text rows. */
function formatPlane(value: Tensor, indent = '    '): string {
  const [, height, width] = value.shape as [number, number, number, number];
  const cells = Array.from(value.toFloat32Array(), (number) => String(Number(number.toFixed(4))));
  const cellWidth = Math.max(...cells.map((cell) => cell.length));
  const lines: string[] = [];
  for (let row = 0; row < height; row++) {
    lines.push(
      indent +
        cells
          .slice(row * width, (row + 1) * width)
          .map((cell) => cell.padStart(cellWidth))
          .join('  '),
    );
  }
  return lines.join('\n');
}

function section(title: string, ...body: string[]): void {
  console.log(`\n${title}\n${'-'.repeat(title.length)}\n${body.join('\n')}`);
}

function fourByFour(): void {
  const input = image([
    [1, 2, 3, 4],
    [5, 6, 7, 8],
    [9, 10, 11, 12],
    [13, 14, 15, 16],
  ]);
  section(
    '1. A 4x4 feature map, 2x2 windows, stride 2, VALID (tf.nn.max_pool in the article)',
    'input:',
    formatPlane(input),
    'max pooling (the article prints [[6, 8], [14, 16]]):',
    formatPlane(maxPool2d(input, { kernelSize: 2 })),
    'average pooling of the same windows:',
    formatPlane(avgPool2d(input, { kernelSize: 2 })),
  );
}

function oneWindow(): void {
  const input = image([
    [1, 2],
    [3, 4],
  ]);
  section(
    '2. One 2x2 region [[1, 2], [3, 4]]',
    `max pooling:     ${maxPool2d(input, { kernelSize: 2 }).values[0]}   (the article: max(1, 2, 3, 4) = 4)`,
    `average pooling: ${avgPool2d(input, { kernelSize: 2 }).values[0]} (the article: (1 + 2 + 3 + 4) / 4 = 2.5)`,
    `L2 pooling:      ${lpPool2d(input, { kernelSize: 2, p: 2 }).values[0]!.toFixed(4)} (sqrt(1 + 4 + 9 + 16), "L2 pooling")`,
  );
}

function threeByFour(): void {
  const input = image([
    [1, 2, 3, 4],
    [5, 6, 7, 8],
    [9, 10, 11, 12],
  ]);
  section(
    '3. A 3x4 input through MaxPooling2D(pool_size=(2, 2)) (Keras in the article)',
    'VALID padding drops the last row, which no whole window covers:',
    formatPlane(maxPool2d(input, { kernelSize: 2 })),
    'SAME padding keeps it (TensorFlow pads the bottom; padding never wins a max):',
    formatPlane(maxPool2d(input, { kernelSize: 2, padding: 'same' })),
    'The article prints a [2, 2, 2, 2] tensor of 2, 3, 7, 8, 9, 10, 11, 12 here; Keras cannot give',
    'that for a 3x4 input (it also needs a batch and a channel axis): the right answer is above.',
  );
}

function gradientRouting(): void {
  const input = requireGrad(
    image([
      [1, 3, 2, 2],
      [4, 2, 2, 2],
      [0, 1, 5, 6],
      [1, 0, 7, 8],
    ]),
  );
  const output = maxPool2d(input, { kernelSize: 2 });
  backward(output, ones(output.shape));
  section(
    "4. Backward: max pooling sends each window's gradient to its maximum (the first, on a tie)",
    'input:',
    formatPlane(input),
    'gradient of sum(maxPool2d(input)) with respect to the input:',
    formatPlane(input.grad!),
  );
}

function seedModelShapes(): void {
  const geometry = poolGeometry('demo', [128, 26, 26, 32], 2, { kernelSize: 2 });
  section(
    '5. Output size: floor((m - p) / s) + 1, in the seed CNN',
    'Conv2D(32, 3x3) on 28x28 gives 26x26x32; MaxPooling2D(2x2) then gives',
    `    floor((26 - 2) / 2) + 1 = ${geometry.outHeight}, so [batch, 26, 26, 32] -> [${geometry.outputShape.join(', ')}]`,
    `    ${26 * 26 * 32} activations become ${geometry.outHeight * geometry.outWidth * 32} per example: Flatten feeds Dense(128) 5408 numbers.`,
  );
}

/** Prints every example, under a line naming the backend that computed them. */
export function printDemo(): void {
  console.log(`poolkit demo: pooling on the seed articles' examples (backend: ${getBackend()})`);
  fourByFour();
  oneWindow();
  threeByFour();
  gradientRouting();
  seedModelShapes();
}
