/**
 * Contract suite for the AgentRegistryStore port. A factory gives a store plus a way to
 * create tenants (the store's rows reference them); every adapter runs the suite unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../lib/domain/errors.js';
import type { NewAgentVersion } from '../../lib/domain/agent-manifest.js';
import type { AgentRegistryStore } from '../../lib/ports/agent-registry-store.js';

export interface RegistryStoreFixture {
  readonly store: AgentRegistryStore;
  newTenant(): Promise<string>;
  close(): Promise<void>;
}

const version = (v: string, extra: Partial<NewAgentVersion> = {}): NewAgentVersion => ({
  version: v,
  manifest: { note: `v${v}` },
  goldenTests: [{ name: 'zero', input: { x: 0 }, expected: { y: 0 } }],
  dependencies: {},
  ...extra,
});

const agent = (name: string) => ({ name, kind: 'declarative' as const, displayName: name, description: '' });

export function agentRegistryStoreContract(name: string, factory: () => Promise<RegistryStoreFixture>): void {
  describe(`AgentRegistryStore contract: ${name}`, () => {
    let f: RegistryStoreFixture;
    let a: string;
    let b: string;
    beforeAll(async () => {
      f = await factory();
      a = await f.newTenant();
      b = await f.newTenant();
    });
    afterAll(async () => f.close());

    it('creates an agent and finds it by name for its owner only', async () => {
      const created = await f.store.createAgent(a, agent('scope3-travel'));
      expect(created).toMatchObject({ tenantId: a, name: 'scope3-travel', kind: 'declarative' });
      expect(await f.store.findAgent(a, 'scope3-travel')).toEqual(created);
      // positive control above, denial here: same query as the other tenant
      expect(await f.store.findAgent(b, 'scope3-travel')).toBeUndefined();
      expect(await f.store.findAgent(null, 'scope3-travel')).toBeUndefined();
      expect((await f.store.listAgents(b)).map((x) => x.name)).not.toContain('scope3-travel');
    });

    it('refuses a duplicate name per owner but allows the same name in another tenant', async () => {
      await f.store.createAgent(a, agent('dup-name'));
      await expect(f.store.createAgent(a, agent('dup-name'))).rejects.toBeInstanceOf(ConflictError);
      await expect(f.store.createAgent(b, agent('dup-name'))).resolves.toMatchObject({ tenantId: b });
    });

    it('shows platform agents to every tenant, after the tenant’s own', async () => {
      const platform = await f.store.createAgent(null, { ...agent('platform-calc'), kind: 'builtin' });
      await f.store.addVersion(null, platform.id, version('1.0.0'), 'certified');
      expect(platform.tenantId).toBeNull();
      for (const t of [a, b]) {
        expect(await f.store.findAgent(t, 'platform-calc')).toEqual(platform);
        const versions = await f.store.listVersions(t, platform.id);
        expect(versions.map((v) => [v.version, v.status])).toEqual([['1.0.0', 'certified']]);
        expect(versions[0]!.certifiedAt).toBeDefined();
      }
      expect((await f.store.listAgents(a)).map((x) => x.name)).toContain('platform-calc');
    });

    it('stores versions with manifest, golden tests and dependencies, sorted by semver', async () => {
      const ag = await f.store.createAgent(a, agent('sorted'));
      for (const v of ['1.10.0', '1.2.0', '1.9.1', '2.0.0-rc.1', '2.0.0']) {
        await f.store.addVersion(a, ag.id, version(v, { dependencies: { 'platform-calc': '^1.0' } }));
      }
      const versions = await f.store.listVersions(a, ag.id);
      expect(versions.map((v) => v.version)).toEqual(['1.2.0', '1.9.1', '1.10.0', '2.0.0-rc.1', '2.0.0']);
      const one = await f.store.getVersion(a, ag.id, '1.9.1');
      expect(one).toMatchObject({
        agentName: 'sorted',
        status: 'draft',
        manifest: { note: 'v1.9.1' },
        goldenTests: [{ name: 'zero', input: { x: 0 }, expected: { y: 0 } }],
        dependencies: { 'platform-calc': '^1.0' },
      });
      await expect(f.store.addVersion(a, ag.id, version('1.2.0'))).rejects.toBeInstanceOf(ConflictError);
    });

    it('keeps another tenant from reading, adding to or promoting an agent', async () => {
      const ag = await f.store.createAgent(a, agent('private-calc'));
      await f.store.addVersion(a, ag.id, version('1.0.0'));
      // positive controls
      expect(await f.store.getVersion(a, ag.id, '1.0.0')).toBeDefined();
      expect(await f.store.setStatus(a, ag.id, '1.0.0', 'draft', 'experimental')).toBe(true);
      // the same calls as tenant b
      expect(await f.store.getVersion(b, ag.id, '1.0.0')).toBeUndefined();
      expect(await f.store.listVersions(b, ag.id)).toEqual([]);
      expect(await f.store.setStatus(b, ag.id, '1.0.0', 'experimental', 'certified')).toBe(false);
      await expect(f.store.addVersion(b, ag.id, version('1.0.1'))).rejects.toBeInstanceOf(ConflictError);
      expect((await f.store.getVersion(a, ag.id, '1.0.0'))!.status).toBe('experimental');
    });

    it('keeps tenants from writing platform agents', async () => {
      const platform = (await f.store.findAgent(null, 'platform-calc'))!;
      await expect(f.store.addVersion(a, platform.id, version('9.0.0'))).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect(await f.store.setStatus(a, platform.id, '1.0.0', 'certified', 'deprecated')).toBe(false);
      expect((await f.store.getVersion(null, platform.id, '1.0.0'))!.status).toBe('certified');
    });

    it('sets the stage only from the expected one (compare-and-set)', async () => {
      const ag = await f.store.createAgent(a, agent('cas'));
      await f.store.addVersion(a, ag.id, version('1.0.0'));
      const results = await Promise.all([
        f.store.setStatus(a, ag.id, '1.0.0', 'draft', 'experimental'),
        f.store.setStatus(a, ag.id, '1.0.0', 'draft', 'experimental'),
      ]);
      expect(results.sort()).toEqual([false, true]);
      expect(await f.store.setStatus(a, ag.id, '1.0.0', 'draft', 'experimental')).toBe(false);
      expect(await f.store.setStatus(a, ag.id, '1.0.0', 'experimental', 'certified')).toBe(true);
      expect(await f.store.setStatus(a, ag.id, '1.0.0', 'certified', 'deprecated')).toBe(true);
      const v = (await f.store.getVersion(a, ag.id, '1.0.0'))!;
      expect(v.status).toBe('deprecated');
      expect(v.certifiedAt).toBeDefined();
      expect(v.deprecatedAt).toBeDefined();
    });

    it('refuses malformed ids with a ValidationError', async () => {
      await expect(f.store.listVersions(a, 'not-a-uuid')).rejects.toBeInstanceOf(ValidationError);
      await expect(f.store.findAgent('tenant-x', 'cas')).rejects.toBeInstanceOf(ValidationError);
    });
  });
}
