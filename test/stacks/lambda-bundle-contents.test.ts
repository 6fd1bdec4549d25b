/**
 * What the deployed runtimes' bundles hold, built with the deploy settings (BUNDLE_SETTINGS,
 * metafile only, nothing written): no local-only engine (PGlite, dynalite, DuckDB) in any of
 * them, and the worker and the authorizer reach the database without the local opener or the
 * migrations (the migration custom resource owns the schema in AWS).
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  BUNDLE_SETTINGS,
  LOCAL_ONLY_PACKAGES,
  REPO_ROOT,
} from '../../stacks/constructs/platform-function.js';

async function inputsOf(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [join(REPO_ROOT, entry)],
    outfile: join(REPO_ROOT, 'cdk.out', 'bundle-contents', 'index.mjs'),
    bundle: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    format: BUNDLE_SETTINGS.format,
    target: BUNDLE_SETTINGS.target,
    platform: BUNDLE_SETTINGS.platform,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    alias: { ...BUNDLE_SETTINGS.alias },
    external: [...BUNDLE_SETTINGS.external],
  });
  const outputs = Object.values(result.metafile.outputs);
  return outputs.flatMap((o) => Object.keys(o.inputs));
}

const LOCAL_ENGINES = [...LOCAL_ONLY_PACKAGES, 'dynalite', '@duckdb/node-api'];
const packageOf = (input: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];

describe.each(['lambdas/worker/handler.ts', 'lambdas/api/handler.ts', 'lambdas/authorizer/handler.ts'])(
  '%s bundle',
  (entry) => {
    it('holds no local-only engine', async () => {
      const inputs = await inputsOf(entry);
      expect(inputs.length).toBeGreaterThan(10);
      const packages = new Set(inputs.map(packageOf).filter(Boolean));
      // The database driver is there: the check looks at the right graph.
      expect(packages).toContain('pg');
      expect(LOCAL_ENGINES.filter((p) => packages.has(p))).toEqual([]);
    });
  },
);

describe.each(['lambdas/worker/handler.ts', 'lambdas/authorizer/handler.ts'])('%s bundle', (entry) => {
  it('opens the database through the RDS opener only: no local opener, no migrations', async () => {
    const inputs = await inputsOf(entry);
    expect(inputs).toContain('lib/adapters/aws/rds-database.ts');
    const local = inputs.filter((i) =>
      /^lib\/adapters\/(sql\/(database|migrator|pglite-client)\.ts|local\/(?!lru-result-cache))/.test(i),
    );
    expect(local).toEqual([]);
  });
});
