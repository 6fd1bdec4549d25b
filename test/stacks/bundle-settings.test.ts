/**
 * A bundle built with the deploy settings (BUNDLE_SETTINGS via bundleEntry), run in a fresh Node
 * process:
 * - BUNDLE_ALIASES' node:http / node:https shims: no ESM import of either builtin is left (the
 *   import that made Node load undici at every cold start), every import form still gets the
 *   builtin itself, and an SDK client still answers over HTTP (against dynalite);
 * - the source map holds mappings only (no sources' text), and with --enable-source-maps (the
 *   functions' NODE_OPTIONS) a stack trace still names the TypeScript file and line.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, type RunningDynalite } from '../../lib/adapters/local/dynalite.js';
import { bundleEntry } from '../bench/lambda-bundles.js';

const FIXTURE = 'test/fixtures/bundles/bundle-settings-entry.ts';

describe('a bundle built with the deploy settings', () => {
  let dir: string;
  let dynalite: RunningDynalite;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'glaf-http-shims-'));
    dynalite = await startDynalite();
  }, 30_000);
  afterAll(async () => {
    await dynalite?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports node:http and node:https through the shims, every import form working', async () => {
    const { file, bytes, contributions } = await bundleEntry(FIXTURE, join(dir, 'shims'));
    // What check:bundles --analyze prints: the SDK client and the fixture itself, within the size.
    expect(contributions.map((c) => c.from)).toEqual(
      expect.arrayContaining(['@aws-sdk/client-dynamodb', '@smithy/core', 'test/fixtures']),
    );
    expect(contributions.reduce((n, c) => n + c.bytes, 0)).toBeLessThanOrEqual(bytes);
    const code = readFileSync(file, 'utf8');
    // Booleans, not toMatch: a failure would print the whole minified bundle.
    expect(/from\s*"(node:)?https?"/.test(code)).toBe(false);
    // Positive control: the bundle does import other builtins as ESM, so the pattern can match.
    expect(/from\s*"node:fs"/.test(code)).toBe(true);
    const script = `const { probe } = await import(${JSON.stringify(file)});
      process.stdout.write(JSON.stringify(await probe(${JSON.stringify(dynalite.endpoint)})));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '' },
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toEqual({
      tables: [],
      viaGet: 'served',
      viaRequest: '200',
      httpIsTheBuiltin: true,
      httpsIsTheBuiltin: true,
      httpsNamespaceAgent: true,
    });
  }, 90_000);

  it('ships mappings without the sources, enough for TypeScript stack traces', async () => {
    const { file } = await bundleEntry(FIXTURE, join(dir, 'map'));
    const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as {
      sources: string[];
      sourcesContent?: unknown;
    };
    expect(map.sourcesContent).toBeUndefined();
    expect(map.sources.some((s) => s.endsWith(FIXTURE))).toBe(true);
    const script = `const { fail } = await import(${JSON.stringify(file)});
      try { fail(); } catch (e) { process.stdout.write(e.stack); }`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--enable-source-maps', '--input-type=module', '-e', script],
      { env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 },
    );
    expect(stdout).toContain('thrown in the fixture');
    expect(stdout).toMatch(/bundle-settings-entry\.ts:\d+:\d+/);
  }, 90_000);
});
