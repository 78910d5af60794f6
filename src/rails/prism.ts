/**
 * Ruby's own parser, prism, compiled to WASM (`@ruby/prism`): Ruby source → syntax tree. headroom
 * only reads the tree; it never runs Ruby. The module is compiled once per process, on first use
 * (commands that read no Rails app never pay for it), and can be handed to worker threads
 * (src/rails/parse-worker.ts) so they do not compile it again.
 *
 * Node 20 prints "ExperimentalWarning: WASI is an experimental feature" when the `wasi` module
 * loads; that warning (and only it) is silenced while it loads.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { ParseResult } from '@ruby/prism/src/deserialize.js';

export type PrismParse = (source: string) => ParseResult;

/** A compiled WebAssembly module (opaque here: this project's TypeScript lib has no WebAssembly globals). */
export type WasmModule = object;

interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: object): Promise<{ exports: Record<string, unknown> }>;
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiling: Promise<WasmModule> | undefined;
let loading: Promise<PrismParse> | undefined;

/** prism.wasm, compiled (once per process). */
export function compiledPrism(): Promise<WasmModule> {
  compiling ??= (async () => {
    const wasm = fileURLToPath(new URL('src/prism.wasm', `file://${createRequire(import.meta.url).resolve('@ruby/prism/package.json')}`));
    return Wasm.compile(await readFile(wasm));
  })();
  return compiling;
}

/** A parse function on this thread's own instance of prism. */
export function loadRubyParser(): Promise<PrismParse> {
  loading ??= compiledPrism().then(instantiatePrism);
  return loading;
}

/** An instance of the compiled module and its parse function (what @ruby/prism's loadPrism does, with a module given). */
export async function instantiatePrism(module: WasmModule): Promise<PrismParse> {
  const { WASI } = await quietly(() => import('node:wasi'));
  const { parsePrism } = await import('@ruby/prism/src/parsePrism.js');
  const wasi = new WASI({ version: 'preview1' });
  const instance = await Wasm.instantiate(module, wasi.getImportObject());
  wasi.initialize(instance as Parameters<typeof wasi.initialize>[0]);
  return (source: string) => parsePrism(instance.exports as Parameters<typeof parsePrism>[0], source);
}

/** Run `load` with Node's WASI ExperimentalWarning silenced (and only it). */
async function quietly<T>(load: () => Promise<T>): Promise<T> {
  const original = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === 'string' ? warning : warning.message;
    const type = typeof rest[0] === 'string' ? rest[0] : ((rest[0] as { type?: string } | undefined)?.type ?? (warning instanceof Error ? warning.name : undefined));
    if (type === 'ExperimentalWarning' && /WASI/.test(text)) return;
    return (original as (...a: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return await load();
  } finally {
    process.emitWarning = original;
  }
}

/** Byte offset (prism's locations are offsets into the UTF-8 bytes) → 1-based line. */
export class LineIndex {
  private readonly starts: number[] = [0];
  readonly bytes: Uint8Array;
  constructor(source: string) {
    this.bytes = new TextEncoder().encode(source);
    for (let i = 0; i < this.bytes.length; i++) if (this.bytes[i] === 10) this.starts.push(i + 1);
  }
  line(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
  /** 1-based column of a byte offset, in UTF-16 code units (what SARIF and GitHub count). */
  column(offset: number): number {
    const start = this.starts[this.line(offset) - 1]!;
    return decoder.decode(this.bytes.subarray(start, offset)).length + 1;
  }
  /** The source text of a location. */
  text(loc: { startOffset: number; length: number }): string {
    return decoder.decode(this.bytes.subarray(loc.startOffset, loc.startOffset + loc.length));
  }
}

const decoder = new TextDecoder();
