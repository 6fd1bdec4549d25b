import { ValidationError, type Issue } from '../../domain/errors.js';
import type { FactorCatalogue } from '../../factors/catalogue.js';
import { FactorNotFoundError, refOf } from '../../factors/catalogue.js';
import { slugify } from '../../factors/datasets/bundle.js';
import type { EmissionFactor, FactorQuery, FactorRef } from '../../factors/types.js';
import { convert, dimensionOf, normalizeUnit } from '../../factors/units.js';
import { sig12 } from '../numbers.js';
import type { AgentRunOutput } from '../types.js';
import { defineBuiltinAgent } from '../zod-agent.js';
import {
  buildingEnergyInput,
  buildingEnergyOutput,
  type BuildingEnergyInput,
  type BuildingEnergyOutput,
  type Carrier,
} from './schema.js';

const SOURCE_RATIO_ACTIVITY: Readonly<Record<Carrier, string>> = {
  electricity: 'building/source-site-ratio/electricity-grid',
  onsite_renewable_electricity: 'building/source-site-ratio/electricity-onsite-solar-wind',
  natural_gas: 'building/source-site-ratio/natural-gas',
  district_heating: 'building/source-site-ratio/district-heating',
  district_cooling: 'building/source-site-ratio/district-cooling',
};

/**
 * Building energy benchmarking: site and source EUI, the ratio to the ENERGY STAR US
 * national median for the property type, Scope 2 location-based emissions (eGRID for US,
 * DESNZ for GB) and Scope 1 from on-site natural gas.
 */
export const buildingEnergyAgent = defineBuiltinAgent({
  id: 'building-energy',
  version: '1.0.0',
  name: 'Building energy benchmark and emissions',
  description:
    'Site/source EUI against the ENERGY STAR national median, Scope 2 location-based (eGRID / DESNZ) and Scope 1 on-site fuel emissions.',
  manifest: { timeoutMs: 10_000, syncAllowed: true },
  input: buildingEnergyInput,
  output: buildingEnergyOutput,
  run: (input, ctx) => calculate(input, ctx.factors),
});

class Cite {
  readonly refs = new Map<string, FactorRef>();
  use(f: EmissionFactor): EmissionFactor {
    this.refs.set(f.id, refOf(f));
    return f;
  }
}

export function calculate(
  input: BuildingEnergyInput,
  catalogue: FactorCatalogue,
): AgentRunOutput<BuildingEnergyOutput> {
  const asOf = `${input.year}-12-31`;
  const cite = new Cite();
  const issues: Issue[] = [];
  const notes: string[] = [];
  const { country } = input.location;

  if (country !== 'US' && country !== 'GB') {
    issues.push({ path: 'location.country', message: `Unsupported country '${country}'. Allowed: US, GB` });
  }
  if (input.location.egrid_subregion !== undefined && country !== 'US') {
    issues.push({ path: 'location.egrid_subregion', message: 'eGRID subregions apply only to country US' });
  }
  const typeSlug = slugify(input.property_type);
  const medianSource = catalogue.tryLookup({
    activity: `building/median-eui/source/${typeSlug}`,
    region: 'US',
    unit: 'ft2',
    asOf,
  });
  if (!medianSource.ok) {
    issues.push({
      path: 'property_type',
      message: `Unknown property type '${input.property_type}'. Allowed: ${propertyTypes(catalogue).join(', ')}`,
    });
  }
  const units = input.energy.map((e, i) => {
    try {
      const unit = normalizeUnit(e.unit);
      if (dimensionOf(unit) !== 'energy') throw new Error('not energy');
      return unit;
    } catch {
      issues.push({
        path: `energy.${i}.unit`,
        message: `'${e.unit}' is not an energy unit. Allowed: kWh, MWh, GJ, therm, MMBtu, kBtu`,
      });
      return 'kWh';
    }
  });
  if (issues.length > 0 || !medianSource.ok) throw new ValidationError(issues);

  const ft2 = convert(input.floor_area.value, input.floor_area.unit, 'ft2');
  const m2 = convert(input.floor_area.value, input.floor_area.unit, 'm2');
  const energy = input.energy.map((e, i) => {
    const siteKbtu = convert(e.quantity, units[i] ?? 'kWh', 'kBtu');
    const ratio = cite.use(
      catalogue.lookup({ activity: SOURCE_RATIO_ACTIVITY[e.carrier], region: 'US', unit: 'kBtu', asOf }),
    ).value;
    return {
      carrier: e.carrier,
      quantity: e.quantity,
      unit: units[i] ?? 'kWh',
      site_kbtu: sig12(siteKbtu),
      source_site_ratio: ratio,
      source_kbtu: sig12(siteKbtu * ratio),
    };
  });
  const siteKbtu = energy.reduce((s, e) => s + e.site_kbtu, 0);
  const sourceKbtu = energy.reduce((s, e) => s + e.source_kbtu, 0);
  const eui = (kbtu: number) => ({
    kbtu_per_ft2: sig12(kbtu / ft2),
    kwh_per_m2: sig12(convert(kbtu, 'kBtu', 'kWh') / m2),
  });
  const siteEui = eui(siteKbtu);
  const sourceEui = eui(sourceKbtu);

  const medSource = cite.use(medianSource.factor).value;
  const medSiteHit = catalogue.tryLookup({
    activity: `building/median-eui/site/${typeSlug}`,
    region: 'US',
    unit: 'ft2',
    asOf,
  });
  const medSite = medSiteHit.ok ? cite.use(medSiteHit.factor).value : null;
  if (medSite === null)
    notes.push(`No published ENERGY STAR median site EUI for '${input.property_type}'; site ratio omitted.`);
  if (country !== 'US') {
    notes.push(
      'ENERGY STAR medians and source-site ratios are US national values; the comparison is indicative outside the US.',
    );
  }

  const lines = input.energy.map((e, i) =>
    emissionLine(
      e.carrier,
      convert(e.quantity, units[i] ?? 'kWh', 'kWh'),
      input,
      asOf,
      catalogue,
      cite,
      notes,
    ),
  );
  const scope1 = lines.filter((l) => l.scope === 1).reduce((s, l) => s + l.co2e_kg, 0);
  const scope2 = lines.filter((l) => l.scope === 2).reduce((s, l) => s + l.co2e_kg, 0);

  return {
    output: {
      schema_version: '1.0.0',
      property_type: medianSource.factor.name.replace(/: .*$/, ''),
      year: input.year,
      floor_area: { ft2: sig12(ft2), m2: sig12(m2) },
      energy,
      site_eui: siteEui,
      source_eui: sourceEui,
      benchmark: {
        basis: 'ENERGY STAR Portfolio Manager U.S. national median EUI (CBECS 2018)',
        median_site_eui_kbtu_per_ft2: medSite,
        median_source_eui_kbtu_per_ft2: medSource,
        site_ratio: medSite === null ? null : sig12(siteEui.kbtu_per_ft2 / medSite),
        source_ratio: sig12(sourceEui.kbtu_per_ft2 / medSource),
      },
      emissions: {
        scope1_kg_co2e: sig12(scope1),
        scope2_location_kg_co2e: sig12(scope2),
        total_kg_co2e: sig12(scope1 + scope2),
        lines,
      },
      notes,
      factors_used: [...cite.refs.keys()],
    },
    factorsUsed: [...cite.refs.values()],
  };
}

function emissionLine(
  carrier: Carrier,
  kwh: number,
  input: BuildingEnergyInput,
  asOf: string,
  catalogue: FactorCatalogue,
  cite: Cite,
  notes: string[],
) {
  const country = input.location.country;
  const none = (scope: 1 | 2) => ({
    carrier,
    scope,
    factor_id: null,
    factor_value: null,
    factor_unit: null,
    co2e_kg: 0,
  });
  const withFactor = (scope: 1 | 2, f: EmissionFactor) => ({
    carrier,
    scope,
    factor_id: cite.use(f).id,
    factor_value: f.value,
    factor_unit: `${f.valueUnit}/${f.unit}`,
    co2e_kg: sig12(convert(kwh, 'kWh', f.unit) * f.value),
  });
  switch (carrier) {
    case 'electricity': {
      const region =
        country === 'GB'
          ? 'GB'
          : input.location.egrid_subregion
            ? `US-EGRID-${input.location.egrid_subregion}`
            : 'US';
      return withFactor(
        2,
        lookupFor(carrier, input.year, catalogue, {
          activity: 'electricity/grid',
          region,
          unit: 'kWh',
          asOf,
        }),
      );
    }
    case 'onsite_renewable_electricity':
      return none(2);
    case 'natural_gas':
      return withFactor(
        1,
        lookupFor(carrier, input.year, catalogue, {
          activity: 'fuel/natural-gas',
          region: country,
          unit: 'kWh',
          asOf,
          source: country === 'GB' ? 'DESNZ' : 'EPA-HUB',
          basis: 'gross',
        }),
      );
    case 'district_heating':
      return withFactor(
        2,
        lookupFor(carrier, input.year, catalogue, {
          activity: 'heat-steam/district',
          region: country,
          unit: 'kWh',
          asOf,
        }),
      );
    case 'district_cooling':
      notes.push(
        'No published district cooling emission factor is bundled; its Scope 2 emissions are not included.',
      );
      return none(2);
  }
}

/**
 * The emission factor for a carrier, or an issue on the field the user can change: an
 * unknown subregion is `location.egrid_subregion`; a year no bundled factor set covers
 * (e.g. before eGRID2023) is `year`, not mistaken for an unknown subregion.
 */
function lookupFor(
  carrier: Carrier,
  year: number,
  catalogue: FactorCatalogue,
  q: FactorQuery,
): EmissionFactor {
  const hit = catalogue.tryLookup(q);
  if (hit.ok) return hit.factor;
  const err = hit.error;
  if (err instanceof FactorNotFoundError && err.reason === 'region' && q.region.startsWith('US-EGRID-')) {
    throw new ValidationError([
      {
        path: 'location.egrid_subregion',
        message: `Unknown eGRID subregion '${q.region.slice(9)}'. Allowed: ${egridSubregions(catalogue).join(', ')}`,
      },
    ]);
  }
  if (err instanceof FactorNotFoundError && err.reason === 'date') {
    throw new ValidationError([
      { path: 'year', message: `No ${carrier} emission factor bundled for ${year}: ${err.message}` },
    ]);
  }
  throw err;
}

const listCache = new WeakMap<FactorCatalogue, { types: string[]; egrid: string[] }>();

function lists(catalogue: FactorCatalogue): { types: string[]; egrid: string[] } {
  let hit = listCache.get(catalogue);
  if (!hit) {
    const types = new Set<string>();
    const egrid = new Set<string>();
    for (const f of catalogue.all()) {
      if (f.activity.startsWith('building/median-eui/source/')) types.add(f.activity.slice(27));
      if (f.activity === 'electricity/grid' && f.region.startsWith('US-EGRID-')) egrid.add(f.region.slice(9));
    }
    hit = { types: [...types].sort(), egrid: [...egrid].sort() };
    listCache.set(catalogue, hit);
  }
  return hit;
}

const propertyTypes = (c: FactorCatalogue): string[] => lists(c).types;
const egridSubregions = (c: FactorCatalogue): string[] => lists(c).egrid;
