/**
 * The short caches on the execution submit path, over the real SQL stores: agent resolution
 * (AgentRegistryService.resolve) and tenant quotas (TenantService.cachedQuotas). A change made
 * through the same service is seen at once; a change made by another instance (another
 * process in production) is seen once the TTL has passed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlAgentRegistryStore } from '../../lib/adapters/sql/agent-registry-store.js';
import { SqlTenantStore } from '../../lib/adapters/sql/tenant-store.sql.js';
import { builtinAgents } from '../../lib/agents/index.js';
import { NoMatchingVersionError } from '../../lib/domain/semver-range.js';
import { FactorCatalogue } from '../../lib/factors/catalogue.js';
import type { AgentRegistryStore } from '../../lib/ports/agent-registry-store.js';
import { AgentRegistryService } from '../../lib/services/agent-registry.js';
import { TenantService } from '../../lib/services/tenants.js';
import { backends, openTestDb, type TestDb } from '../adapters/sql/harness.js';

const spec = (id: string, version: string) => ({
  id,
  version,
  name: 'Site heat',
  description: 'Onsite heat and steam bought in MWh, DESNZ 2024',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['mwh'],
    properties: { mwh: { type: 'number', minimum: 0 } },
  },
  steps: [{ name: 'kwh', expression: "$convert(mwh, 'MWh', 'kWh')" }],
  output: { kwh: '$kwh' },
});
// 1 MWh = 1000 kWh
const goldenTests = [{ name: 'one MWh', input: { mwh: 1 }, expected: { kwh: 1000 } }];

/** The real store, counting the version listings resolution reads. */
function counting(store: AgentRegistryStore): { store: AgentRegistryStore; reads: () => number } {
  let reads = 0;
  const wrapped = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'listVersions' || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        reads++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: wrapped, reads: () => reads };
}

describe.each(backends())('hot-path caches on %s', (backend) => {
  let db: TestDb;
  const clock = { now: new Date('2026-03-01T00:00:00Z') };
  const advance = (ms: number) => (clock.now = new Date(clock.now.getTime() + ms));
  const registryOn = (store: AgentRegistryStore) =>
    new AgentRegistryService({
      store,
      context: { factors: FactorCatalogue.builtin() },
      builtins: builtinAgents(),
      resolutionTtlMs: 5_000,
      clock: () => clock.now,
    });

  const newTenant = async (slug: string) => {
    const { rows } = await db.scope.withAdmin((tx) =>
      tx.query<{ id: string }>(
        `insert into tenants (slug, name, tier, home_region) values ($1, $1, 'pool', 'eu-west-1') returning id`,
        [slug],
      ),
    );
    return rows[0]!.id;
  };

  /** Publishes `version` of `name` and promotes it to experimental. */
  const release = async (registry: AgentRegistryService, tenant: string, name: string, version: string) => {
    await registry.publishVersion(tenant, name, { version, manifest: spec(name, version), goldenTests });
    await registry.promote(tenant, name, version, 'experimental');
  };

  beforeAll(async () => {
    db = await openTestDb(backend);
  });
  afterAll(async () => db.close());

  describe('agent resolution', () => {
    it('reads the store once for repeated resolutions of the same reference', async () => {
      // Prepare
      const t = await newTenant('cache-repeat');
      const { store, reads } = counting(new SqlAgentRegistryStore(db.scope));
      const registry = registryOn(store);
      await registry.createAgent(t, { name: 'heat' });
      await release(registry, t, 'heat', '1.0.0');
      const before = reads();

      // Act
      const versions = await Promise.all(
        Array.from({ length: 10 }, () => registry.resolve(t, 'heat@^1').then((r) => r.version.version)),
      );

      // Assess
      expect(versions).toEqual(Array.from({ length: 10 }, () => '1.0.0'));
      expect(reads() - before).toBe(1);
      expect(registry.resolutionStats().hits).toBeGreaterThanOrEqual(9);
    });

    it('sees a deprecation and a new version made through the same service at once', async () => {
      const t = await newTenant('cache-invalidate');
      const registry = registryOn(new SqlAgentRegistryStore(db.scope));
      await registry.createAgent(t, { name: 'heat' });
      await release(registry, t, 'heat', '1.0.0');
      await release(registry, t, 'heat', '1.1.0');
      expect((await registry.resolve(t, 'heat@^1')).version.version).toBe('1.1.0');

      await registry.promote(t, 'heat', '1.1.0', 'certified');
      await registry.promote(t, 'heat', '1.1.0', 'deprecated');
      expect((await registry.resolve(t, 'heat@^1')).version.version).toBe('1.0.0');

      await release(registry, t, 'heat', '1.2.0');
      expect((await registry.resolve(t, 'heat@^1')).version.version).toBe('1.2.0');
      // A pin still reaches the deprecated version.
      expect((await registry.resolve(t, 'heat@1.1.0')).version.status).toBe('deprecated');
    });

    it("sees another instance's deprecation once the TTL has passed, not before", async () => {
      // Prepare: two services over one database, as two API processes would be.
      const t = await newTenant('cache-ttl');
      const here = registryOn(new SqlAgentRegistryStore(db.scope));
      const elsewhere = registryOn(new SqlAgentRegistryStore(db.scope));
      await here.createAgent(t, { name: 'heat' });
      await release(here, t, 'heat', '2.0.0');
      expect((await here.resolve(t, 'heat@^2')).version.version).toBe('2.0.0');

      // Act
      await elsewhere.promote(t, 'heat', '2.0.0', 'certified');
      await elsewhere.promote(t, 'heat', '2.0.0', 'deprecated');

      // Assess
      expect((await here.resolve(t, 'heat@^2')).version.version).toBe('2.0.0');
      advance(5_001);
      await expect(here.resolve(t, 'heat@^2')).rejects.toBeInstanceOf(NoMatchingVersionError);
    });

    it("keeps each tenant's resolutions apart", async () => {
      const a = await newTenant('cache-tenant-a');
      const b = await newTenant('cache-tenant-b');
      const registry = registryOn(new SqlAgentRegistryStore(db.scope));
      await registry.createAgent(a, { name: 'mine' });
      await release(registry, a, 'mine', '1.0.0');
      await registry.createAgent(b, { name: 'mine' });
      await release(registry, b, 'mine', '3.0.0');

      expect((await registry.resolve(a, 'mine')).version.version).toBe('1.0.0');
      expect((await registry.resolve(b, 'mine')).version.version).toBe('3.0.0');
      expect((await registry.resolve(a, 'mine')).agent.tenantId).toBe(a);
    });
  });

  describe('tenant quotas', () => {
    const onboard = (tenants: TenantService, slug: string) =>
      tenants.onboard({
        slug,
        name: slug,
        tier: 'pool',
        homeRegion: 'eu-west-1',
        admin: { email: `admin@${slug}.example` },
      });
    const tenantsOn = () =>
      new TenantService(new SqlTenantStore(db.scope), undefined, {
        quotaTtlMs: 2_000,
        cacheClock: () => clock.now,
      });

    it('sees a quota change made through the same service at once', async () => {
      const tenants = tenantsOn();
      const { tenant } = await onboard(tenants, 'quota-same');
      expect((await tenants.cachedQuotas(tenant.id)).executionsPerMonth).toBe(100_000);

      await tenants.updateQuotas(tenant.id, { executionsPerMonth: 3 }, 'test');

      expect((await tenants.cachedQuotas(tenant.id)).executionsPerMonth).toBe(3);
    });

    it("sees another instance's quota change once the TTL has passed, while getQuotas reads fresh", async () => {
      const here = tenantsOn();
      const elsewhere = tenantsOn();
      const { tenant } = await onboard(here, 'quota-ttl');
      expect((await here.cachedQuotas(tenant.id)).executionsPerMonth).toBe(100_000);

      await elsewhere.updateQuotas(tenant.id, { executionsPerMonth: 7 }, 'test');

      expect((await here.cachedQuotas(tenant.id)).executionsPerMonth).toBe(100_000);
      expect((await here.getQuotas(tenant.id)).executionsPerMonth).toBe(7);
      advance(2_001);
      expect((await here.cachedQuotas(tenant.id)).executionsPerMonth).toBe(7);
    });
  });
});
