import { main } from './main.js';

// The reader went away (`headroom plan | head -1`): stop quietly, as other command-line tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

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
