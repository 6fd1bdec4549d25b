/**
 * Embedded emissions of one import line: which value (actual or default) each component
 * takes, and in the definitive period what is chargeable. Returns issues instead of
 * guessing whenever a needed value is neither given nor published.
 */
import type { Issue } from '../../domain/errors.js';
import type { EmissionFactor } from '../../factors/types.js';
import { formatCn, type AnnexIEntry } from './annex-i.js';
import type { DefaultSet } from './defaults.js';
import type { ReportPeriod } from './period.js';
import { markUpRate } from './regulation.js';
import type { CbamLine } from './schema.js';

type Source = 'actual' | 'default' | 'mixed' | 'not_applicable';

export interface Component {
  readonly specific: number | null;
  readonly source: Source | null;
  readonly factor: EmissionFactor | null;
}

export interface LineEmissions {
  readonly direct: Component;
  readonly indirect: Component;
  readonly total: Component;
  /** Definitive period only: the specific value certificates are due on. */
  readonly chargeable: {
    readonly basis: 'direct' | 'direct+indirect';
    readonly source: 'actual' | 'default';
    readonly base: number;
    readonly markUp: number;
    readonly specific: number;
  } | null;
  readonly notes: readonly string[];
}

const NONE: Component = { specific: null, source: null, factor: null };
const actual = (v: number): Component => ({ specific: v, source: 'actual', factor: null });
const byDefault = (f: EmissionFactor): Component => ({ specific: f.value, source: 'default', factor: f });

export const ACTUAL_DIRECT = 'actual_direct_tco2e_per_t';
export const ACTUAL_INDIRECT = 'actual_indirect_tco2e_per_t';

/**
 * `defaults` is undefined when none is published (or none applies to the country); the
 * line then needs actual values for everything that counts.
 */
export function lineEmissions(
  line: CbamLine,
  path: string,
  good: AnnexIEntry,
  period: ReportPeriod,
  defaults: DefaultSet | undefined,
  noDefaultReason: string,
): LineEmissions | Issue[] {
  return period.phase === 'transitional'
    ? transitional(line, path, defaults, noDefaultReason)
    : good.directOnly
      ? definitiveDirectOnly(line, path, good, period, defaults, noDefaultReason)
      : definitiveDirectAndIndirect(line, path, good, period, defaults, noDefaultReason);
}

/** Transitional period: report direct and indirect, each actual where given, default otherwise. */
function transitional(
  line: CbamLine,
  path: string,
  d: DefaultSet | undefined,
  noDefaultReason: string,
): LineEmissions | Issue[] {
  const aD = line.actual_direct_tco2e_per_t;
  const aI = line.actual_indirect_tco2e_per_t;
  const direct = aD !== undefined ? actual(aD) : d?.direct ? byDefault(d.direct) : NONE;
  const indirect = aI !== undefined ? actual(aI) : d?.indirect ? byDefault(d.indirect) : NONE;
  const notes: string[] = [];
  let total: Component;
  if (aD === undefined && aI === undefined && d?.total) {
    // The published total, not the sum of the rounded components (they can differ by 0.01).
    total = byDefault(d.total);
    if (direct.specific === null || indirect.specific === null) {
      notes.push(
        `CN ${formatCn(line.cn_code)}: the published default (${d.total.id}) gives ${
          direct.specific === null && indirect.specific === null
            ? 'a total only'
            : 'no full direct/indirect split'
        }; direct/indirect totals exclude what is not published.`,
      );
    }
  } else if (direct.specific !== null && indirect.specific !== null) {
    const source: Source = direct.source === indirect.source ? (direct.source as Source) : 'mixed';
    total = { specific: direct.specific + indirect.specific, source, factor: null };
  } else {
    return missingIssues(line, path, direct, indirect, d, noDefaultReason);
  }
  return { direct, indirect, total, chargeable: null, notes };
}

/** Definitive period, Annex II goods: only direct emissions count (Art. 7(1) Reg. 2023/956). */
function definitiveDirectOnly(
  line: CbamLine,
  path: string,
  good: AnnexIEntry,
  period: ReportPeriod,
  d: DefaultSet | undefined,
  noDefaultReason: string,
): LineEmissions | Issue[] {
  const notes: string[] = [];
  if (line.actual_indirect_tco2e_per_t !== undefined) {
    notes.push(
      `CN ${formatCn(line.cn_code)}: actual indirect emissions ignored; for Annex II goods only direct emissions count (Art. 7(1) Reg. 2023/956).`,
    );
  }
  const indirect: Component = { specific: null, source: 'not_applicable', factor: null };
  const aD = line.actual_direct_tco2e_per_t;
  if (aD !== undefined) {
    const direct = actual(aD);
    return {
      direct,
      indirect,
      total: direct,
      chargeable: { basis: 'direct', source: 'actual', base: aD, markUp: 0, specific: aD },
      notes,
    };
  }
  // For Annex II goods the indirect column is N/A, so the table's total is the direct value.
  const f = d?.total ?? d?.direct;
  if (f === undefined) {
    return [
      {
        path: `${path}.${ACTUAL_DIRECT}`,
        message: `${noDefaultReason}: actual direct emissions are required`,
      },
    ];
  }
  const markUp = markUpRate(good.sector, period.year);
  const direct = byDefault(f);
  return {
    direct,
    indirect,
    total: direct,
    chargeable: {
      basis: 'direct',
      source: 'default',
      base: f.value,
      markUp,
      specific: f.value * (1 + markUp),
    },
    notes,
  };
}

/** Definitive period, cement, fertilisers, sintered ore: direct + indirect count. */
function definitiveDirectAndIndirect(
  line: CbamLine,
  path: string,
  good: AnnexIEntry,
  period: ReportPeriod,
  d: DefaultSet | undefined,
  noDefaultReason: string,
): LineEmissions | Issue[] {
  const aD = line.actual_direct_tco2e_per_t;
  const aI = line.actual_indirect_tco2e_per_t;
  if (aD !== undefined && aI !== undefined) {
    const sum = aD + aI;
    return {
      direct: actual(aD),
      indirect: actual(aI),
      total: { specific: sum, source: 'actual', factor: null },
      chargeable: { basis: 'direct+indirect', source: 'actual', base: sum, markUp: 0, specific: sum },
      notes: [],
    };
  }
  if (aD !== undefined || aI !== undefined) {
    // The default applies to total emissions; its direct/indirect columns are "for
    // information only" (Recital 10 of Impl. Reg. 2026/1740), so they cannot fill a gap.
    const missing = aD === undefined ? ACTUAL_DIRECT : ACTUAL_INDIRECT;
    return [
      {
        path: `${path}.${missing}`,
        message:
          `In the definitive period both direct and indirect actual emissions count for CN ${formatCn(line.cn_code)}; ` +
          'give both, or neither to use the default total (its direct/indirect split is for information only)',
      },
    ];
  }
  if (d === undefined || (d.total === undefined && (d.direct === undefined || d.indirect === undefined))) {
    return [
      {
        path: `${path}.${ACTUAL_DIRECT}`,
        message: `${noDefaultReason}: actual direct and indirect emissions are required`,
      },
    ];
  }
  const direct = d.direct ? byDefault(d.direct) : NONE;
  const indirect = d.indirect ? byDefault(d.indirect) : NONE;
  const total: Component = d.total
    ? byDefault(d.total)
    : { specific: direct.specific! + indirect.specific!, source: 'default', factor: null };
  const markUp = markUpRate(good.sector, period.year);
  const base = total.specific!;
  return {
    direct,
    indirect,
    total,
    chargeable: { basis: 'direct+indirect', source: 'default', base, markUp, specific: base * (1 + markUp) },
    notes: [],
  };
}

function missingIssues(
  line: CbamLine,
  path: string,
  direct: Component,
  indirect: Component,
  d: DefaultSet | undefined,
  noDefaultReason: string,
): Issue[] {
  const cn = formatCn(line.cn_code);
  if (d === undefined) {
    const needed = [direct.specific === null && ACTUAL_DIRECT, indirect.specific === null && ACTUAL_INDIRECT]
      .filter(Boolean)
      .join(' and ');
    return [
      {
        path: `${path}.${ACTUAL_DIRECT}`,
        message: `${noDefaultReason}: actual emissions are required (${needed})`,
      },
    ];
  }
  const issues: Issue[] = [];
  for (const [c, field, label] of [
    [direct, ACTUAL_DIRECT, 'direct'],
    [indirect, ACTUAL_INDIRECT, 'indirect'],
  ] as const) {
    if (c.specific !== null) continue;
    issues.push({
      path: `${path}.${field}`,
      message:
        `No published default ${label} value for CN ${cn} (published code ${formatCn(d.cn)}, region ${d.region})` +
        (d.total ? ' other than a total, which cannot be combined with an actual component' : '') +
        `: actual ${label} emissions are required`,
    });
  }
  return issues;
}
