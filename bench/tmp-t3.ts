import { Random } from '../src/tensor/random.js';
import { drawUniforms } from '../src/pooling/arguments.js';
const r = new Random(1);
for (let i = 0; i < 3; i++) drawUniforms(r, 692224);
const t = performance.now();
for (let i = 0; i < 10; i++) drawUniforms(r, 692224);
console.log('draws ms', ((performance.now() - t) / 10).toFixed(2));
