// Which kernel backend a command runs on: the one asked for with --backend (webgpu is started
// then), else the one POOLKIT_BACKEND started at import (webgpu), else the fastest one this build
// has (wasm when its kernels were built, the reference kernels otherwise).
import { getBackend, initWebGpu, listBackends, setBackend } from '../src/index.js';
import { UsageError } from './args.js';

const PREFERENCE = ['wasm', 'reference'];

/** Activates the requested backend (or the preferred one) and returns its name. */
export async function chooseBackend(command: string, requested: string | undefined): Promise<string> {
  if (requested === 'webgpu') {
    // Rejects with the reason (no adapter, no `webgpu` package): the user asked for it by name.
    await initWebGpu();
    return getBackend();
  }
  const available = listBackends();
  if (requested !== undefined) {
    if (!available.includes(requested)) {
      const hint = requested === 'wasm' ? ' (the WebAssembly kernels are not built: run `npm run build`)' : '';
      throw new UsageError(
        command,
        `--backend must be one of ${[...available, 'webgpu'].join(', ')}, got '${requested}'${hint}`,
      );
    }
    setBackend(requested);
    return getBackend();
  }
  const fromEnvironment = typeof process === 'undefined' ? undefined : process.env.POOLKIT_BACKEND;
  if (fromEnvironment !== undefined && available.includes(fromEnvironment)) {
    setBackend(fromEnvironment);
    return getBackend();
  }
  const preferred = PREFERENCE.find((name) => available.includes(name));
  if (preferred !== undefined) setBackend(preferred);
  return getBackend();
}
