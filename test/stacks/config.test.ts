import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  ENVIRONMENT_NAMES,
  selectEnvironment,
  validateEnvironments,
} from '../../lib/config/app-config.js';
import { ENVIRONMENTS } from '../../lib/config/environments.js';

describe('environment configuration', () => {
  it.each(ENVIRONMENT_NAMES)('%s resolves with its key fields', (name) => {
    // Prepare / Act
    const c = selectEnvironment(ENVIRONMENTS, name);

    // Assess
    expect(c.name).toBe(name);
    expect(c.account).toMatch(/^\d{12}$/);
    expect(c.primaryRegion).toBe('eu-west-1');
    expect(c.secondaryRegions).toEqual(['eu-central-1']);
    for (const region of [c.primaryRegion, ...c.secondaryRegions]) {
      expect(c.availabilityZones[region]).toHaveLength(3);
    }
    expect(c.domain.hostedZoneId).toMatch(/^Z/);
    expect(c.aurora.backupRetentionDays).toBe(30);
    expect(Object.keys(c.tiers).sort()).toEqual(['pool', 'silo']);
  });

  it('pins what differs between environments', () => {
    const summary = Object.fromEntries(
      ENVIRONMENT_NAMES.map((n) => {
        const c = ENVIRONMENTS[n];
        return [
          n,
          {
            account: c.account,
            domain: c.domain.name,
            protectData: c.protectData,
            logRetentionDays: c.logRetentionDays,
            aurora: [c.aurora.minCapacity, c.aurora.maxCapacity, c.aurora.readers],
            globalEndpoint: c.events.globalEndpoint,
            siloTenants: c.siloTenants.length,
          },
        ];
      }),
    );
    expect(summary).toEqual({
      dev: {
        account: '111111111111',
        domain: 'dev.agent-factory.example.com',
        protectData: false,
        logRetentionDays: 14,
        aurora: [0.5, 4, 0],
        globalEndpoint: false,
        siloTenants: 0,
      },
      staging: {
        account: '222222222222',
        domain: 'staging.agent-factory.example.com',
        protectData: false,
        logRetentionDays: 30,
        aurora: [0.5, 16, 1],
        globalEndpoint: true,
        siloTenants: 0,
      },
      prod: {
        account: '333333333333',
        domain: 'agent-factory.example.com',
        protectData: true,
        logRetentionDays: 365,
        aurora: [2, 64, 1],
        globalEndpoint: true,
        siloTenants: 1,
      },
    });
  });

  it('tier limits carry the domain quota defaults', () => {
    expect(ENVIRONMENTS.prod.tiers.pool.executionsPerMonth).toBe(100_000);
    expect(ENVIRONMENTS.prod.tiers.silo.executionsPerMonth).toBe(5_000_000);
  });

  describe('selectEnvironment', () => {
    it('defaults to dev when -c env is absent', () => {
      expect(selectEnvironment(ENVIRONMENTS, undefined).name).toBe('dev');
    });

    it('rejects an unknown environment with the accepted names', () => {
      expect(() => selectEnvironment(ENVIRONMENTS, 'qa')).toThrow(ConfigError);
      expect(() => selectEnvironment(ENVIRONMENTS, 'qa')).toThrow(/-c env=dev\|staging\|prod/);
    });
  });

  describe('validateEnvironments', () => {
    const raw = { dev: ENVIRONMENTS.dev, staging: ENVIRONMENTS.staging, prod: ENVIRONMENTS.prod };

    it('reports a silo tenant home region without zones, with its path', () => {
      const bad = {
        ...raw,
        prod: {
          ...ENVIRONMENTS.prod,
          siloTenants: [
            {
              tenantId: '7f0c2a9e-3b1d-4c5e-8f6a-1b2c3d4e5f60',
              account: '444444444444',
              homeRegion: 'ap-south-1',
            },
          ],
        },
      };
      expect(() => validateEnvironments(bad)).toThrow(
        /Environment 'prod' is invalid: availabilityZones\.ap-south-1/,
      );
    });

    it('rejects an upper-case tenant id and a short account id', () => {
      const bad = {
        ...raw,
        dev: {
          ...ENVIRONMENTS.dev,
          siloTenants: [
            { tenantId: '7F0C2A9E-3B1D-4C5E-8F6A-1B2C3D4E5F60', account: '1234', homeRegion: 'eu-west-1' },
          ],
        },
      };
      expect(() => validateEnvironments(bad)).toThrow(/siloTenants\.0\.tenantId.*siloTenants\.0\.account/);
    });

    it('rejects a log retention CloudWatch Logs does not offer', () => {
      const bad = { ...raw, dev: { ...ENVIRONMENTS.dev, logRetentionDays: 10 } };
      expect(() => validateEnvironments(bad)).toThrow(/logRetentionDays: a CloudWatch Logs retention period/);
    });

    it('rejects the primary region listed as a secondary', () => {
      const bad = { ...raw, staging: { ...ENVIRONMENTS.staging, secondaryRegions: ['eu-west-1'] } };
      expect(() => validateEnvironments(bad)).toThrow(/primary region cannot be a secondary/);
    });
  });
});
