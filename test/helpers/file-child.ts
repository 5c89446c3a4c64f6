// A child process for the file tests, whose parent can limit it (ulimit -f), kill it mid-save, or
// give up on it after a timeout where the old code hung:
//   save <target> <bytes>     writes <bytes> bytes of 7s to <target> atomically
//   save-and-hang <target>    writes one chunk, prints 'written', then waits to be killed
//   load <model|checkpoint> <path>...   loads each, printing one JSON line per path
import { writeFileAtomic } from '../../src/io/atomic-write.js';
import { loadCheckpoint, loadModel } from '../../src/io/node.js';
import { memoryStats } from '../../src/index.js';

const [mode, ...rest] = process.argv.slice(2);

if (mode === 'save') {
  await writeFileAtomic(rest[0]!, new Uint8Array(Number(rest[1])).fill(7));
} else if (mode === 'save-and-hang') {
  function* chunks(): Generator<Uint8Array> {
    yield new Uint8Array(65536).fill(1);
    process.stdout.write('written\n'); // stdout to a pipe is synchronous on POSIX: the parent sees it now
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // sleeps until killed
  }
  await writeFileAtomic(rest[0]!, chunks());
} else if (mode === 'load') {
  const [kind, ...paths] = rest;
  for (const path of paths) {
    const heapBefore = memoryStats().heapBytes;
    let result: Record<string, unknown>;
    try {
      const loaded = kind === 'model' ? await loadModel(path) : await loadCheckpoint(path);
      result = { layers: loaded.model.layers.length };
      loaded.model.dispose();
    } catch (error) {
      result = { error: (error as Error).message };
    }
    const heapGrowth = memoryStats().heapBytes - heapBefore;
    process.stdout.write(`${JSON.stringify({ path, ...result, heapGrowth })}\n`);
  }
} else {
  throw new Error(`file-child: unknown mode ${mode}`);
}
