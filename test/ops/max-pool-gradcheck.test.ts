import { test } from 'node:test';
import { maxPool2d, tensor } from '../../src/index.js';
import { gradcheck, spacedValues } from '../helpers/gradcheck.js';

test('maxPool2d backward matches finite differences (overlapping windows, padding)', () => {
  const input = tensor(spacedValues(2 * 5 * 5 * 3, 1), [2, 5, 5, 3]);
  gradcheck((x) => maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }), [input]);
});
