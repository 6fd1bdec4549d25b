/**
 * The Lambda entries and how to bundle one, shared by `npm run check:bundles` and
 * `npm run bench:synth`. Entries are discovered (every `lambdas/**\/handler.ts`), never
 * listed, and built with the esbuild settings PlatformFunction deploys with (BUNDLE_SETTINGS).
 */
import { readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_SETTINGS, REPO_ROOT } from '../../stacks/constructs/platform-function.js';

/** Aim of issue 6: each bundle under 1 MB minified. */
export const BUNDLE_BUDGET_BYTES = 1024 * 1024;

/** `lambdas/<...>/handler.ts`, relative to the repository root, sorted. */
export function lambdaEntries(root = REPO_ROOT): string[] {
  return readdirSync(join(root, 'lambdas'), { recursive: true, encoding: 'utf8' })
    .filter((p) => p.split(sep).at(-1) === 'handler.ts')
    .map((p) => ['lambdas', ...p.split(sep)].join('/'))
    .sort();
}

export interface BuiltBundle {
  readonly entry: string;
  /** The bundle file (index.mjs), next to its source map. */
  readonly file: string;
  readonly bytes: number;
  /** Minified bytes of the bundle by what they come from, largest first (see contributionsOf). */
  readonly contributions: readonly Contribution[];
}

export interface Contribution {
  /** An npm package (`@smithy/core`) or a project folder (`lib/factors`). */
  readonly from: string;
  readonly bytes: number;
}

/**
 * What the bundle's bytes come from, from esbuild's metafile: each input file's share of the
 * output, summed by package (the innermost node_modules/<package>, so a nested copy counts
 * under its own name, twice if it is duplicated) or by project folder (first two segments).
 */
export function contributionsOf(metafile: Metafile, outfile: string): Contribution[] {
  const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith(outfile))?.[1];
  if (!output) throw new Error(`The metafile has no output ${outfile}`);
  const sums = new Map<string, number>();
  for (const [path, input] of Object.entries(output.inputs)) {
    const pkg = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    const from = pkg ?? path.split('/').slice(0, 2).join('/');
    sums.set(from, (sums.get(from) ?? 0) + input.bytesInOutput);
  }
  return [...sums]
    .map(([from, bytes]) => ({ from, bytes }))
    .sort((a, b) => b.bytes - a.bytes || a.from.localeCompare(b.from));
}

/** Builds one entry into `outdir/index.mjs` exactly as the deployed function is built. */
export async function bundleEntry(entry: string, outdir: string): Promise<BuiltBundle> {
  const file = join(outdir, 'index.mjs');
  const { metafile } = await build({
    entryPoints: [join(REPO_ROOT, entry)],
    // As NodejsFunction runs it (in the project root): BUNDLE_ALIASES' shim paths are relative to it.
    absWorkingDir: REPO_ROOT,
    outfile: file,
    bundle: true,
    write: true,
    logLevel: 'silent',
    format: BUNDLE_SETTINGS.format,
    target: BUNDLE_SETTINGS.target,
    platform: BUNDLE_SETTINGS.platform,
    minify: BUNDLE_SETTINGS.minify,
    sourcemap: BUNDLE_SETTINGS.sourceMap,
    sourcesContent: BUNDLE_SETTINGS.sourcesContent,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    alias: { ...BUNDLE_SETTINGS.alias },
    external: [...BUNDLE_SETTINGS.external],
    banner: { js: BUNDLE_SETTINGS.banner },
    metafile: true,
  });
  return { entry, file, bytes: statSync(file).size, contributions: contributionsOf(metafile, 'index.mjs') };
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MB` : `${(n / 1024).toFixed(1)} KB`;
}
