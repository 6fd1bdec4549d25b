/**
 * The worker image cannot be built here (no Docker engine on this machine), so this pins what
 * the Dockerfile must say; `docker build -f stacks/assets/worker/Dockerfile .` builds it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const lines = readFileSync(new URL('../../stacks/assets/worker/Dockerfile', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() && !l.trim().startsWith('#'));

describe('worker Dockerfile', () => {
  it('builds on Node 22 with production dependencies only', () => {
    const froms = lines.filter((l) => l.startsWith('FROM '));
    expect(froms.length).toBeGreaterThan(0);
    expect(froms.every((l) => /^FROM node:22[-.\w]*( AS \w+)?$/.test(l))).toBe(true);
    expect(lines).toContain('RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force');
  });

  it('runs as a non-root user and starts the worker subcommand in exec form', () => {
    const user = lines.filter((l) => l.startsWith('USER ')).at(-1);
    expect(user).toBe('USER node');
    const cmdIndex = lines.findIndex((l) => l.startsWith('CMD '));
    expect(lines.findIndex((l) => l.startsWith('USER '))).toBeLessThan(cmdIndex);
    expect(JSON.parse(lines[cmdIndex]!.slice(4))).toEqual(['node', 'bin/agent-factory.js', 'worker']);
  });

  it('copies an entry that exists and the sources it loads', () => {
    const copied = lines.filter((l) => l.startsWith('COPY ')).join('\n');
    for (const path of ['bin', 'lib', 'package.json', 'package-lock.json']) expect(copied).toContain(path);
    expect(readFileSync(new URL('../../bin/agent-factory.js', import.meta.url), 'utf8')).toContain(
      'agent-factory.ts',
    );
  });
});
