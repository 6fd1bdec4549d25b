import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlFactorStore } from '../../lib/adapters/sql/factor-store.sql.js';
import { SqlTenantStore } from '../../lib/adapters/sql/tenant-store.sql.js';
import { NotFoundError, ValidationError, ConflictError } from '../../lib/domain/errors.js';
import { FactorCatalogue } from '../../lib/factors/catalogue.js';
import type { DatasetInfo, EmissionFactor } from '../../lib/factors/types.js';
import { FactorService } from '../../lib/services/factors.js';
import { TenantService } from '../../lib/services/tenants.js';
import { backends, openTestDb } from '../adapters/sql/harness.js';
import type { TestDb } from '../adapters/sql/harness.js';

/** A small two-version dataset so version comparison has added, removed and changed rows. */
const base = {
  source: 'TEST',
  dataset: 'test-factors',
  name: 'Test fuel',
  valueUnit: 'kgCO2e',
  citation: 'synthetic test data',
} as const;
function factor(
  version: string,
  activity: string,
  value: number,
  validFrom: string,
  validTo: string | null,
): EmissionFactor {
  return {
    ...base,
    id: `test/${version}/${activity}/gb/kwh`,
    datasetVersion: version,
    activity,
    region: 'GB',
    unit: 'kWh',
    value,
    validFrom,
    validTo,
  };
}
const v2023 = [
  factor('2023', 'fuel/alpha', 0.2, '2023-01-01', '2023-12-31'),
  factor('2023', 'fuel/beta', 0.5, '2023-01-01', '2023-12-31'),
  factor('2023', 'fuel/gamma', 1.0, '2023-01-01', '2023-12-31'),
];
const v2024 = [
  factor('2024', 'fuel/alpha', 0.25, '2024-01-01', null), // (0.25 - 0.2) / 0.2 * 100 = +25 %
  factor('2024', 'fuel/beta', 0.5, '2024-01-01', null), //   unchanged
  factor('2024', 'fuel/delta', 3.0, '2024-01-01', null), //  added; gamma removed
];
const datasets: DatasetInfo[] = ['2023', '2024'].map((version) => ({
  source: 'TEST',
  dataset: 'test-factors',
  version,
  title: `Test ${version}`,
  citation: 'synthetic',
  validFrom: `${version}-01-01`,
  validTo: version === '2023' ? '2023-12-31' : null,
  factorCount: 3,
}));

describe.each(backends())('FactorService on %s', (backend) => {
  let db: TestDb;
  let factors: FactorService;
  let acme: string;
  let globex: string;

  beforeAll(async () => {
    db = await openTestDb(backend);
    factors = new FactorService(new SqlFactorStore(db.scope));
    const tenants = new TenantService(new SqlTenantStore(db.scope));
    const mk = async (slug: string) =>
      (
        await tenants.onboard({
          slug,
          name: slug,
          homeRegion: 'eu-west-1',
          admin: { email: `a@${slug}.example` },
        })
      ).tenant.id;
    acme = await mk('acme');
    globex = await mk('globex');
    await new SqlFactorStore(db.scope).loadPublished(datasets, [...v2023, ...v2024]);
  });
  afterAll(async () => db.close());

  it('loads the whole published catalogue once, then re-loading inserts nothing', async () => {
    const catalogue = FactorCatalogue.builtin();
    const first = await factors.loadCatalogue(catalogue);
    expect(first.inserted).toBe(catalogue.all().length);
    const again = await factors.loadCatalogue(catalogue);
    expect(again).toMatchObject({ inserted: 0, alreadyPresent: catalogue.all().length });
  });

  it('round-trips a published factor exactly as the catalogue holds it', async () => {
    const gas = FactorCatalogue.builtin().get('desnz/2024/fuel/natural-gas/gb/m3')!;
    const found = await factors.validOn(acme, {
      activity: gas.activity,
      region: 'GB',
      unit: 'm3',
      asOf: '2024-06-30',
    });
    const { tenantId, deprecatedAt, ...stored } = found;
    expect({ tenantId, deprecatedAt }).toEqual({ tenantId: null, deprecatedAt: null });
    expect(stored).toEqual(gas);
  });

  it('answers "the factor valid on a day" from the temporal rows', async () => {
    const q = { activity: 'fuel/alpha', region: 'GB', unit: 'kWh' };
    expect((await factors.validOn(acme, { ...q, asOf: '2023-12-31' })).value).toBe(0.2);
    expect((await factors.validOn(acme, { ...q, asOf: '2024-03-31' })).value).toBe(0.25);
    await expect(factors.validOn(acme, { ...q, asOf: '2022-06-01' })).rejects.toThrow(NotFoundError);
    await expect(factors.validOn(acme, { ...q, asOf: '31/03/2024' })).rejects.toThrow(ValidationError);
  });

  it('compares two dataset versions: added, removed, changed with percent', async () => {
    const diff = await factors.compare('TEST', '2023', '2024');
    expect(diff.added.map((f) => f.activity)).toEqual(['fuel/delta']);
    expect(diff.removed.map((f) => f.activity)).toEqual(['fuel/gamma']);
    expect(diff.changed).toHaveLength(1);
    expect(diff.changed[0]).toMatchObject({ key: 'fuel/alpha|GB|kWh|', percentChange: 25 }); // (0.25-0.2)/0.2*100
    expect(diff.unchanged).toBe(1); // beta 0.5 -> 0.5
    await expect(factors.compare('TEST', '2023', '1999')).rejects.toThrow(/Allowed: 2023, 2024/);
  });

  it('deprecating a version hides it from point-in-time queries unless asked', async () => {
    const q = { activity: 'fuel/beta', region: 'GB', unit: 'kWh', asOf: '2023-06-30' };
    expect(await factors.deprecate('TEST', '2023', 'superseded by 2024 corrections')).toBe(3);
    await expect(factors.validOn(acme, q)).rejects.toThrow(/deprecated dataset versions are excluded/);
    const found = await factors.validOn(acme, { ...q, includeDeprecated: true });
    expect(found.value).toBe(0.5);
    expect(found.deprecatedAt).not.toBeNull();
    await expect(factors.deprecate('TEST', '1999', 'x')).rejects.toThrow(/Allowed: .*TEST 2023/);
    await expect(factors.deprecate('TEST', '2024', ' ')).rejects.toThrow(ValidationError);
  });

  it("a tenant's custom factor wins for that tenant and is invisible to others", async () => {
    const custom = {
      ...factor('acme-1', 'fuel/alpha', 0.19, '2024-01-01', null),
      id: 'acme/1/fuel/alpha/gb/kwh',
      source: 'ACME',
      citation: 'supplier-specific certificate 2024',
    };
    const added = await factors.addCustom(acme, custom);
    expect(added.tenantId).toBe(acme);
    const q = { activity: 'fuel/alpha', region: 'GB', unit: 'kWh', asOf: '2024-03-31' };
    expect((await factors.validOn(acme, q)).value).toBe(0.19);
    expect((await factors.validOn(globex, q)).value).toBe(0.25); // the published one
    expect(await factors.listCustom(globex)).toEqual([]);
    expect((await factors.listCustom(acme)).map((f) => f.id)).toEqual([custom.id]);
    await expect(factors.addCustom(acme, custom)).rejects.toThrow(ConflictError);
  });

  it('refuses a custom factor with a negative, infinite or inverted-date value', async () => {
    const good = { ...factor('x', 'fuel/x', 1, '2024-01-01', null), source: 'X' };
    await expect(factors.addCustom(acme, { ...good, value: -1 })).rejects.toThrow(ValidationError);
    await expect(factors.addCustom(acme, { ...good, value: Infinity })).rejects.toThrow(ValidationError);
    await expect(factors.addCustom(acme, { ...good, validTo: '2023-01-01' })).rejects.toThrow(
      /validTo is before/,
    );
  });
});
