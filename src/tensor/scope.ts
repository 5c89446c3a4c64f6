// Explicit, safe release of tensor memory: tidy(fn) disposes what fn made except what it returns;
// keep() exempts a tensor; tensors made outside any scope are freed by the garbage collector's net.
import type { Tensor } from './tensor.js';

interface Scope {
  readonly tracked: Tensor[];
}

const scopes: Scope[] = [];
const kept = new WeakSet<Tensor>();

export function trackInScope(tensor: Tensor): void {
  scopes[scopes.length - 1]?.tracked.push(tensor);
}

/** Runs fn and disposes every tensor it made, except those in its result and those kept. */
export function tidy<T>(fn: () => T): T {
  const scope: Scope = { tracked: [] };
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    scopes.pop();
    for (const tensor of scope.tracked) if (!kept.has(tensor)) tensor.dispose();
    throw error;
  }
  scopes.pop();
  if (result instanceof Promise) {
    throw new TypeError('tidy: fn must be synchronous (it returned a Promise); dispose tensors by hand across awaits');
  }
  const survivors = new Set<Tensor>();
  collectTensors(result, survivors);
  addGradientGraphs(survivors);
  for (const tensor of scope.tracked) {
    if (survivors.has(tensor)) trackInScope(tensor);
    else if (!kept.has(tensor)) tensor.dispose();
  }
  return result;
}

/** Exempts a tensor from every enclosing tidy(); dispose it yourself (or let the collector). */
export function keep<T extends Tensor>(tensor: T): T {
  kept.add(tensor);
  return tensor;
}

/** Disposes tensors found in a tensor, an array or an object's values. */
export function dispose(container: unknown): void {
  const found = new Set<Tensor>();
  collectTensors(container, found);
  for (const tensor of found) tensor.dispose();
}

function collectTensors(value: unknown, into: Set<Tensor>): void {
  if (value === null || typeof value !== 'object') return;
  if (isTensor(value)) {
    into.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collectTensors(item, into);
    return;
  }
  if (value instanceof Map) {
    for (const item of value.values()) collectTensors(item, into);
    return;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) collectTensors(item, into);
  }
}

/**
 * A surviving tensor that can still back-propagate needs its whole graph: the inputs and saved
 * tensors of every node behind it survive too (as in PyTorch, where the graph owns them).
 */
function addGradientGraphs(survivors: Set<Tensor>): void {
  const pending = [...survivors];
  while (pending.length > 0) {
    const node = pending.pop()!.gradNode;
    if (node === null) continue;
    for (const tensor of [...node.inputs, ...node.saved]) {
      if (survivors.has(tensor)) continue;
      survivors.add(tensor);
      pending.push(tensor);
    }
  }
}

function isTensor(value: object): value is Tensor {
  return 'shape' in value && 'dtype' in value && typeof (value as Tensor).dispose === 'function';
}
