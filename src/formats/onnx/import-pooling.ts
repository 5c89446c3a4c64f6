// ONNX pooling operators → poolkit pooling layers, through the registry: every kind whose ONNX hook
// names operators it imports (MaxPool → max, GlobalLpPool → globalLp, ...) reads their attributes.
import type { KindDefinition } from '../../pooling/kind.js';
import { namesRank, poolingClassName } from '../../pooling/layer.js';
import { poolingKinds, type RegisteredKind } from '../../pooling/registry.js';
import type { DecodedNode } from './decode.js';
import type { OpImporter } from './import-ops.js';
import type { ImportState } from './import-state.js';
import type { KindOnnx } from './kind-hook.js';
import { nodeView } from './node-view.js';

function importPooling(
  state: ImportState,
  node: DecodedNode,
  kind: RegisteredKind,
  rule: NonNullable<KindOnnx['import']>,
): void {
  const { value } = state.chainInput(node);
  state.onlyFirstOutput(node);
  const { rank, config } = rule.config(nodeView(state, node, state.onnxShape(value)));
  const dataFormat = state.dataFormat(node, value, rank);
  const spec = (kind as KindDefinition).layer!;
  const className = poolingClassName(spec, namesRank(spec) ? rank : null);
  state.addLayer(node, value, { className, config: { ...config, dataFormat }, weights: [] }, value.perm);
}

/** Op type → importer, for every operator a pooling kind imports. */
export function poolingImporters(): Record<string, OpImporter> {
  const importers: Record<string, OpImporter> = {};
  for (const kind of poolingKinds) {
    const rule = (kind as KindDefinition).onnx?.import;
    if (rule === undefined || kind.layer === null) continue;
    for (const op of rule.ops) importers[op] = (state, node) => importPooling(state, node, kind, rule);
  }
  return importers;
}
