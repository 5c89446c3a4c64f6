// Vite config for the poolkit web demo: the page in web/, the library from ../src through its
// public entry, and the cross-origin isolation headers that let WebAssembly threads share memory.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

// SharedArrayBuffer (and so threads) needs a cross-origin isolated page: COOP + COEP on every response.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: webRoot,
  base: './',
  // The library reads optional tuning knobs from process.env; a browser has none. Vite's build
  // already replaces process.env with {}; this makes the dev server do the same.
  define: { 'process.env': '{}' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The WebAssembly backend registers itself with top-level await.
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
  },
  worker: { format: 'es' },
  server: {
    host: '127.0.0.1',
    port: 5173,
    headers: isolationHeaders,
    fs: { allow: [repositoryRoot] },
  },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    headers: isolationHeaders,
  },
});
