// Builds the WebAssembly kernels from assembly/ (filled in by the fast-kernel work).
console.log('build-wasm: no WebAssembly kernels yet');
