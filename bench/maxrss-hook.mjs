// Fallback for machines without /usr/bin/time (Debian package "time"): loaded with
// `node --import bench/maxrss-hook.mjs bin/headroom.js ...`, writes the process's peak RSS
// (kilobytes, getrusage ru_maxrss) to $HEADROOM_BENCH_RSS_FILE when it exits.
import fs from 'node:fs';

process.on('exit', () => {
  const file = process.env.HEADROOM_BENCH_RSS_FILE;
  if (file) fs.writeFileSync(file, `${process.resourceUsage().maxRSS}\n`);
});
