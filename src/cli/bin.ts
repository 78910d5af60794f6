import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // Not a user error: a bug. Show the stack so it can be reported.
    process.stderr.write(`headroom: internal error (please report): ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 2;
  },
);
