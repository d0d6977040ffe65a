/**
 * Compiling the generators' WebAssembly hot loops (pixelCount's bits,
 * digits' stroke coverage, fashion's shading). Their sources are WebAssembly
 * text beside the code that calls them (`*.wat`), assembled by wabt at
 * `npm run build` (scripts/build-wasm.mjs) into `*.wasm.ts` modules that hold
 * the bytes in base64.
 */

/** The bytes of a module held in base64 (as the `*.wasm.ts` modules hold them). */
export const wasmBytes = (base64: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

/** Compiles the module in `base64` once (through `cache`); null where WebAssembly or the features it uses are missing. */
export function compileOnce(cache: { module?: WebAssembly.Module | null }, base64: string): WebAssembly.Module | null {
  if (cache.module === undefined) {
    const bytes = wasmBytes(base64);
    cache.module = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return cache.module;
}
