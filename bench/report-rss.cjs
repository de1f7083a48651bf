'use strict';
// Preloaded into a measured jdssc run: writes its peak resident memory (KiB) to $BENCH_RSS_FILE.
process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) require('fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
