/**
 * Ruby's own parser, prism, compiled to WASM (`@ruby/prism`): Ruby source → syntax tree. headroom
 * only reads the tree; it never runs Ruby. Loaded once per process, on first use (the commands
 * that read no Rails app never pay for it).
 *
 * Node 20 prints "ExperimentalWarning: WASI is an experimental feature" when the `wasi` module
 * loads; that warning (and only it) is silenced while prism loads.
 */
import type { ParseResult } from '@ruby/prism/src/deserialize.js';

export type PrismParse = (source: string) => ParseResult;

let loading: Promise<PrismParse> | undefined;

export function loadRubyParser(): Promise<PrismParse> {
  loading ??= load();
  return loading;
}

async function load(): Promise<PrismParse> {
  const original = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === 'string' ? warning : warning.message;
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type ?? (warning instanceof Error ? warning.name : undefined);
    if (type === 'ExperimentalWarning' && /WASI/.test(text)) return;
    return (original as (...a: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    const prism = await import('@ruby/prism');
    const parse = await prism.loadPrism();
    return (source: string) => parse(source);
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
