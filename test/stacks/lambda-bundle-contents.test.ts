/**
 * What the deployed runtimes' bundles hold, built with the deploy settings (BUNDLE_SETTINGS,
 * metafile only, nothing written): no local-only engine (PGlite, dynalite, DuckDB) in any of
 * them, and the worker and the authorizer reach the database without the local opener or the
 * migrations (the migration custom resource owns the schema in AWS). And the worker bundle, laid
 * out as the construct ships it (bundle + copied files), composes and answers an SQS batch in a
 * fresh Node process.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  BUNDLE_SETTINGS,
  LOCAL_ONLY_PACKAGES,
  REPO_ROOT,
} from '../../stacks/constructs/platform-function.js';
import { DECLARATIVE_SPECS_PATH } from '../../stacks/constructs/lambda-workers.js';
import { bundleEntry } from '../bench/lambda-bundles.js';

async function inputsOf(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [join(REPO_ROOT, entry)],
    // BUNDLE_ALIASES' shim paths are relative to the project root, where NodejsFunction runs esbuild.
    absWorkingDir: REPO_ROOT,
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

describe('the worker bundle as deployed', () => {
  it('composes its runtime from the environment and answers an SQS batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glaf-worker-bundle-'));
    try {
      // Built exactly as check:bundles and the deployed function build it.
      const { file } = await bundleEntry('lambdas/worker/handler.ts', dir);
      // What LambdaWorkers' copyIntoBundle puts next to the bundle.
      cpSync(join(REPO_ROOT, DECLARATIVE_SPECS_PATH), join(dir, 'specs'), { recursive: true });
      const script = `const { handler } = await import(${JSON.stringify(file)});
        const r = await handler({ Records: [] }, { getRemainingTimeInMillis: () => 60000 });
        process.stdout.write(JSON.stringify(r));`;
      const q = (n: string) => ({
        url: `https://sqs.eu-west-1.amazonaws.com/1/${n}`,
        deadLetterUrl: `https://sqs.eu-west-1.amazonaws.com/1/${n}-dlq`,
      });
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '',
          AWS_REGION: 'eu-west-1',
          EXECUTION_TABLE_NAME: 'glaf-test-executions',
          QUEUE_URLS: JSON.stringify({ P0: q('p0'), P1: q('p1'), P2: q('p2'), P3: q('p3') }),
          EVENT_BUS_NAME: 'glaf-test-bus',
          POWERTOOLS_LOG_LEVEL: 'SILENT',
        },
      });
      expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ batchItemFailures: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
