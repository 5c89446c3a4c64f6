// The documentation derived from the pooling registry: README.md's table of kinds (between its
// markers) and docs/kinds.md, one section per kind with its ops, layer classes and options.
//   npx tsx scripts/kind-docs.ts          rewrites both (atomically)
//   npx tsx scripts/kind-docs.ts --check  exits 1 when either is not what the registry gives
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as prettier from 'prettier';
import { poolingClassName, poolingKinds, type OptionSpec, type RegisteredKind } from '../src/index.js';

export const TABLE_START = '<!-- kinds table: made by scripts/kind-docs.ts from the registry -->';
export const TABLE_END = '<!-- end of kinds table -->';

function ops(kind: RegisteredKind): string {
  return [...new Set(kind.ranks.map((rank) => kind.opName(rank)))].map((name) => `\`${name}\``).join(', ');
}

function layerClasses(kind: RegisteredKind): string {
  const spec = kind.layer;
  if (spec === null) return '—';
  const names = spec.className.includes('{rank}')
    ? kind.ranks.map((rank) => poolingClassName(spec, rank))
    : [poolingClassName(spec, null)];
  return names.map((name) => `\`${name}\``).join(', ') + (spec.keras ? '' : ' ¹');
}

/** README's table: one row a kind, linking to its section of docs/kinds.md. */
export function kindsTable(): string {
  const rows = poolingKinds.map(
    (kind) =>
      `| [${kind.docs.label}](docs/kinds.md#${kind.name.toLowerCase()}) | \`${kind.name}\` | ${ops(kind)} | ${layerClasses(kind)} | ${kind.docs.source} |`,
  );
  return [
    TABLE_START,
    '| kind | name | ops | layers | follows |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    '¹ poolkit’s own layer class (Keras has none): poolkit saves and loads it; TensorFlow.js reports it as unknown.',
    TABLE_END,
  ].join('\n');
}

function optionRow(spec: OptionSpec): string {
  const config =
    spec.configName === null
      ? 'op only'
      : spec.layerOnly
        ? `layer: \`${spec.name}\``
        : `\`${spec.configName ?? spec.name}\``;
  const fallback =
    spec.default !== undefined ? `\`${JSON.stringify(spec.default)}\`` : spec.required ? 'required' : '—';
  return `| \`${spec.layerOnly ? '—' : spec.name}\` | ${config} | ${fallback} | ${spec.doc.replace(/\|/g, '\\|')} |`;
}

function kindSection(kind: RegisteredKind): string {
  const aliases = kind.aliases.length > 0 ? ` Also named ${kind.aliases.map((name) => `\`${name}\``).join(', ')}.` : '';
  return [
    `## ${kind.name}`,
    '',
    `**${kind.docs.label}.** ${kind.docs.summary}${aliases}`,
    '',
    `- Forward: ${kind.docs.formula}`,
    `- Gradient: ${kind.docs.gradient}`,
    `- Follows: ${kind.docs.source}`,
    `- Window: ${kind.window}; ranks ${kind.ranks.join(', ')}; ${kind.random ? 'random in training (seeded)' : 'deterministic'}`,
    `- Ops: ${ops(kind)}; layers: ${layerClasses(kind)}`,
    '',
    '| option | layer config | default | meaning |',
    '|---|---|---|---|',
    ...kind.options.map(optionRow),
  ].join('\n');
}

/** docs/kinds.md: every kind's reference. */
export function kindsReference(): string {
  return [
    '# Pooling kinds',
    '',
    'Every kind of the registry (`poolingKinds`), made by `scripts/kind-docs.ts` from the kind files in',
    '`src/pooling/kinds/`: what each computes, its gradient, the ops and layers it gives, and its options',
    '(the op’s name, the layer config’s name, the default). ¹ marks layer classes Keras has none of.',
    '',
    ...poolingKinds.flatMap((kind) => [kindSection(kind), '']),
  ].join('\n');
}

/** README.md with its table replaced by the registry's. */
export function readmeWithTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error('README.md lacks the kinds table markers');
  return readme.slice(0, start) + kindsTable() + readme.slice(end + TABLE_END.length);
}

/** The text as prettier (the project's formatter, which npm test checks) writes it. */
export async function formatted(path: string, text: string): Promise<string> {
  return prettier.format(text, { ...(await prettier.resolveConfig(path)), filepath: path });
}

function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

if (process.argv[1]?.endsWith('kind-docs.ts')) {
  const readme = readFileSync('README.md', 'utf8');
  const outputs: [string, string, string][] = [
    ['README.md', readme, await formatted('README.md', readmeWithTable(readme))],
    [
      'docs/kinds.md',
      readFileSync('docs/kinds.md', { encoding: 'utf8', flag: 'a+' }),
      await formatted('docs/kinds.md', kindsReference()),
    ],
  ];
  const stale = outputs.filter(([, current, wanted]) => current !== wanted).map(([path]) => path);
  if (process.argv.includes('--check')) {
    if (stale.length > 0) {
      console.error(`kind-docs: ${stale.join(' and ')} differ from the registry; run npx tsx scripts/kind-docs.ts`);
      process.exit(1);
    }
  } else for (const [path, , wanted] of outputs) writeAtomic(path, wanted);
}
