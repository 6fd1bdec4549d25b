/**
 * check:bundles — bundles EVERY Lambda entry (lambdas/**\/handler.ts) with esbuild and the
 * settings PlatformFunction deploys with, prints each bundle's minified size, and exits
 * non-zero if any entry cannot be built. Bundles over the 1 MB budget are marked; with
 * `--strict` they fail the check too (not the default: the API, worker, stream-processor and
 * outbox-relay bundles are over it). `--analyze[=N]` also lists each bundle's N (default 12)
 * largest packages and project folders, to see what a bundle is made of.
 * The unit tests never bundle (test/stacks/setup.ts); this is the check that they would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BUNDLE_BUDGET_BYTES, bundleEntry, formatBytes, lambdaEntries } from './lambda-bundles.js';

const started = performance.now();
const out = await mkdtemp(join(tmpdir(), 'glaf-bundles-'));
const entries = lambdaEntries();
const strict = process.argv.includes('--strict');
const analyzeArg = process.argv.find((a) => a === '--analyze' || a.startsWith('--analyze='));
const analyzeTop = analyzeArg ? Number(analyzeArg.split('=')[1] ?? 12) : 0;
let failed = 0;
let over = 0;
try {
  const results = await Promise.allSettled(
    entries.map((entry, i) => bundleEntry(entry, join(out, String(i)))),
  );
  const width = Math.max(...entries.map((e) => e.length));
  results.forEach((r, i) => {
    const entry = entries[i]!.padEnd(width);
    if (r.status === 'rejected') {
      failed += 1;
      console.log(`${entry}  FAILED`);
      const errors = (r.reason as { errors?: { text: string; location?: { file: string } | null }[] }).errors;
      for (const e of errors?.slice(0, 5) ?? [{ text: String(r.reason), location: null }]) {
        console.log(`    ${e.location ? `${e.location.file}: ` : ''}${e.text}`);
      }
      return;
    }
    const big = r.value.bytes > BUNDLE_BUDGET_BYTES;
    if (big) over += 1;
    console.log(`${entry}  ${formatBytes(r.value.bytes).padStart(9)}${big ? '  OVER the 1 MB budget' : ''}`);
    for (const c of r.value.contributions.slice(0, analyzeTop)) {
      console.log(`    ${formatBytes(c.bytes).padStart(9)}  ${c.from}`);
    }
  });
} finally {
  await rm(out, { recursive: true, force: true });
}
console.log(
  `${entries.length} entries, ${failed} failed to build, ${over} over budget, ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
process.exitCode = failed > 0 || (strict && over > 0) ? 1 : 0;
