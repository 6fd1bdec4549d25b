/* eslint-disable @typescript-eslint/no-unsafe-member-access -- JSON response bodies: the assertions are the type checks */
/**
 * A fixture lake made by the real pipeline: a local platform (HTTP, authorizer, queue
 * engine, workers, DynamoDB on dynalite, the in-process bus) runs known executions for every
 * kind of agent for two tenants; the platform's lake feed writes the Parquet files. The
 * executions are read back from the store, so expected figures come from the agents' own
 * outputs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Execution } from '../../lib/domain/execution.js';
import { startTestPlatform, type TestPlatform } from '../e2e/harness.js';

const example = (id: string): unknown =>
  JSON.parse(readFileSync(join('lib/agents/examples', `${id}.json`), 'utf8')) as unknown;

export const FUEL_B = {
  lines: [
    {
      id: 'b-depot',
      fuel: 'diesel',
      quantity: 777,
      unit: 'litres',
      use: 'mobile',
      period: { start: '2024-04-01', end: '2024-06-30' },
    },
  ],
};

export const ELECTRICITY = {
  lines: [
    { meter: 'm-1', quantity: 1000, unit: 'kWh' },
    { meter: 'm-2', quantity: 2.5, unit: 'MWh' },
  ],
};

/** Schema-valid, but the agent cannot calculate it: the execution FAILS in the worker. */
export const FUEL_UNKNOWN = {
  lines: [
    { fuel: 'unobtainium', quantity: 1, unit: 'litres', period: { start: '2024-01-01', end: '2024-01-31' } },
  ],
};

export interface FixtureTenant {
  readonly id: string;
  readonly slug: string;
  readonly admin: string;
  readonly executions: Execution[];
}

export interface LakeFixture {
  readonly t: TestPlatform;
  readonly lakeDir: string;
  readonly a: FixtureTenant;
  readonly b: FixtureTenant;
  close(): Promise<void>;
}

async function runAll(
  t: TestPlatform,
  tenant: { id: string; admin: string },
  runs: readonly { agent: string; input: unknown }[],
): Promise<Execution[]> {
  const out: Execution[] = [];
  // One at a time, so a repeated input is served from the cache of the first run.
  for (const { agent, input } of runs) {
    const r = await t.call('POST', '/v1/executions', {
      token: tenant.admin,
      body: { agent_id: agent, mode: 'async', input },
    });
    if (r.status !== 202) throw new Error(`execution not accepted: ${r.status} ${r.text}`);
    out.push(await settled(t, tenant.id, String(r.body.execution_id)));
  }
  return out;
}

/** Polls until terminal (the test timeout bounds it; no timing assertion). */
async function settled(t: TestPlatform, tenantId: string, id: string): Promise<Execution> {
  for (;;) {
    const e = await t.platform.composed.executionStore.get(tenantId, id);
    if (['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT'].includes(e.status)) return e;
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function buildLakeFixture(): Promise<LakeFixture> {
  const t = await startTestPlatform();
  try {
    const a = await t.tenant('lake-a');
    const b = await t.tenant('lake-b');
    const fuel = example('fuel-emissions');
    const aRuns = await runAll(t, a, [
      { agent: 'fuel-emissions', input: fuel },
      { agent: 'fuel-emissions', input: fuel },
      { agent: 'cbam', input: example('cbam') },
      { agent: 'building-energy', input: example('building-energy') },
      { agent: 'eudr', input: example('eudr') },
      { agent: 'uk-electricity-location-based', input: ELECTRICITY },
      { agent: 'fuel-emissions', input: FUEL_UNKNOWN },
    ]);
    const bRuns = await runAll(t, b, [
      { agent: 'fuel-emissions', input: FUEL_B },
      { agent: 'cbam', input: example('cbam') },
    ]);
    // An audited action (API key creation) for tenant A's audit_events.
    const key = await t.call('POST', '/v1/api-keys', {
      token: a.admin,
      body: { name: 'lake-reader', role: 'viewer' },
    });
    if (key.status !== 201) throw new Error(`API key not created: ${key.status} ${key.text}`);
    await t.platform.composed.lake!.idle();
    return {
      t,
      lakeDir: join(t.dataDir, 'lake'),
      a: { ...a, slug: 'lake-a', executions: aRuns },
      b: { ...b, slug: 'lake-b', executions: bRuns },
      close: async () => {
        await t.stop();
        await t.dispose();
      },
    };
  } catch (err) {
    await t.stop();
    await t.dispose();
    throw err;
  }
}
