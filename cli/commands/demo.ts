// `poolkit demo`: the seed articles' worked examples of pooling, computed by poolkit's ops.
// Only the argument parser loads up front: --help and flag errors answer before the kernels load.
import { parseCommand, type CommandSpec } from '../args.js';

const spec: CommandSpec = {
  name: 'demo',
  summary: "Runs max, average and Lp pooling on the seed articles' examples and prints each step.",
  options: {
    backend: {
      type: 'string',
      value: '<name>',
      description: 'Kernel backend: reference or wasm (default: wasm when built)',
    },
  },
  examples: ['poolkit demo', 'poolkit demo --backend reference'],
};

export async function run(args: string[]): Promise<void> {
  const parsed = parseCommand(spec, args);
  if (parsed === null) return;
  const [{ chooseBackend }, { printDemo }] = await Promise.all([
    import('../backend-choice.js'),
    import('../demo-examples.js'),
  ]);
  await chooseBackend('demo', parsed.values.backend as string | undefined);
  printDemo();
}
