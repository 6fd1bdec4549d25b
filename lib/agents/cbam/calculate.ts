/**
 * The CBAM calculation over a validated input: checks each line against Annex I and the
 * country rules, resolves values, then sums emissions and the certificate obligation.
 * Every problem across all lines is reported together as one ValidationError.
 */
import { ValidationError, type Issue } from '../../domain/errors.js';
import { refOf, type FactorCatalogue } from '../../factors/catalogue.js';
import type { EmissionFactor, FactorRef } from '../../factors/types.js';
import type { AgentRunOutput } from '../types.js';
import { classifyCn, formatCn, type AnnexIEntry } from './annex-i.js';
import { isIsoAlpha2 } from './countries.js';
import { findDefaults, type DefaultSet } from './defaults.js';
import { lineEmissions, type Component, type LineEmissions } from './line.js';
import { parseQuarter, type ReportPeriod } from './period.js';
import {
  ANNEX_III_COUNTRIES,
  cbamFactor,
  DE_MINIMIS,
  EU_CUSTOMS_TERRITORIES,
  EU_MEMBER_STATES,
  FREE_ALLOCATION_FORMULA,
  TRANSITIONAL_DEFAULTS_UNRESTRICTED_UNTIL,
} from './regulation.js';
import {
  CBAM_SCHEMA_VERSION,
  type CbamChargeable,
  type CbamComponentOutput,
  type CbamInput,
  type CbamLine,
  type CbamLineOutput,
  type CbamOutput,
} from './schema.js';

/** Output numbers are rounded to 6 decimals (1 g CO2e per tonne); sums use unrounded values. */
const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

interface Resolved {
  readonly line: CbamLine;
  readonly index: number;
  readonly good: AnnexIEntry;
  readonly defaults: DefaultSet | undefined;
  readonly emissions: LineEmissions;
}

export function calculateCbam(input: CbamInput, catalogue: FactorCatalogue): AgentRunOutput<CbamOutput> {
  const period = parseQuarter(input.period);
  if (typeof period === 'string') throw new ValidationError([{ path: 'period', message: period }]);

  const issues: Issue[] = [];
  const resolved: Resolved[] = [];
  input.lines.forEach((line, index) => {
    const r = resolveLine(line, index, period, input.allow_other_countries_default, catalogue, issues);
    if (r) resolved.push(r);
  });
  const usesBenchmark = input.lines.some((l) => l.free_allocation_benchmark_tco2e_per_t !== undefined);
  if (
    period.phase === 'definitive' &&
    usesBenchmark &&
    input.cross_sectoral_correction_factor === undefined
  ) {
    issues.push({
      path: 'cross_sectoral_correction_factor',
      message:
        'Required when a line gives free_allocation_benchmark_tco2e_per_t: the free allocation adjustment is ' +
        'CBAM factor x CSCF x benchmark (Impl. Reg. 2025/2620 Annex point 4); give the CSCF published for the year',
    });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return assemble(input, period, resolved);
}

function resolveLine(
  line: CbamLine,
  index: number,
  period: ReportPeriod,
  allowOther: boolean,
  catalogue: FactorCatalogue,
  issues: Issue[],
): Resolved | undefined {
  const path = `lines.${index}`;
  const before = issues.length;
  const scope = classifyCn(line.cn_code);
  if (!scope.inScope) issues.push({ path: `${path}.cn_code`, message: scope.reason });
  else if (scope.entry.sector === 'electricity') {
    issues.push({
      path: `${path}.cn_code`,
      message:
        'Electricity (CN 2716 00 00) is declared in MWh with grid emission factors (Annex IV point 4.3), not per tonne; ' +
        'this agent covers goods declared in tonnes',
    });
  }
  const country = line.country_of_origin;
  if (!isIsoAlpha2(country)) {
    issues.push({
      path: `${path}.country_of_origin`,
      message: `Unknown country code "${country}": expected an ISO 3166-1 alpha-2 code such as CN, IN, TR, US`,
    });
  } else if (EU_MEMBER_STATES.has(country) || EU_CUSTOMS_TERRITORIES.has(country)) {
    issues.push({
      path: `${path}.country_of_origin`,
      message: `${country} is in the EU customs territory: goods originating there are not CBAM imports`,
    });
  } else if (ANNEX_III_COUNTRIES.has(country)) {
    issues.push({
      path: `${path}.country_of_origin`,
      message: `${country} is listed in Annex III to Regulation (EU) 2023/956: goods originating there are outside CBAM`,
    });
  }
  if (issues.length > before || !scope.inScope) return undefined;

  const found = findDefaults(catalogue, line.cn_code, country, period.start, period.phase, allowOther);
  const defaults = found.kind === 'found' ? found.defaults : undefined;
  const reason = found.kind === 'found' ? `CN ${formatCn(line.cn_code)}` : found.message;
  const emissions = lineEmissions(line, path, scope.entry, period, defaults, reason);
  if (Array.isArray(emissions)) {
    const hint = found.kind === 'country' && found.hint ? ` ${found.hint}` : '';
    issues.push(...emissions.map((i) => ({ path: i.path, message: `${i.message}${hint}` })));
    return undefined;
  }
  return { line, index, good: scope.entry, defaults, emissions };
}

function assemble(
  input: CbamInput,
  period: ReportPeriod,
  resolved: readonly Resolved[],
): AgentRunOutput<CbamOutput> {
  const definitive = period.phase === 'definitive';
  const price = input.carbon_price_eur_per_tco2e ?? null;
  const factor = definitive ? cbamFactor(period.year) : null;
  const cscf = input.cross_sectoral_correction_factor ?? null;
  const notes: string[] = [];
  const used = new Map<string, { f: EmissionFactor; lines: number[] }>();
  const factorsUsed: FactorRef[] = [];
  const use = (c: Component, index: number): string | null => {
    if (c.factor === null) return null;
    let u = used.get(c.factor.id);
    if (u === undefined) {
      used.set(c.factor.id, (u = { f: c.factor, lines: [] }));
      factorsUsed.push(refOf(c.factor));
    }
    if (!u.lines.includes(index)) u.lines.push(index);
    return c.factor.id;
  };

  const sums = { quantity: 0, direct: 0, indirect: 0, total: 0, gross: 0, faa: 0, certificates: 0 };
  const lines: CbamLineOutput[] = resolved.map(({ line, index, good, defaults, emissions: em }) => {
    const q = line.quantity_t;
    const component = (c: Component): CbamComponentOutput => ({
      specific_tco2e_per_t: c.specific === null ? null : r6(c.specific),
      embedded_tco2e: c.specific === null ? null : r6(c.specific * q),
      source: c.source,
      factor_id: use(c, index),
    });
    const direct = component(em.direct);
    const indirect = component(em.indirect);
    const total = component(em.total);
    sums.quantity += q;
    sums.direct += (em.direct.specific ?? 0) * q;
    sums.indirect += (em.indirect.specific ?? 0) * q;
    sums.total += (em.total.specific ?? 0) * q;
    notes.push(...em.notes.map((n) => `line ${index}: ${n}`));

    let chargeable: CbamChargeable | null = null;
    if (em.chargeable !== null && factor !== null) {
      const gross = em.chargeable.specific * q;
      const bm = line.free_allocation_benchmark_tco2e_per_t;
      const faaSpecific = bm !== undefined && cscf !== null ? factor * cscf * bm : null;
      const faa = faaSpecific === null ? 0 : faaSpecific * q;
      const certificates = Math.max(0, gross - faa);
      sums.gross += gross;
      sums.faa += faa;
      sums.certificates += certificates;
      chargeable = {
        basis: em.chargeable.basis,
        source: em.chargeable.source,
        base_specific_tco2e_per_t: r6(em.chargeable.base),
        mark_up_rate: em.chargeable.markUp,
        specific_tco2e_per_t: r6(em.chargeable.specific),
        gross_tco2e: r6(gross),
        free_allocation:
          faaSpecific === null || bm === undefined || cscf === null
            ? null
            : {
                benchmark_tco2e_per_t: bm,
                cbam_factor: factor,
                cross_sectoral_correction_factor: cscf,
                specific_tco2e_per_t: r6(faaSpecific),
                adjustment_tco2e: r6(faa),
              },
        certificates_tco2e: r6(certificates),
        cost_eur: price === null ? null : r6(certificates * price),
      };
    }
    return {
      index,
      cn_code: line.cn_code,
      sector: good.sector,
      direct_emissions_only: good.directOnly,
      country_of_origin: line.country_of_origin,
      default_cn:
        defaults && [direct, indirect, total].some((c) => c.source === 'default') ? defaults.cn : null,
      default_region:
        defaults && [direct, indirect, total].some((c) => c.source === 'default') ? defaults.region : null,
      quantity_t: q,
      direct,
      indirect,
      total,
      chargeable,
    };
  });

  notes.push(...periodNotes(input, period, used.size > 0, price));
  const pending = [...used.values()].filter((u) => u.f.pendingVerification).length;
  if (pending > 0) {
    notes.push(
      `${pending} default value(s) used are secondary transcriptions pending verification against the primary publication.`,
    );
  }

  return {
    output: {
      schema_version: CBAM_SCHEMA_VERSION,
      period: {
        quarter: period.quarter,
        start: period.start,
        end: period.end,
        phase: period.phase,
        as_of: period.start,
      },
      lines,
      totals: {
        quantity_t: r6(sums.quantity),
        direct_tco2e: r6(sums.direct),
        indirect_tco2e: r6(sums.indirect),
        total_tco2e: r6(sums.total),
      },
      certificate_obligation: {
        applies: definitive,
        carbon_price_eur_per_tco2e: price,
        cbam_factor: factor,
        cross_sectoral_correction_factor: cscf,
        gross_tco2e: r6(sums.gross),
        free_allocation_adjustment_tco2e: r6(sums.faa),
        certificates_tco2e: r6(sums.certificates),
        cost_eur: definitive ? (price === null ? null : r6(sums.certificates * price)) : 0,
        formula: FREE_ALLOCATION_FORMULA,
      },
      de_minimis: definitive ? deMinimis(resolved, period) : null,
      defaults_used: [...used.values()].map(({ f, lines: l }) => ({
        factor_id: f.id,
        dataset_version: f.datasetVersion,
        value: f.value,
        confidence: f.confidence ?? null,
        pending_verification: f.pendingVerification === true,
        lines: l,
      })),
      notes,
    },
    factorsUsed,
  };
}

function periodNotes(
  input: CbamInput,
  period: ReportPeriod,
  usedDefaults: boolean,
  price: number | null,
): string[] {
  const notes: string[] = [];
  if (period.phase === 'transitional') {
    notes.push(
      `${period.quarter} is in the transitional period (1 Oct 2023 - 31 Dec 2025): embedded emissions are reported, ` +
        'no CBAM certificates are due (obligation 0).',
    );
    if (usedDefaults && period.start > TRANSITIONAL_DEFAULTS_UNRESTRICTED_UNTIL) {
      notes.push(
        'From 1 July 2024 default values may be used only as estimates for up to 20 % of the total embedded ' +
          'emissions of complex goods (Impl. Reg. 2023/1773 Art. 5).',
      );
    }
    if (input.lines.some((l) => l.free_allocation_benchmark_tco2e_per_t !== undefined)) {
      notes.push('Free allocation benchmarks are ignored in the transitional period.');
    }
    return notes;
  }
  notes.push(
    'Default values are increased by the mark-up of Impl. Reg. 2025/2621 Annex I on the total-emissions column; ' +
      'actual values carry no mark-up.',
  );
  if (!input.lines.some((l) => l.free_allocation_benchmark_tco2e_per_t !== undefined)) {
    notes.push(
      'No free allocation benchmark given: no free allocation adjustment applied, so certificates are an upper bound.',
    );
  }
  if (price === null) notes.push('No carbon price given: certificates computed, cost not.');
  notes.push('Not deducted: carbon price effectively paid in the country of origin (Art. 9 Reg. 2023/956).');
  return notes;
}

function deMinimis(resolved: readonly Resolved[], period: ReportPeriod): CbamOutput['de_minimis'] {
  const counted = resolved
    .filter((r) => !DE_MINIMIS.excludedSectors.includes(r.good.sector))
    .reduce((s, r) => s + r.line.quantity_t, 0);
  const within = counted <= DE_MINIMIS.thresholdTonnes;
  return {
    threshold_t: DE_MINIMIS.thresholdTonnes,
    counted_mass_t: r6(counted),
    within_threshold: within,
    note:
      `The ${DE_MINIMIS.thresholdTonnes} t de minimis exemption (${DE_MINIMIS.citation}) is assessed on the importer's ` +
      `net mass for all of ${period.year}, hydrogen and electricity excluded; this ${period.quarter} report counts ` +
      `${r6(counted)} t. ` +
      (within
        ? `Exempt only if the whole year's imports stay at or below ${DE_MINIMIS.thresholdTonnes} t; certificates are shown as if not exempt.`
        : `Above the threshold: the exemption does not apply for ${period.year}.`),
  };
}
