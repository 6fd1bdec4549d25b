/**
 * Agent registry changes write their events to the outbox in the change's own transaction
 * (SqlAgentRegistryStore), and the real relay publishes them, in order, to the in-process bus
 * (which validates every event against the catalogue). PGlite always, PostgreSQL with
 * TEST_DATABASE_URL.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../lib/adapters/local/memory-bus.js';
import { SqlAgentRegistryStore } from '../../lib/adapters/sql/agent-registry-store.js';
import { SqlOutbox } from '../../lib/adapters/sql/outbox.sql.js';
import { allAgents, builtinAgents } from '../../lib/agents/index.js';
import type { DomainEvent } from '../../lib/domain/events/envelope.js';
import { ValidationError } from '../../lib/domain/errors.js';
import { FactorCatalogue } from '../../lib/factors/catalogue.js';
import { AgentRegistryService, CertificationFailedError } from '../../lib/services/agent-registry.js';
import { OutboxRelay } from '../../lib/services/outbox-relay.js';
import { backends, openTestDb, type TestDb } from '../adapters/sql/harness.js';
import { heatSpec } from '../workers/harness.js';

const goldenTests = [{ name: 'two MWh', input: { mwh: 2 }, expected: { kwh: 2000, kg_co2e: 359.3 } }];
const specAt = (version: string) => ({ ...heatSpec, version });

describe.each(backends())('agent events through the outbox on %s', (backend) => {
  let db: TestDb;
  let registry: AgentRegistryService;
  let relay: OutboxRelay;
  let seen: DomainEvent[];
  let a: string;
  let b: string;

  const newTenant = async (slug: string) => {
    const { rows } = await db.scope.withAdmin((tx) =>
      tx.query<{ id: string }>(
        `insert into tenants (slug, name, tier, home_region) values ($1, $1, 'pool', 'eu-west-1') returning id`,
        [slug],
      ),
    );
    return rows[0]!.id;
  };
  const outboxTypes = async (tenantId: string) =>
    (await new SqlOutbox(db.scope).listForTenant(tenantId)).map((r) => r.type);

  beforeAll(async () => {
    db = await openTestDb(backend);
    registry = new AgentRegistryService({
      store: new SqlAgentRegistryStore(db.scope),
      context: { factors: FactorCatalogue.builtin() },
      builtins: builtinAgents(),
    });
    const bus = new MemoryBus();
    bus.subscribe('*', (e) => void seen.push(e));
    relay = new OutboxRelay({ scope: db.scope, bus });
    a = await newTenant('agent-events-a');
    b = await newTenant('agent-events-b');
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await relay.drain();
    seen = [];
  });

  it('created, version published, experimental, certified, deprecated: each event once, in order', async () => {
    // Act
    await registry.createAgent(a, { name: 'site-heat', displayName: 'Site heat' });
    await registry.publishVersion(a, 'site-heat', {
      version: '1.1.0',
      manifest: specAt('1.1.0'),
      goldenTests,
    });
    await registry.promote(a, 'site-heat', '1.1.0', 'experimental');
    await registry.promote(a, 'site-heat', '1.1.0', 'certified');
    await registry.promote(a, 'site-heat', '1.1.0', 'deprecated');
    const marked = await relay.drain();
    // Assess: the bus validated each against the catalogue; these are the exact details.
    expect(marked).toBe(4);
    expect(seen.map((e) => ({ type: e.type, tenantId: e.tenantId, detail: e.detail }))).toEqual([
      {
        type: 'agent.created',
        tenantId: a,
        detail: { agentId: 'site-heat', kind: 'declarative', displayName: 'Site heat' },
      },
      {
        type: 'agent.version.published',
        tenantId: a,
        detail: { agentId: 'site-heat', version: '1.1.0', stage: 'draft' },
      },
      { type: 'agent.certified', tenantId: a, detail: { agentId: 'site-heat', version: '1.1.0' } },
      { type: 'agent.deprecated', tenantId: a, detail: { agentId: 'site-heat', version: '1.1.0' } },
    ]);
    // Experimental has no event of its own; nothing is pending afterwards.
    expect(await new SqlOutbox(db.scope).pending()).toEqual([]);
  });

  it('an agent without a display name announces none (the schema wants a non-empty one or none)', async () => {
    await registry.createAgent(b, { name: 'bare-agent' });
    await relay.drain();
    expect(seen.map((e) => e.detail)).toEqual([{ agentId: 'bare-agent', kind: 'declarative' }]);
  });

  it('a refused change writes no event: failed certification, duplicate version, duplicate agent', async () => {
    // Prepare
    const c = await newTenant('agent-events-c');
    await registry.createAgent(c, { name: 'wrong-heat' });
    await registry.publishVersion(c, 'wrong-heat', {
      version: '1.1.0',
      manifest: { ...specAt('1.1.0'), id: 'wrong-heat' },
      goldenTests: [{ name: 'wrong', input: { mwh: 2 }, expected: { kwh: 1 } }],
    });
    await registry.promote(c, 'wrong-heat', '1.1.0', 'experimental');
    const before = await outboxTypes(c);
    // Act
    await expect(registry.promote(c, 'wrong-heat', '1.1.0', 'certified')).rejects.toBeInstanceOf(
      CertificationFailedError,
    );
    await expect(
      registry.publishVersion(c, 'wrong-heat', {
        version: '1.1.0',
        manifest: { ...specAt('1.1.0'), id: 'wrong-heat' },
      }),
    ).rejects.toThrow(/already exists/);
    await expect(registry.createAgent(c, { name: 'wrong-heat' })).rejects.toThrow(/already exists/);
    // Assess: positive control: the writes before the refusals did write theirs.
    expect(before).toEqual(['agent.created', 'agent.version.published']);
    expect(await outboxTypes(c)).toEqual(before);
  });

  it('versions longer than the event schema allows are refused at the boundary', async () => {
    const long = `1.0.0-${'a'.repeat(60)}`;
    await expect(
      registry.publishVersion(b, 'bare-agent', { version: long, manifest: {} }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('platform agents registered at start-up announce nothing, however often they are registered', async () => {
    // Prepare
    const count = async () => {
      const { rows } = await db.scope.withAdmin((tx) =>
        tx.query<{ n: string }>('select count(*) as n from outbox'),
      );
      return Number(rows[0]!.n);
    };
    const before = await count();
    // Act
    const first = await registry.registerPlatformAgents(allAgents());
    const again = await registry.registerPlatformAgents(allAgents());
    // Assess: they were registered (positive control), and wrote no outbox row.
    expect(first.registered).toBe(allAgents().length);
    expect(again.registered).toBe(0);
    expect(await count()).toBe(before);
    expect(await relay.drain()).toBe(0);
  });
});
