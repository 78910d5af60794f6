/**
 * A worker thread that parses a share of a Rails app's model files (src/rails/app.ts starts it
 * when the app is big and the process runs from dist/). It instantiates the prism module the main
 * thread compiled, and posts back plain declarations (structured clone: no functions, no trees).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { declarationsOf, type RubyFile } from './parse-files.js';
import { instantiatePrism, type WasmModule } from './prism.js';

const { module, files } = workerData as { module: WasmModule; files: RubyFile[] };
const parse = await instantiatePrism(module);
parentPort!.postMessage(declarationsOf(files, parse));
