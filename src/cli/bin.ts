import { main } from './main.js';

// The reader went away (`headroom plan | head -1`): stop quietly, as other command-line tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

// Ctrl-C: clear the progress line, say so in one line, exit 130 as shells expect. (--out files are
// written under a temporary name and renamed at the end: an interrupted one never replaces a good one.)
let said = false;
const onInterrupt = () => {
  if (!said) {
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
    process.stderr.write(`headroom: interrupted (${process.argv[2] ?? 'command'})\n`);
    said = true;
  }
  // A command that cleans up on Ctrl-C (lint drops its workspace database) has its own handler,
  // which exits when it is done: leave the exit to it.
  if (process.listeners('SIGINT').every((l) => l === onInterrupt)) process.exit(130);
};
process.on('SIGINT', onInterrupt);

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
