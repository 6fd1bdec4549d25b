/**
 * The worker resolving agent versions through the agent registry on PGlite: a tenant's own
 * declarative agent and a platform agent, each pinned to the version stored on the execution.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlAgentRegistryStore } from '../../lib/adapters/sql/agent-registry-store.js';
import { allAgents, builtinAgents } from '../../lib/agents/index.js';
import { FactorCatalogue } from '../../lib/factors/catalogue.js';
import { AgentRegistryService } from '../../lib/services/agent-registry.js';
import { registryAgentResolver, type AgentResolver } from '../../lib/services/worker-support.js';
import { openTestDb, type TestDb } from '../adapters/sql/harness.js';
import { fuelInput, heatSpec, openBenchFactory, type BenchFactory } from './harness.js';

describe('worker with agents from the registry (PGlite)', () => {
  let db: TestDb;
  let factory: BenchFactory;
  let tenant: string;
  let agents: AgentResolver;

  beforeAll(async () => {
    db = await openTestDb('pglite');
    factory = await openBenchFactory();
    const context = { factors: FactorCatalogue.builtin() };
    const registry = new AgentRegistryService({
      store: new SqlAgentRegistryStore(db.scope),
      context,
      builtins: builtinAgents(),
    });
    await registry.registerPlatformAgents(allAgents());
    const { rows } = await db.scope.withAdmin((tx) =>
      tx.query<{ id: string }>(
        `insert into tenants (slug, name, tier, home_region) values ('worker-a', 'worker-a', 'pool', 'eu-west-1') returning id`,
      ),
    );
    tenant = rows[0]!.id;
    await registry.createAgent(tenant, { name: 'site-heat' });
    await registry.publishVersion(tenant, 'site-heat', {
      version: '1.1.0',
      manifest: heatSpec,
      goldenTests: [{ name: 'two MWh', input: { mwh: 2 }, expected: { kg_co2e: 359.3 } }],
    });
    await registry.promote(tenant, 'site-heat', '1.1.0', 'experimental');
    agents = registryAgentResolver(registry, builtinAgents(), context);
  });
  afterAll(async () => {
    await factory.close();
    await db.close();
  });

  it("runs the tenant's declarative agent and a platform agent", async () => {
    const b = factory.bench(tenant);
    const worker = b.worker({ agents });
    const heat = await b.submit('site-heat', { mwh: 2 }, '1.1.0');
    const fuel = await b.submit('fuel-emissions', fuelInput, '1.0.0');
    for (let i = 0; i < 2; i++) {
      expect(await worker.handle(await b.receiveOne())).toMatchObject({ outcome: 'completed' });
    }
    const done = await b.store.get(tenant, heat);
    expect(done).toMatchObject({ status: 'COMPLETED', output: { kwh: 2000 } });
    expect((done.output as { kg_co2e: number }).kg_co2e).toBeCloseTo(359.3, 9);
    expect(await b.store.get(tenant, fuel)).toMatchObject({ status: 'COMPLETED' });
  });

  it("fails, after its retries, an execution naming a version the tenant's registry does not have", async () => {
    const b = factory.bench(tenant);
    const worker = b.worker({ agents });
    const id = await b.submit('site-heat', { mwh: 2 }, '9.9.9');
    for (const n of [1, 2, 3]) {
      const m = await b.receiveOne();
      const r = await worker.handle(m);
      expect(r.outcome).toBe(n < 3 ? 'retry' : 'failed');
      await b.queue.changeVisibility('P2', m.receiptHandle, 0);
    }
    const failed = await b.store.get(tenant, id);
    expect(failed).toMatchObject({ status: 'FAILED', error: { code: 'no_matching_version' } });
  });
});
