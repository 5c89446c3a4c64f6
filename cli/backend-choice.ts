// Which kernel backend a command runs on: the one asked for with --backend, else the fastest one
// this build has (wasm when its kernels were built, the reference kernels otherwise).
import { getBackend, listBackends, setBackend } from '../src/index.js';
import { UsageError } from './args.js';

const PREFERENCE = ['wasm', 'reference'];

/** Activates the requested backend (or the preferred one) and returns its name. */
export async function chooseBackend(command: string, requested: string | undefined): Promise<string> {
  const available = listBackends();
  if (requested !== undefined) {
    if (!available.includes(requested)) {
      const hint = requested === 'wasm' ? ' (the WebAssembly kernels are not built: run `npm run build`)' : '';
      throw new UsageError(command, `--backend must be one of ${available.join(', ')}, got '${requested}'${hint}`);
    }
    setBackend(requested);
    return getBackend();
  }
  const preferred = PREFERENCE.find((name) => available.includes(name));
  if (preferred !== undefined) setBackend(preferred);
  return getBackend();
}
