/**
 * The emission-factor catalogue: every bundled factor, indexed for fast temporal lookup by
 * (activity, region, unit, as-of date), with typed failures that name close matches.
 *
 * Hot path: two Map gets (activity -> region -> candidates) and one pass over a handful of
 * candidates with precomputed unit codes, dimensions and validity bounds. No allocation on
 * success; the slow path (building error hints) runs only on failure.
 */
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../domain/errors.js';
import { BUILTIN_DATASETS } from './datasets/index.js';
import type {
  DatasetInfo,
  EmissionFactor,
  FactorChange,
  FactorDiff,
  FactorQuery,
  FactorRef,
  LookupResult,
} from './types.js';
import { dimensionOf, isKnownUnit, normalizeUnit, type Dimension } from './units.js';

/** Why a lookup found nothing: the first filter that left no candidate. */
export type NotFoundReason = 'activity' | 'region' | 'filter' | 'date' | 'unit';

/** No factor matches the query. `closeMatches` lists what exists nearby. */
export class FactorNotFoundError extends NotFoundError {
  override readonly code = 'factor_not_found';
  /** Discriminates the two lookup failures: `none` here, `ambiguous` on AmbiguousFactorError. */
  readonly failure = 'none' as const;
  constructor(
    readonly query: FactorQuery,
    readonly reason: NotFoundReason,
    /** Nearby activity keys or factor descriptions, best first. */
    readonly closeMatches: readonly string[],
    hint: string,
  ) {
    super('factor', describeQuery(query), hint);
    Object.assign(this.details, { reason, closeMatches });
  }
}

/** More than one factor matches equally well; `candidates` are their ids. */
export class AmbiguousFactorError extends DomainError {
  readonly code = 'factor_ambiguous';
  readonly failure = 'ambiguous' as const;
  constructor(
    readonly query: FactorQuery,
    readonly candidates: readonly string[],
  ) {
    super(
      `More than one factor matches ${describeQuery(query)}: ${candidates.join(', ')}. ` +
        'Narrow the query with source, datasetVersion, basis or an exact unit.',
      { query: { ...query }, candidates },
    );
  }
}

export function describeQuery(q: FactorQuery): string {
  const extra = [q.source && `source=${q.source}`, q.datasetVersion && `version=${q.datasetVersion}`, q.basis]
    .filter(Boolean)
    .join(' ');
  return `${q.activity} @ ${q.region} per ${q.unit} on ${q.asOf}${extra ? ` (${extra})` : ''}`;
}

export function refOf(f: EmissionFactor): FactorRef {
  return { id: f.id, dataset: f.dataset, datasetVersion: f.datasetVersion };
}

/** A factor with the values the hot path compares, computed once. */
interface Entry {
  readonly factor: EmissionFactor;
  readonly unitCode: string;
  readonly dimension: Dimension | undefined;
  readonly validFrom: string;
  /** `9999-12-31` when open-ended, so a plain string comparison works. */
  readonly validTo: string;
}

const OPEN_END = '9999-12-31';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMPTY: readonly string[] = [];

/** Unit code and dimension of a query unit; unknown units match factors by exact text only. */
const queryUnitCache = new Map<string, { code: string; dimension: Dimension | undefined }>();
function queryUnit(unit: string): { code: string; dimension: Dimension | undefined } {
  let hit = queryUnitCache.get(unit);
  if (hit === undefined) {
    hit = isKnownUnit(unit)
      ? { code: normalizeUnit(unit), dimension: dimensionOf(unit) }
      : { code: unit, dimension: undefined };
    if (queryUnitCache.size < 10_000) queryUnitCache.set(unit, hit);
  }
  return hit;
}

export class FactorCatalogue {
  private static instance: FactorCatalogue | undefined;

  /** The singleton over every bundled dataset. */
  static builtin(): FactorCatalogue {
    FactorCatalogue.instance ??= new FactorCatalogue(
      BUILTIN_DATASETS.flatMap((b) => b.factors),
      BUILTIN_DATASETS.flatMap((b) => b.datasets),
    );
    return FactorCatalogue.instance;
  }

  private readonly factors: readonly EmissionFactor[];
  private readonly infos: readonly DatasetInfo[];
  private readonly byId = new Map<string, EmissionFactor>();
  private readonly index = new Map<string, Map<string, Entry[]>>();
  private readonly haystacks: readonly string[];

  constructor(factors: readonly EmissionFactor[], datasets: readonly DatasetInfo[]) {
    this.factors = Object.freeze([...factors]);
    this.infos = Object.freeze([...datasets]);
    for (const f of this.factors) {
      if (this.byId.has(f.id)) throw new ConflictError(`Duplicate factor id '${f.id}'`, { id: f.id });
      if (!Number.isFinite(f.value))
        throw new ConflictError(`Factor '${f.id}' has a non-finite value`, { id: f.id });
      this.byId.set(f.id, f);
      const known = isKnownUnit(f.unit);
      const entry: Entry = {
        factor: f,
        unitCode: known ? normalizeUnit(f.unit) : f.unit,
        dimension: known ? dimensionOf(f.unit) : undefined,
        validFrom: f.validFrom,
        validTo: f.validTo ?? OPEN_END,
      };
      let byRegion = this.index.get(f.activity);
      if (byRegion === undefined) this.index.set(f.activity, (byRegion = new Map<string, Entry[]>()));
      const list = byRegion.get(f.region);
      if (list === undefined) byRegion.set(f.region, [entry]);
      else list.push(entry);
    }
    this.haystacks = this.factors.map((f) =>
      [f.id, f.name, f.activity, f.region, f.source, f.dataset, f.datasetVersion].join(' ').toLowerCase(),
    );
  }

  /** Exactly one factor for the query, else FactorNotFoundError / AmbiguousFactorError. */
  lookup(q: FactorQuery): EmissionFactor {
    const list = this.index.get(q.activity)?.get(q.region);
    if (list === undefined) throw this.notFound(q);
    if (!ISO_DATE.test(q.asOf)) {
      throw new ValidationError([
        { path: 'asOf', message: `Expected an ISO date YYYY-MM-DD, got '${q.asOf}'` },
      ]);
    }
    const { code, dimension } = queryUnit(q.unit);
    // Score: exact unit (2) beats same dimension (0); within that, a factor matching the
    // requested basis, or gross/no basis when none is requested, scores 1 over a net one.
    let best: EmissionFactor | undefined;
    let bestScore = -1;
    let tied = 0;
    for (const e of list) {
      const f = e.factor;
      if (q.asOf < e.validFrom || q.asOf > e.validTo) continue;
      if (q.source !== undefined && f.source !== q.source) continue;
      if (q.datasetVersion !== undefined && f.datasetVersion !== q.datasetVersion) continue;
      if (q.basis !== undefined && f.basis !== undefined && f.basis !== q.basis) continue;
      let score: number;
      if (e.unitCode === code) score = 2;
      else if (dimension !== undefined && e.dimension === dimension) score = 0;
      else continue;
      if (f.basis !== 'net' || q.basis === 'net') score += 1;
      if (score > bestScore) {
        best = f;
        bestScore = score;
        tied = 1;
      } else if (score === bestScore) tied++;
    }
    if (best === undefined) throw this.notFound(q);
    if (tied > 1) throw this.ambiguous(q, list, bestScore);
    return best;
  }

  tryLookup(q: FactorQuery): LookupResult {
    try {
      return { ok: true, factor: this.lookup(q) };
    } catch (err) {
      if (err instanceof DomainError) return { ok: false, error: err };
      throw err;
    }
  }

  get(id: string): EmissionFactor | undefined {
    return this.byId.get(id);
  }

  /** Factors whose id, name, activity, region or source contain every word of `text`. */
  search(text: string, limit = 50): EmissionFactor[] {
    const words = text.toLowerCase().split(/\s+/).filter(Boolean);
    const out: EmissionFactor[] = [];
    for (let i = 0; i < this.factors.length && out.length < limit; i++) {
      const hay = this.haystacks[i]!;
      if (words.every((w) => hay.includes(w))) out.push(this.factors[i]!);
    }
    return out;
  }

  /**
   * What changed from one dataset version to another of a source. Factors are matched by
   * activity + region + unit + basis; `percentChange` = (after - before) / before * 100.
   */
  diff(source: string, fromVersion: string, toVersion: string): FactorDiff {
    const versions = [
      ...new Set(this.factors.filter((f) => f.source === source).map((f) => f.datasetVersion)),
    ].sort();
    if (versions.length === 0) {
      const sources = [...new Set(this.factors.map((f) => f.source))].sort();
      throw new NotFoundError('source', source, `Allowed: ${sources.join(', ')}`);
    }
    for (const v of [fromVersion, toVersion]) {
      if (!versions.includes(v))
        throw new NotFoundError(`${source} version`, v, `Allowed: ${versions.join(', ')}`);
    }
    const keyOf = (f: EmissionFactor): string => `${f.activity}|${f.region}|${f.unit}|${f.basis ?? ''}`;
    const pick = (v: string): Map<string, EmissionFactor> =>
      new Map(
        this.factors.filter((f) => f.source === source && f.datasetVersion === v).map((f) => [keyOf(f), f]),
      );
    const before = pick(fromVersion);
    const after = pick(toVersion);
    const added = [...after].filter(([k]) => !before.has(k)).map(([, f]) => f);
    const removed = [...before].filter(([k]) => !after.has(k)).map(([, f]) => f);
    const changed: FactorChange[] = [];
    let unchanged = 0;
    for (const [key, b] of before) {
      const a = after.get(key);
      if (a === undefined) continue;
      if (a.value === b.value) {
        unchanged++;
        continue;
      }
      const percentChange =
        b.value === 0 ? null : Math.round(((a.value - b.value) / b.value) * 100 * 1e4) / 1e4;
      changed.push({ key, before: b, after: a, percentChange });
    }
    return { source, from: fromVersion, to: toVersion, added, removed, changed, unchanged };
  }

  datasets(): readonly DatasetInfo[] {
    return this.infos;
  }

  all(): readonly EmissionFactor[] {
    return this.factors;
  }

  /** Distinct activity keys (optionally under a prefix), sorted: for "allowed values" hints. */
  activities(prefix?: string): string[] {
    const keys = [...this.index.keys()];
    return (prefix === undefined ? keys : keys.filter((k) => k.startsWith(prefix))).sort();
  }

  /** Regions that have at least one factor for `activity`, sorted. */
  regions(activity: string): string[] {
    return [...(this.index.get(activity)?.keys() ?? EMPTY)].sort();
  }

  // ---- slow paths: only on failure ----

  private ambiguous(q: FactorQuery, list: readonly Entry[], bestScore: number): AmbiguousFactorError {
    const { code, dimension } = queryUnit(q.unit);
    const ids = list
      .filter((e) => {
        const f = e.factor;
        if (q.asOf < e.validFrom || q.asOf > e.validTo) return false;
        if (q.source !== undefined && f.source !== q.source) return false;
        if (q.datasetVersion !== undefined && f.datasetVersion !== q.datasetVersion) return false;
        if (q.basis !== undefined && f.basis !== undefined && f.basis !== q.basis) return false;
        const unitScore =
          e.unitCode === code ? 2 : dimension !== undefined && e.dimension === dimension ? 0 : -10;
        return unitScore + (f.basis !== 'net' || q.basis === 'net' ? 1 : 0) === bestScore;
      })
      .map((e) => e.factor.id);
    return new AmbiguousFactorError(q, ids);
  }

  private notFound(q: FactorQuery): FactorNotFoundError {
    const byRegion = this.index.get(q.activity);
    if (byRegion === undefined) {
      const similar = similarKeys(q.activity, [...this.index.keys()], 8);
      const hint = similar.length
        ? `unknown activity '${q.activity}'. Did you mean: ${similar.join(', ')}?`
        : `unknown activity '${q.activity}'. Activities start with: ${[...new Set(this.activities().map((a) => a.split('/')[0]))].join(', ')}`;
      return new FactorNotFoundError(q, 'activity', similar, hint);
    }
    const list = byRegion.get(q.region);
    if (list === undefined) {
      const regions = this.regions(q.activity);
      return new FactorNotFoundError(
        q,
        'region',
        regions.map((r) => `${q.activity} @ ${r}`),
        `no factor for region '${q.region}'. Allowed regions for ${q.activity}: ${regions.join(', ')}`,
      );
    }
    const describe = (f: EmissionFactor): string =>
      `${f.id} (${f.source} ${f.datasetVersion}, per ${f.unit}${f.basis ? ` ${f.basis} CV` : ''}, valid ${f.validFrom}..${f.validTo ?? 'open'})`;
    const closeMatches = list.map((e) => describe(e.factor));
    const bySource = list.filter(
      (e) =>
        (q.source === undefined || e.factor.source === q.source) &&
        (q.datasetVersion === undefined || e.factor.datasetVersion === q.datasetVersion),
    );
    if (bySource.length === 0) {
      const have = [...new Set(list.map((e) => `${e.factor.source} ${e.factor.datasetVersion}`))].join(', ');
      return new FactorNotFoundError(
        q,
        'filter',
        closeMatches,
        `no factor from the requested source/version; available: ${have}`,
      );
    }
    const dated = bySource.filter((e) => q.asOf >= e.validFrom && q.asOf <= e.validTo);
    if (dated.length === 0) {
      const ranges = [...new Set(bySource.map((e) => `${e.validFrom}..${e.factor.validTo ?? 'open'}`))].join(
        ', ',
      );
      return new FactorNotFoundError(
        q,
        'date',
        closeMatches,
        `no factor valid on ${q.asOf}; valid ranges: ${ranges}`,
      );
    }
    const units = [...new Set(dated.map((e) => e.unitCode))].join(', ');
    const why = isKnownUnit(q.unit) ? '' : ` ('${q.unit}' is not a known unit)`;
    return new FactorNotFoundError(
      q,
      'unit',
      closeMatches,
      `no factor per ${q.unit}${why} or a unit of the same dimension; available units: ${units}`,
    );
  }
}

/** Keys containing the query (or contained by it) first, then by edit distance <= 1/3 of length. */
function similarKeys(query: string, keys: readonly string[], limit: number): string[] {
  const q = query.toLowerCase();
  const leaf = q.split('/').pop() ?? q;
  const scored: { key: string; score: number }[] = [];
  for (const key of keys) {
    const k = key.toLowerCase();
    if (leaf.length >= 3 && (k.includes(leaf) || q.includes(k))) {
      scored.push({ key, score: 0 });
      continue;
    }
    const d = editDistance(q, k);
    if (d <= Math.max(2, Math.floor(q.length / 3))) scored.push({ key, score: 1 + d });
  }
  return scored
    .sort((a, b) => a.score - b.score || a.key.localeCompare(b.key))
    .slice(0, limit)
    .map((s) => s.key);
}

/** Levenshtein distance, two-row dynamic programme. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
