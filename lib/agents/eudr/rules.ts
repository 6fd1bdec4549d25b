/**
 * The legal constants the `eudr` agent applies, each with where it comes from, so a reviewer
 * can check every rule against Regulation (EU) 2023/1115 without reading the code paths.
 * Dates and thresholds that the reference data carries are read from it, not retyped.
 */
import reference from '../../factors/data/eudr_regulation_reference.json' with { type: 'json' };

/**
 * Art. 2(13): deforestation-free = produced on land not subject to deforestation after
 * 31 December 2020 (wood: also harvested without inducing forest degradation after it).
 * Not moved by the postponements (Reg. 2024/3234, 2025/2650).
 */
export const CUTOFF_DATE: string = reference.cutoff_date; // '2020-12-31'

/**
 * Art. 1(2) with Art. 38(1): the Regulation does not apply to relevant products produced
 * before its entry into force, 29 June 2023 (customs document code Y132 "Legacy").
 * Wood products of that age stay under the EU Timber Regulation (Art. 37) until 31 Dec 2028.
 */
export const ENTRY_INTO_FORCE: string = reference.application_dates.entry_into_force; // '2023-06-29'
export const EUTR_TRANSITION_END = '2028-12-31';

/**
 * Art. 2(28): plots of land above 4 hectares (other than for cattle) are described by a
 * polygon; plots up to and including 4 ha may be given as a single point. There is no
 * 1-hectare minimum (a known error of an earlier implementation).
 */
export const POINT_MAX_HA = 4;

/**
 * Tolerance between the geodesic area computed from a polygon and the area the operator
 * declares. Not set by the Regulation: a plausibility check on our side. A plot fails when
 * |computed - declared| > max(relative x declared, absolute_ha): 5 % covers surveying and
 * digitising differences on large plots, 0.1 ha (1 000 m2) keeps small plots from failing
 * on a few metres of GPS error. Callers can override both in `area_tolerance`.
 */
export const DEFAULT_AREA_TOLERANCE = { relative: 0.05, absolute_ha: 0.1 } as const;

/** Art. 16: share of operators the competent authorities check each year, by country risk. */
export const CHECK_RATES = reference.country_benchmarking_2025_1093.competent_authority_check_rates_art16;

/** Annex II point 5 wording of the declaration (as amended; point 4 deleted by Reg. 2025/2650). */
export const DDS_DECLARATION =
  'By submitting this due diligence statement the operator confirms that due diligence in accordance ' +
  'with Regulation (EU) 2023/1115 was carried out and that no or only a negligible risk was found that ' +
  'the relevant products do not comply with Article 3, point (a) or (b), of that Regulation.';

export const REGULATION = 'Regulation (EU) 2023/1115';
