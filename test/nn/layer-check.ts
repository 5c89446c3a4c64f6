// Checks every layer test runs: output shape equals computeOutputShape, finite-difference gradients
// of the input and of every trainable weight, and a config round trip through the layer table.
import assert from 'node:assert/strict';
import { backward, layerFromConfig, noGrad, Random, tensor, tidy, type Layer, type Tensor } from '../../src/index.js';
import { gradcheck } from '../helpers/gradcheck.js';

export interface LayerCheckOptions {
  training?: boolean;
  epsilon?: number;
  /** Skip the input gradient (layers whose input gradient another test covers). */
  skipInput?: boolean;
}

export function checkLayer(layer: Layer, input: Tensor, options: LayerCheckOptions = {}): void {
  const { training = false, epsilon = 1e-2 } = options;
  const inputShape = [null, ...input.shape.slice(1)];
  layer.build(inputShape, new Random(11));
  const call = (x: Tensor): Tensor => layer.call(x, { training, random: new Random(5) });
  const shape = tidy(() => noGrad(() => [...call(input).shape]));
  assert.deepEqual([null, ...shape.slice(1)], layer.computeOutputShape(inputShape), `${layer.className} output shape`);
  if (!options.skipInput) gradcheck(call, [input], { epsilon });
  // gradcheck's backward also filled the weights' .grad inside its tidy(), which freed them.
  for (const parameter of layer.parameters) parameter.tensor.grad = null;
  for (const parameter of layer.parameters.filter((candidate) => candidate.trainable)) {
    checkParameter(layer, parameter.name, parameter.tensor, () => call(input), epsilon);
  }
  const rebuilt = layerFromConfig(JSON.parse(JSON.stringify(layer.toJSON())));
  assert.equal(rebuilt.className, layer.className);
  assert.deepEqual(rebuilt.getConfig(), layer.getConfig());
}

/** Tape gradient of Σ w·f with respect to one weight, against central differences in place. */
function checkParameter(layer: Layer, name: string, weight: Tensor, forward: () => Tensor, epsilon: number): void {
  const random = new Random(3);
  const weights = tidy(() => noGrad(() => forward().toFloat32Array())).map(() => random.uniform() * 2 - 1);
  const analytic = tidy(() => {
    const output = forward();
    backward(output, tensor(weights, output.shape));
    const grad = weight.grad!.toFloat32Array();
    for (const parameter of layer.parameters) parameter.tensor.grad = null; // freed by this tidy()
    return grad;
  });
  const weighted = (): number =>
    tidy(() => noGrad(() => forward().values.reduce((total, value, index) => total + value * weights[index]!, 0)));
  const values = weight.values;
  for (let index = 0; index < values.length; index++) {
    const original = values[index]!;
    values[index] = original + epsilon;
    const plus = weighted();
    values[index] = original - epsilon;
    const minus = weighted();
    values[index] = original;
    const numeric = (plus - minus) / (2 * epsilon);
    assert.ok(
      Math.abs(analytic[index]! - numeric) <= 2e-3 + 2e-2 * Math.abs(numeric),
      `${layer.className} ${name}[${index}]: tape ${analytic[index]} vs finite difference ${numeric}`,
    );
  }
}
