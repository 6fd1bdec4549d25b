import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlAgentRegistryStore } from '../../lib/adapters/sql/agent-registry-store.js';
import { SpecError } from '../../lib/agents/declarative/index.js';
import { allAgents, builtinAgents } from '../../lib/agents/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/domain/errors.js';
import { IllegalLifecycleTransitionError } from '../../lib/domain/lifecycle.js';
import {
  DependencyCycleError,
  InvalidRangeError,
  NoMatchingVersionError,
} from '../../lib/domain/semver-range.js';
import { FactorCatalogue } from '../../lib/factors/catalogue.js';
import { AgentRegistryService, CertificationFailedError } from '../../lib/services/agent-registry.js';
import { backends, openTestDb, type TestDb } from '../adapters/sql/harness.js';

/** A tenant's declarative agent on published factors: onsite heat, DESNZ 2024. */
const heatSpec = (version: string) => ({
  id: 'site-heat',
  version,
  name: 'Site heat',
  description: 'Onsite heat and steam bought in MWh, DESNZ 2024',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['mwh'],
    properties: { mwh: { type: 'number', minimum: 0 } },
  },
  steps: [
    { name: 'kwh', expression: "$convert(mwh, 'MWh', 'kWh')" },
    { name: 'f', expression: "$factor('heat-steam/onsite', 'GB', 'kWh')" },
  ],
  output: { kwh: '$kwh', kg_co2e: '$kwh * $f.value' },
});

// DESNZ 2024 'Onsite heat and steam' 0.17965 kg CO2e/kWh:
//   2 MWh = 2000 kWh; 2000 x 0.17965 = 359.3 kg
//   0.5 MWh = 500 kWh; 500 x 0.17965 = 89.825 kg
const goodTests = [
  { name: 'two MWh', input: { mwh: 2 }, expected: { kwh: 2000, kg_co2e: 359.3 } },
  { name: 'half a MWh', input: { mwh: 0.5 }, expected: { kwh: 500, kg_co2e: 89.825 } },
];

const catchErr = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe.each(backends())('AgentRegistryService on %s', (backend) => {
  let db: TestDb;
  let registry: AgentRegistryService;
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

  /** Publishes versions of `name` and walks each to `stage` through legal steps. */
  const seed = async (tenant: string, name: string, versions: Record<string, string>, deps = {}) => {
    await registry.createAgent(tenant, { name });
    for (const [v, stage] of Object.entries(versions)) {
      await registry.publishVersion(tenant, name, {
        version: v,
        manifest: { ...heatSpec(v), id: name },
        goldenTests: goodTests,
        dependencies: deps,
      });
      for (const step of ['experimental', 'certified', 'deprecated']) {
        if (stage === 'draft') break;
        await registry.promote(tenant, name, v, step);
        if (step === stage) break;
      }
    }
  };

  beforeAll(async () => {
    db = await openTestDb(backend);
    registry = new AgentRegistryService({
      store: new SqlAgentRegistryStore(db.scope),
      context: { factors: FactorCatalogue.builtin() },
      builtins: builtinAgents(),
    });
    a = await newTenant('registry-a');
    b = await newTenant('registry-b');
  });
  afterAll(async () => db.close());

  describe('platform agents', () => {
    it('registers every core agent once, certified and platform-wide', async () => {
      const core = allAgents();
      expect(await registry.registerPlatformAgents(core)).toEqual({ registered: core.length, present: 0 });
      expect(await registry.registerPlatformAgents(core)).toEqual({ registered: 0, present: core.length });
      const visible = await registry.listAgents(a);
      for (const agent of core) {
        const record = visible.find((x) => x.name === agent.id);
        expect(record).toMatchObject({ tenantId: null, kind: agent.kind });
      }
      const fuel = await registry.resolve(b, 'fuel-emissions@^1');
      expect(fuel.version).toMatchObject({ status: 'certified', tenantId: null });
    });

    it('keeps tenants from promoting platform agents or taking their names', async () => {
      const err = await catchErr(registry.promote(a, 'fuel-emissions', '1.0.0', 'deprecated'));
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as Error).message).toContain('platform agent');
      await expect(registry.createAgent(a, { name: 'cbam' })).rejects.toBeInstanceOf(ConflictError);
    });
  });

  describe('lifecycle', () => {
    beforeAll(async () => {
      await registry.createAgent(a, { name: 'site-heat', displayName: 'Site heat' });
    });

    it('refuses skipping a stage, naming the allowed next one', async () => {
      await registry.publishVersion(a, 'site-heat', {
        version: '1.0.0',
        manifest: heatSpec('1.0.0'),
        goldenTests: goodTests,
      });
      const err = await catchErr(registry.promote(a, 'site-heat', '1.0.0', 'certified'));
      expect(err).toBeInstanceOf(IllegalLifecycleTransitionError);
      expect((err as Error).message).toBe(
        'site-heat@1.0.0 cannot go from draft to certified. Allowed next: experimental',
      );
      await expect(registry.promote(a, 'site-heat', '1.0.0', 'deprecated')).rejects.toBeInstanceOf(
        IllegalLifecycleTransitionError,
      );
    });

    it('certifies only when every golden test passes against the calculation core', async () => {
      await registry.promote(a, 'site-heat', '1.0.0', 'experimental');
      const certified = await registry.promote(a, 'site-heat', '1.0.0', 'certified');
      expect(certified).toMatchObject({ status: 'certified' });
      expect(certified.certifiedAt).toBeDefined();
    });

    it('refuses certification listing the failing cases', async () => {
      await registry.publishVersion(a, 'site-heat', {
        version: '1.1.0',
        manifest: heatSpec('1.1.0'),
        goldenTests: [
          goodTests[0]!,
          // wrong on purpose: 1 MWh = 1000 kWh x 0.17965 = 179.65, not 180
          { name: 'one MWh (wrong)', input: { mwh: 1 }, expected: { kg_co2e: 180 } },
          { name: 'negative input', input: { mwh: -1 }, expected: { kwh: -1000 } },
        ],
      });
      await registry.promote(a, 'site-heat', '1.1.0', 'experimental');
      const err = await catchErr(registry.promote(a, 'site-heat', '1.1.0', 'certified'));
      expect(err).toBeInstanceOf(CertificationFailedError);
      const failures = (err as CertificationFailedError).failures;
      expect(failures.map((f) => f.name)).toEqual(['one MWh (wrong)', 'negative input']);
      expect(failures[0]!.problems).toEqual([{ path: 'kg_co2e', message: 'expected 180, got 179.65' }]);
      expect(failures[1]!.problems[0]!.path).toBe('mwh');
      const versions = await registry.listVersions(a, 'site-heat');
      expect(versions.find((v) => v.version === '1.1.0')!.status).toBe('experimental');
    });

    it('refuses certifying a version without golden tests', async () => {
      await registry.publishVersion(a, 'site-heat', { version: '1.2.0', manifest: heatSpec('1.2.0') });
      await registry.promote(a, 'site-heat', '1.2.0', 'experimental');
      await expect(registry.promote(a, 'site-heat', '1.2.0', 'certified')).rejects.toThrow(
        'add at least one golden test',
      );
    });

    it('refuses bad input with typed errors', async () => {
      const semverErr = await catchErr(
        registry.publishVersion(a, 'site-heat', { version: '1.3', manifest: heatSpec('1.3') }),
      );
      expect(semverErr).toBeInstanceOf(ValidationError);
      expect((semverErr as ValidationError).issues[0]?.path).toBe('version');
      const spec = await catchErr(
        registry.publishVersion(a, 'site-heat', {
          version: '1.3.0',
          manifest: { ...heatSpec('1.3.0'), steps: [{ name: 'kwh', expression: '$$$(' }] },
        }),
      );
      expect(spec).toBeInstanceOf(SpecError);
      await expect(
        registry.publishVersion(a, 'site-heat', { version: '1.0.0', manifest: heatSpec('1.0.0') }),
      ).rejects.toBeInstanceOf(ConflictError);
      await expect(registry.promote(a, 'site-heat', '9.9.9', 'experimental')).rejects.toThrow(
        /available: 1\.0\.0 \(certified\), 1\.1\.0 \(experimental\)/,
      );
      await expect(registry.promote(a, 'site-heat', '1.0.0', 'gold')).rejects.toBeInstanceOf(ValidationError);
      await expect(registry.createAgent(a, { name: 'Bad Name' })).rejects.toBeInstanceOf(ValidationError);
      await expect(registry.resolve(a, 'site-heat@^^1')).rejects.toBeInstanceOf(InvalidRangeError);
    });
  });

  describe('resolution', () => {
    beforeAll(async () => {
      await seed(a, 'ranges', {
        '1.2.0': 'certified',
        '1.4.0': 'certified',
        '1.4.3': 'experimental',
        '1.5.0': 'deprecated',
        '1.6.0': 'draft',
        '2.0.0': 'certified',
      });
    });

    it.each([
      ['ranges@^1.2', '1.4.3'], // 1.5.0 deprecated and 1.6.0 draft are skipped
      ['ranges@~1.4.0', '1.4.3'],
      ['ranges@1.2.0', '1.2.0'],
      ['ranges@1.5.0', '1.5.0'], // a pin still reaches a deprecated version
      ['ranges@1.6.0', '1.6.0'], // and a draft, for its author
      ['ranges@*', '2.0.0'],
      ['ranges', '2.0.0'],
    ])('%s -> %s', async (ref, expected) => {
      expect((await registry.resolve(a, ref)).version.version).toBe(expected);
    });

    it('reports no match with the available versions', async () => {
      const err = await catchErr(registry.resolve(a, 'ranges@^1.5'));
      expect(err).toBeInstanceOf(NoMatchingVersionError);
      expect((err as Error).message).toContain(
        'available: 1.2.0 (certified), 1.4.0 (certified), 1.4.3 (experimental), 1.5.0 (deprecated), 1.6.0 (draft), 2.0.0 (certified)',
      );
    });

    it('resolves dependencies transitively, dependencies first', async () => {
      await seed(a, 'leaf', { '1.0.0': 'certified', '1.1.0': 'certified' });
      await seed(a, 'middle', { '2.0.0': 'certified' }, { leaf: '~1.0.0' });
      await seed(a, 'top', { '3.0.0': 'experimental' }, { middle: '^2', ranges: '^1.2', leaf: '^1' });
      const r = await registry.resolve(a, 'top@3');
      expect(r.dependencies.map((d) => `${d.agent.name}@${d.version.version}`)).toEqual([
        'leaf@1.0.0',
        'middle@2.0.0',
        'ranges@1.4.3',
        'leaf@1.1.0',
      ]);
    });

    it('names the cycle path', async () => {
      await seed(a, 'ping', { '1.0.0': 'experimental' }, { pong: '^1' });
      await seed(a, 'pong', { '1.0.0': 'experimental' }, { pang: '^1' });
      await seed(a, 'pang', { '1.0.0': 'experimental' }, { ping: '^1.0' });
      const err = await catchErr(registry.resolve(a, 'ping@^1'));
      expect(err).toBeInstanceOf(DependencyCycleError);
      expect((err as Error).message).toBe(
        'Dependency cycle: ping@1.0.0 -> pong@1.0.0 -> pang@1.0.0 -> ping@1.0.0',
      );
      // and a version in a cycle cannot be certified
      await expect(registry.promote(a, 'pong', '1.0.0', 'certified')).rejects.toBeInstanceOf(
        DependencyCycleError,
      );
    });

    it('refuses a dependency on a missing agent at certification', async () => {
      await seed(a, 'orphan', { '1.0.0': 'experimental' }, { nowhere: '^1' });
      await expect(registry.promote(a, 'orphan', '1.0.0', 'certified')).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('tenant isolation', () => {
    it("keeps tenant B from seeing or promoting tenant A's agents", async () => {
      await seed(a, 'a-only', { '1.0.0': 'experimental' });
      // positive control: A sees it
      expect((await registry.resolve(a, 'a-only@^1')).agent.tenantId).toBe(a);
      expect((await registry.listAgents(a)).map((x) => x.name)).toContain('a-only');
      // B, same calls
      expect((await registry.listAgents(b)).map((x) => x.name)).not.toContain('a-only');
      await expect(registry.resolve(b, 'a-only@^1')).rejects.toBeInstanceOf(NotFoundError);
      await expect(registry.listVersions(b, 'a-only')).rejects.toBeInstanceOf(NotFoundError);
      await expect(registry.promote(b, 'a-only', '1.0.0', 'certified')).rejects.toBeInstanceOf(NotFoundError);
      expect((await registry.resolve(a, 'a-only@1.0.0')).version.status).toBe('experimental');
    });

    it('lets B use the same agent name independently', async () => {
      await seed(b, 'a-only', { '5.0.0': 'experimental' });
      expect((await registry.resolve(b, 'a-only')).version.version).toBe('5.0.0');
      expect((await registry.resolve(a, 'a-only')).version.version).toBe('1.0.0');
    });

    it('refuses a malformed tenant id', async () => {
      await expect(registry.listAgents('not-a-tenant')).rejects.toBeInstanceOf(ValidationError);
      await expect(
        registry.resolve(randomUUID().toUpperCase().replace(/-/g, ''), 'cbam'),
      ).rejects.toBeInstanceOf(ValidationError);
    });
  });
});
