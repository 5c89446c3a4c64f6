import { Tensor } from '../src/tensor/tensor.js';
import { wasmBackend, setThreadCount } from '../src/kernels/wasm/index.js';
import { poolGeometry } from '../src/geometry/pool-geometry.js';
await setThreadCount(1);
const k = wasmBackend!.kernels as any;
const g = poolGeometry('t', [128, 26, 26, 32], 2, { kernelSize: 2, stride: 2 });
const x = Tensor.allocate(g.inputShape); for (let i = 0; i < x.values.length; i++) x.values[i] = Math.random() - 0.3;
const gy = Tensor.allocate(g.outputShape); gy.values.fill(0.1);
const gx = Tensor.allocate(g.inputShape);
const alpha = Tensor.allocate([1]); alpha.values[0] = 0.4; const ga = Tensor.allocate([1]);
const which = process.argv[2];
const t = performance.now();
for (let i = 0; i < 30; i++) { gx.values.fill(0); ga.values.fill(0); k.mixedPoolBackward(x.values, alpha.values, gy.values, gx.values, ga.values, g); }
console.log(which, ((performance.now() - t) / 30).toFixed(2));
