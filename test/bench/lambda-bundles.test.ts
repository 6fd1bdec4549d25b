/** contributionsOf: a bundle's bytes by package (innermost node_modules) or project folder. */
import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { contributionsOf } from './lambda-bundles.js';

const input = (bytesInOutput: number) => ({ bytesInOutput });

const metafile = {
  inputs: {},
  outputs: {
    'out/index.mjs.map': { bytes: 9, inputs: {}, imports: [], exports: [] },
    'out/index.mjs': {
      bytes: 1000,
      imports: [],
      exports: [],
      inputs: {
        'node_modules/@smithy/core/dist-es/a.js': input(100),
        'node_modules/@smithy/core/dist-es/b.js': input(50),
        'node_modules/zod/v4/core/core.js': input(120),
        'node_modules/pkg/node_modules/@smithy/core/dist-es/a.js': input(30),
        'lib/factors/data/desnz.json': input(70),
        'lib/factors/units.ts': input(10),
        'lambdas/worker/handler.ts': input(5),
        'node_modules/empty/index.js': input(0),
      },
    },
  },
} as unknown as Metafile;

describe('contributionsOf', () => {
  it('sums by innermost package and by project folder, largest first', () => {
    expect(contributionsOf(metafile, 'index.mjs')).toEqual([
      // The nested copy counts under the same name: a duplicate shows as more bytes there.
      { from: '@smithy/core', bytes: 180 },
      { from: 'zod', bytes: 120 },
      { from: 'lib/factors', bytes: 80 },
      { from: 'lambdas/worker', bytes: 5 },
      { from: 'empty', bytes: 0 },
    ]);
  });

  it('refuses a metafile without the output', () => {
    expect(() => contributionsOf(metafile, 'main.js')).toThrow('The metafile has no output main.js');
  });
});
