/**
 * Finds the published CBAM default values for an import line in the factor catalogue.
 *
 * The CN code of a default is the code as published (8 digits, or a heading/subheading when
 * the publication gives one value for it). An import's 8-digit code takes the longest
 * published code that prefixes it, down to a 4-digit heading and never shorter: no chapter
 * fallback, and a good with no published default gets none.
 */
import {
  CBAM_GLOBAL_REGION,
  CBAM_OTHER_REGION,
  CBAM_SOURCE,
  CBAM_UNIT,
  cbamActivity,
  type CbamComponent,
} from '../../factors/datasets/cbam.js';
import type { FactorCatalogue } from '../../factors/catalogue.js';
import type { EmissionFactor } from '../../factors/types.js';
import { formatCn } from './annex-i.js';

const MIN_PREFIX = 4;
const ACTIVITY = /^cbam\/(\d+)\/(direct|indirect|total)$/;

/** cn -> regions that publish at least one component, for the factors valid on one date. */
type CnIndex = ReadonlyMap<string, ReadonlySet<string>>;

const cache = new WeakMap<FactorCatalogue, Map<string, CnIndex>>();

function indexFor(catalogue: FactorCatalogue, asOf: string): CnIndex {
  let byDate = cache.get(catalogue);
  if (byDate === undefined) cache.set(catalogue, (byDate = new Map<string, CnIndex>()));
  let index = byDate.get(asOf);
  if (index === undefined) {
    const built = new Map<string, Set<string>>();
    for (const f of catalogue.all()) {
      if (f.source !== CBAM_SOURCE || asOf < f.validFrom || (f.validTo !== null && asOf > f.validTo))
        continue;
      const m = ACTIVITY.exec(f.activity);
      if (!m) continue;
      const cn = m[1]!;
      let regions = built.get(cn);
      if (regions === undefined) built.set(cn, (regions = new Set()));
      regions.add(f.region);
    }
    index = built;
    byDate.set(asOf, index);
  }
  return index;
}

export interface DefaultSet {
  /** Published CN code the values belong to. */
  readonly cn: string;
  readonly region: string;
  readonly direct?: EmissionFactor;
  readonly indirect?: EmissionFactor;
  readonly total?: EmissionFactor;
}

export type DefaultLookup =
  | { readonly kind: 'found'; readonly defaults: DefaultSet }
  | { readonly kind: 'none'; readonly message: string }
  | { readonly kind: 'country'; readonly message: string; readonly hint: string };

/**
 * Defaults for an 8-digit CN code and a region choice. `phase` picks the region rule:
 * transitional defaults are global; definitive ones are per country, with the "Other
 * Countries and Territories" table only when `allowOther` is set.
 */
export function findDefaults(
  catalogue: FactorCatalogue,
  cn8: string,
  country: string,
  asOf: string,
  phase: 'transitional' | 'definitive',
  allowOther: boolean,
): DefaultLookup {
  // The catalogue is immutable, so a result can be memoised per catalogue (bounded).
  let memo = results.get(catalogue);
  if (memo === undefined) results.set(catalogue, (memo = new Map<string, DefaultLookup>()));
  const key = `${asOf}|${phase}|${allowOther}|${cn8}|${country}`;
  let hit = memo.get(key);
  if (hit === undefined) {
    hit = find(catalogue, cn8, country, asOf, phase, allowOther);
    if (memo.size < MEMO_LIMIT) memo.set(key, hit);
  }
  return hit;
}

const MEMO_LIMIT = 10_000;
const results = new WeakMap<FactorCatalogue, Map<string, DefaultLookup>>();

function find(
  catalogue: FactorCatalogue,
  cn8: string,
  country: string,
  asOf: string,
  phase: 'transitional' | 'definitive',
  allowOther: boolean,
): DefaultLookup {
  const index = indexFor(catalogue, asOf);
  let cn: string | undefined;
  for (let len = cn8.length; len >= MIN_PREFIX && cn === undefined; len--) {
    if (index.has(cn8.slice(0, len))) cn = cn8.slice(0, len);
  }
  if (cn === undefined) {
    return {
      kind: 'none',
      message: `No published CBAM default value for CN ${formatCn(cn8)} valid on ${asOf} in the bundled dataset`,
    };
  }
  const regions = index.get(cn)!;
  let region: string;
  if (phase === 'transitional') region = CBAM_GLOBAL_REGION;
  else if (regions.has(country)) region = country;
  else if (allowOther && regions.has(CBAM_OTHER_REGION)) region = CBAM_OTHER_REGION;
  else {
    const listed = [...regions].sort().join(', ');
    const hint = regions.has(CBAM_OTHER_REGION)
      ? `Or set allow_other_countries_default: true to apply the "Other Countries and Territories" value ` +
        `(correct only if Implementing Regulation (EU) 2025/2621 lists no value for ${country}).`
      : '';
    return {
      kind: 'country',
      message: `The bundled definitive-period defaults for CN ${formatCn(cn)} cover only ${listed}, not ${country}`,
      hint,
    };
  }
  const get = (component: CbamComponent): EmissionFactor | undefined => {
    const activity = cbamActivity(cn, component);
    if (!catalogue.regions(activity).includes(region)) return undefined;
    return catalogue.lookup({ activity, region, unit: CBAM_UNIT, asOf, source: CBAM_SOURCE });
  };
  const [direct, indirect, total] = [get('direct'), get('indirect'), get('total')];
  return {
    kind: 'found',
    defaults: {
      cn,
      region,
      ...(direct ? { direct } : {}),
      ...(indirect ? { indirect } : {}),
      ...(total ? { total } : {}),
    },
  };
}
