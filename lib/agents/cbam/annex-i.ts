/**
 * Which CN codes are CBAM goods: Annex I to Regulation (EU) 2023/956 (as amended by
 * Regulation (EU) 2025/2083), and which of them count direct emissions only (Annex II).
 *
 * Source: Regulation (EU) 2023/956, Annexes I and II, CELEX 32023R0956
 * (https://eur-lex.europa.eu/eli/reg/2023/956/oj), consolidated 02023R0956-20251020; text
 * checked against verbatim quotations of the annexes in public research notes (the iron and
 * steel exception list, 3105 60 00, 2834 21 00 and 2601 12 00 entries were each found quoted
 * by at least two independent sources). Regulation (EU) 2025/2083 narrowed 2507 00 80 to
 * calcined kaolinic clays and added electricity (2716 00 00) to Annex II.
 *
 * Matching is by CN prefix as the annex itself writes it (a 4-digit heading covers every
 * code under it; "72" covers the chapter minus its listed exceptions). This is scope only:
 * default VALUES never fall back to a heading or chapter here (see defaults.ts).
 */

export type CbamSector =
  'cement' | 'electricity' | 'fertilisers' | 'iron-and-steel' | 'aluminium' | 'hydrogen';

export interface AnnexIEntry {
  /** CN prefix as written in the annex, digits only (e.g. `72`, `7208`, `25070080`). */
  readonly cn: string;
  readonly description: string;
  readonly sector: CbamSector;
  /** Listed in Annex II: only direct emissions count in the definitive period (Art. 7(1)). */
  readonly directOnly: boolean;
  readonly except?: readonly { readonly cn: string; readonly description: string }[];
}

const e = (
  cn: string,
  sector: CbamSector,
  directOnly: boolean,
  description: string,
  except?: AnnexIEntry['except'],
): AnnexIEntry => ({ cn, sector, directOnly, description, ...(except ? { except } : {}) });

export const ANNEX_I: readonly AnnexIEntry[] = [
  // Cement: direct + indirect.
  e('25070080', 'cement', false, 'Other kaolinic clays (calcined only, Reg. 2025/2083)'),
  e('25231000', 'cement', false, 'Cement clinkers'),
  e('25232100', 'cement', false, 'White Portland cement'),
  e('25232900', 'cement', false, 'Other Portland cement'),
  e('25233000', 'cement', false, 'Aluminous cement'),
  e('25239000', 'cement', false, 'Other hydraulic cements'),
  // Electricity: Annex II since Reg. 2025/2083.
  e('27160000', 'electricity', true, 'Electrical energy'),
  // Fertilisers: direct + indirect.
  e('28080000', 'fertilisers', false, 'Nitric acid; sulphonitric acids'),
  e('2814', 'fertilisers', false, 'Ammonia, anhydrous or in aqueous solution'),
  e('28342100', 'fertilisers', false, 'Nitrates of potassium'),
  e('3102', 'fertilisers', false, 'Mineral or chemical fertilisers, nitrogenous'),
  e(
    '3105',
    'fertilisers',
    false,
    'Mineral or chemical fertilisers containing N, P and/or K; other fertilisers',
    [
      {
        cn: '31056000',
        description: 'Fertilisers containing the two fertilising elements phosphorus and potassium',
      },
    ],
  ),
  // Iron and steel: sintered ore is the one iron-and-steel good outside Annex II.
  e(
    '26011200',
    'iron-and-steel',
    false,
    'Agglomerated iron ores and concentrates, other than roasted iron pyrites',
  ),
  e('72', 'iron-and-steel', true, 'Iron and steel', [
    { cn: '72022', description: 'Ferro-silicon' },
    { cn: '72023000', description: 'Ferro-silico-manganese' },
    { cn: '72025000', description: 'Ferro-silico-chromium' },
    { cn: '72027000', description: 'Ferro-molybdenum' },
    { cn: '72028000', description: 'Ferro-tungsten and ferro-silico-tungsten' },
    { cn: '72029100', description: 'Ferro-titanium and ferro-silico-titanium' },
    { cn: '72029200', description: 'Ferro-vanadium' },
    { cn: '72029300', description: 'Ferro-niobium' },
    { cn: '720299', description: 'Other ferro-alloys (ferro-phosphorus, ferro-silico-magnesium, other)' },
    { cn: '7204', description: 'Ferrous waste and scrap; remelting scrap ingots of iron or steel' },
  ]),
  e('7301', 'iron-and-steel', true, 'Sheet piling; welded angles, shapes and sections, of iron or steel'),
  e('7302', 'iron-and-steel', true, 'Railway or tramway track construction material of iron or steel'),
  e('730300', 'iron-and-steel', true, 'Tubes, pipes and hollow profiles, of cast iron'),
  e('7304', 'iron-and-steel', true, 'Tubes, pipes and hollow profiles, seamless, of iron or steel'),
  e('7305', 'iron-and-steel', true, 'Other tubes and pipes, external diameter > 406,4 mm, of iron or steel'),
  e('7306', 'iron-and-steel', true, 'Other tubes, pipes and hollow profiles, of iron or steel'),
  e('7307', 'iron-and-steel', true, 'Tube or pipe fittings, of iron or steel'),
  e('7308', 'iron-and-steel', true, 'Structures and parts of structures, of iron or steel (excl. 9406)'),
  e('730900', 'iron-and-steel', true, 'Reservoirs, tanks, vats > 300 l, of iron or steel'),
  e('7310', 'iron-and-steel', true, 'Tanks, casks, drums, cans, boxes <= 300 l, of iron or steel'),
  e('731100', 'iron-and-steel', true, 'Containers for compressed or liquefied gas, of iron or steel'),
  e('7318', 'iron-and-steel', true, 'Screws, bolts, nuts, rivets, washers and similar, of iron or steel'),
  e('7326', 'iron-and-steel', true, 'Other articles of iron or steel'),
  // Aluminium (7602 scrap and 7615 household articles are not listed).
  e('7601', 'aluminium', true, 'Unwrought aluminium'),
  e('7603', 'aluminium', true, 'Aluminium powders and flakes'),
  e('7604', 'aluminium', true, 'Aluminium bars, rods and profiles'),
  e('7605', 'aluminium', true, 'Aluminium wire'),
  e('7606', 'aluminium', true, 'Aluminium plates, sheets and strip, > 0,2 mm'),
  e('7607', 'aluminium', true, 'Aluminium foil, <= 0,2 mm'),
  e('7608', 'aluminium', true, 'Aluminium tubes and pipes'),
  e('76090000', 'aluminium', true, 'Aluminium tube or pipe fittings'),
  e('7610', 'aluminium', true, 'Aluminium structures and parts of structures'),
  e('76110000', 'aluminium', true, 'Aluminium reservoirs, tanks, vats > 300 l'),
  e('7612', 'aluminium', true, 'Aluminium casks, drums, cans, boxes <= 300 l'),
  e('76130000', 'aluminium', true, 'Aluminium containers for compressed or liquefied gas'),
  e('7614', 'aluminium', true, 'Stranded wire, cables, plaited bands, of aluminium, not insulated'),
  e('7616', 'aluminium', true, 'Other articles of aluminium'),
  // Hydrogen (Annex I "Chemicals"; Annex II).
  e('28041000', 'hydrogen', true, 'Hydrogen'),
];

export type CnClassification =
  | { readonly inScope: true; readonly entry: AnnexIEntry }
  | { readonly inScope: false; readonly reason: string };

/** Formats 8 digits as the CN writes them: `7208 51 20`. */
export function formatCn(cn: string): string {
  return [cn.slice(0, 4), cn.slice(4, 6), cn.slice(6, 8)].filter(Boolean).join(' ');
}

const HEADINGS_HINT = ANNEX_I.map((a) => formatCn(a.cn)).join(', ');

/** Classifies an 8-digit CN code against Annex I. */
export function classifyCn(cn8: string): CnClassification {
  for (const entry of ANNEX_I) {
    if (!cn8.startsWith(entry.cn)) continue;
    const excluded = entry.except?.find((x) => cn8.startsWith(x.cn));
    if (excluded) {
      return {
        inScope: false,
        reason:
          `CN ${formatCn(cn8)} (${excluded.description}) is excluded from CBAM: Annex I to Regulation (EU) ` +
          `2023/956 lists "${formatCn(entry.cn)} ${entry.description}" except ${formatCn(excluded.cn)}.`,
      };
    }
    return { inScope: true, entry };
  }
  return {
    inScope: false,
    reason:
      `CN ${formatCn(cn8)} is not a CBAM good (not listed in Annex I to Regulation (EU) 2023/956). ` +
      `CBAM CN codes start with: ${HEADINGS_HINT}.`,
  };
}
