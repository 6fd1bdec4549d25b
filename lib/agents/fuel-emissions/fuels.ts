/**
 * Fuel names -> catalogue activity keys. Users write fuels the way the factor set names
 * them ("Natural gas") or as slugs ("natural-gas"); a few everyday aliases map to the row
 * the publisher recommends for them (DESNZ: forecourt diesel/petrol are the average
 * biofuel blends; kerosene is "Burning oil"). EPA publishes mobile combustion (Table 2)
 * separately from stationary (Table 1), so its activity prefix depends on the use.
 */
import type { FactorCatalogue } from '../../factors/catalogue.js';
import { slugify } from '../../factors/datasets/bundle.js';

export type Source = 'DESNZ' | 'EPA';
export type Use = 'stationary' | 'mobile';

const DESNZ_ALIASES: Readonly<Record<string, string>> = {
  diesel: 'diesel-average-biofuel-blend',
  petrol: 'petrol-average-biofuel-blend',
  gasoline: 'petrol-average-biofuel-blend',
  kerosene: 'burning-oil',
  'heating-oil': 'burning-oil',
  'jet-fuel': 'aviation-turbine-fuel',
};

const EPA_ALIASES: Readonly<Record<Use, Readonly<Record<string, string>>>> = {
  stationary: {
    diesel: 'distillate-fuel-oil-no-2',
    'heating-oil': 'distillate-fuel-oil-no-2',
    coal: 'bituminous-coal',
    propane: 'propane-gas',
    wood: 'wood-and-wood-residuals',
  },
  mobile: {
    diesel: 'diesel-fuel',
    gasoline: 'motor-gasoline',
    petrol: 'motor-gasoline',
    cng: 'compressed-natural-gas-cng',
  },
};

/** Catalogue source code of a user-facing factor source. */
export const CATALOGUE_SOURCE: Readonly<Record<Source, string>> = { DESNZ: 'DESNZ', EPA: 'EPA-HUB' };

/** Region a source covers when the line names none. */
export const DEFAULT_REGION: Readonly<Record<Source, string>> = { DESNZ: 'GB', EPA: 'US' };

function prefix(source: Source, use: Use): string {
  return source === 'EPA' && use === 'mobile' ? 'mobile-fuel/' : 'fuel/';
}

export function fuelActivity(fuel: string, source: Source, use: Use): string {
  const slug = slugify(fuel);
  const alias = source === 'DESNZ' ? DESNZ_ALIASES[slug] : EPA_ALIASES[use][slug];
  return prefix(source, use) + (alias ?? slug);
}

const allowedCache = new WeakMap<FactorCatalogue, Map<string, readonly string[]>>();

/** Fuel names accepted for a source and use: the catalogue's fuel slugs plus the aliases. */
export function allowedFuels(catalogue: FactorCatalogue, source: Source, use: Use): readonly string[] {
  let perCatalogue = allowedCache.get(catalogue);
  if (!perCatalogue) allowedCache.set(catalogue, (perCatalogue = new Map<string, readonly string[]>()));
  const key = `${source}|${use}`;
  const hit = perCatalogue.get(key);
  if (hit) return hit;
  const p = prefix(source, use);
  const slugs = new Set<string>();
  for (const f of catalogue.all()) {
    if (f.source === CATALOGUE_SOURCE[source] && f.activity.startsWith(p))
      slugs.add(f.activity.slice(p.length));
  }
  const aliases = Object.keys(source === 'DESNZ' ? DESNZ_ALIASES : EPA_ALIASES[use]);
  const list = [...aliases, ...[...slugs].sort()];
  perCatalogue.set(key, list);
  return list;
}
