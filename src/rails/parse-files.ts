/**
 * Ruby files → their declarations (src/rails/read.ts), on whichever thread holds the parser: the
 * main thread, or a worker (src/rails/parse-worker.ts). A syntax error makes the file one warning.
 */
import { LineIndex, type PrismParse } from './prism.js';
import { readDeclarations, type FileDeclarations } from './read.js';

export interface RubyFile {
  /** Relative to the app root, with `/`. */
  path: string;
  text: string;
}

export function declarationsOf(files: readonly RubyFile[], parse: PrismParse): FileDeclarations[] {
  return files.map((f) => {
    const src = new LineIndex(f.text);
    const r = parse(f.text);
    if (r.errors.length) {
      const e = r.errors[0]!;
      return { constants: [], warnings: [{ file: f.path, line: src.line(e.location.startOffset), message: `Ruby syntax error: ${e.message}; nothing in this file is read` }] };
    }
    return readDeclarations(r.value, src, f.path);
  });
}
