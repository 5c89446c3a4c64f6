// The runnable examples learn: the text classifier (embedding → conv1d → masked global max pooling
// → dense, on the committed text set) and the functional signal classifier, each on a reduced
// setting, far above chance (25% for four classes).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSignalClassifier } from '../../examples/signal-classifier.js';
import { runTextClassifier } from '../../examples/text-classifier.js';

test('the text classifier learns the four topics of the text set', async () => {
  const { testAccuracy } = await runTextClassifier({ limit: 320, epochs: 12, verbose: false });
  assert.ok(testAccuracy > 0.6, `test accuracy ${testAccuracy}`);
});

test('the signal classifier tells the four waves apart', async () => {
  const { testAccuracy } = await runSignalClassifier({ trainCount: 240, epochs: 5, verbose: false });
  assert.ok(testAccuracy > 0.6, `test accuracy ${testAccuracy}`);
});
