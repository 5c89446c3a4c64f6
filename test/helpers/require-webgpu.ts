// Preloaded by scripts/run-tests.mjs in its webgpu pass (node --import): a test process in which
// POOLKIT_BACKEND=webgpu did not start the backend fails at once, rather than running the op suites
// on the default backend unnoticed.
import { getBackend } from '../../src/index.js';

if (getBackend() !== 'webgpu') {
  throw new Error(`the webgpu pass runs on '${getBackend()}': POOLKIT_BACKEND=webgpu did not start (see the warning)`);
}
