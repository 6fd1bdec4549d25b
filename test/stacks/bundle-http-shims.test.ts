/**
 * BUNDLE_ALIASES' node:http / node:https shims: a bundle built with the deploy settings holds no
 * ESM import of either builtin (the import that made Node load undici at every cold start), and
 * in a fresh Node process every import form still gets the builtin itself and an SDK client
 * still answers over HTTP (against dynalite).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, type RunningDynalite } from '../../lib/adapters/local/dynalite.js';
import { bundleEntry } from '../bench/lambda-bundles.js';

describe('the node:http and node:https bundle shims', () => {
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

  it('leave no ESM import of the builtins and keep every import form working', async () => {
    const { file } = await bundleEntry('test/fixtures/bundles/http-shims-entry.ts', dir);
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
});
