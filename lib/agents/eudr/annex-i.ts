/**
 * Annex I of Regulation (EU) 2023/1115 (relevant products and their HS codes), parsed once
 * from the reference data. Matching is by exact code prefix only: a declared code is in scope
 * when it starts with an Annex I heading or subheading. A bare chapter ("18") or a heading
 * the Annex lists only in part by subheading ("0102") never matches: chapter-level fallbacks
 * caused false positives in an earlier implementation.
 */
import reference from '../../factors/data/eudr_regulation_reference.json' with { type: 'json' };

export const COMMODITIES = ['cattle', 'cocoa', 'coffee', 'oil_palm', 'rubber', 'soya', 'wood'] as const;
export type Commodity = (typeof COMMODITIES)[number];

export interface AnnexEntry {
  readonly commodity: Commodity;
  /** Digits a declared code must start with (2 = an Annex chapter such as "Ch. 47"). */
  readonly prefix: string;
  /** The code as printed in the Annex, e.g. "ex 0201" or "9403 30". */
  readonly label: string;
  readonly description: string;
  /** "ex": only part of the heading is covered. */
  readonly partial: boolean;
}

/** Expands one Annex I code cell into digit prefixes; throws on a form it does not know. */
export function expandAnnexCode(cell: string): { prefixes: string[]; partial: boolean } {
  const partial = cell.startsWith('ex ');
  const code = partial ? cell.slice(3) : cell;
  const chapter = /^Ch\. (\d{2})$/.exec(code);
  if (chapter) return { prefixes: [chapter[1]!], partial: true }; // "ex Chapter": bamboo, recovered paper excluded
  const range = /^(\d{4})-(\d{4})$/.exec(code);
  if (range) {
    const prefixes: string[] = [];
    for (let h = Number(range[1]); h <= Number(range[2]); h++) prefixes.push(String(h).padStart(4, '0'));
    return { prefixes, partial: true }; // the Annex marks several of these headings "ex"
  }
  const list = /^(\d{4}) (\d{2}(?:\/\d{2})+)$/.exec(code);
  if (list) return { prefixes: list[2]!.split('/').map((s) => list[1]! + s), partial };
  const plain = /^(\d{4})(?: (\d{2}))?$/.exec(code);
  if (plain) return { prefixes: [plain[1]! + (plain[2] ?? '')], partial };
  throw new Error(`Unrecognised Annex I code form '${cell}' in eudr_regulation_reference.json`);
}

function parseAnnex(): AnnexEntry[] {
  const table = reference.annex_I_hs_codes as unknown as Record<string, unknown>;
  const entries: AnnexEntry[] = [];
  for (const commodity of COMMODITIES) {
    const rows = table[commodity];
    if (!Array.isArray(rows)) throw new Error(`Annex I data has no rows for '${commodity}'`);
    for (const row of rows as [string, string][]) {
      const { prefixes, partial } = expandAnnexCode(row[0]);
      for (const prefix of prefixes)
        entries.push({ commodity, prefix, label: row[0], description: row[1], partial });
    }
  }
  return entries;
}

export const ANNEX_I: readonly AnnexEntry[] = parseAnnex();

/** Annex I codes of one commodity as printed, for "allowed values" hints. */
export function annexLabels(commodity: Commodity): string[] {
  return [...new Set(ANNEX_I.filter((e) => e.commodity === commodity).map((e) => e.label))];
}

/** Strips the spaces and dots people write in HS/CN codes ("1801 00 00", "0901.11"). */
export function normalizeHsCode(raw: string): string {
  return raw.replace(/[\s.]/g, '');
}

export type HsMatch =
  | { readonly kind: 'match'; readonly entry: AnnexEntry }
  /** In Annex I, but under another commodity than the one declared. */
  | { readonly kind: 'other_commodity'; readonly entry: AnnexEntry }
  | { readonly kind: 'invalid'; readonly message: string };

/** Resolves a normalized code against Annex I; the longest (most specific) prefix wins. */
export function matchHsCode(commodity: Commodity, code: string): HsMatch {
  if (!/^\d+$/.test(code)) {
    return {
      kind: 'invalid',
      message: `HS code '${code}' must contain digits only (e.g. '1801' or '1801 00 00')`,
    };
  }
  if (code.length === 2) {
    return {
      kind: 'invalid',
      message:
        `'${code}' is a chapter, not a product code: Annex I lists headings and subheadings, so give at ` +
        `least the 4-digit heading. Annex I codes for ${commodity}: ${annexLabels(commodity).join(', ')}`,
    };
  }
  if (![4, 6, 8, 10].includes(code.length)) {
    return { kind: 'invalid', message: `HS/CN code '${code}' must have 4, 6, 8 or 10 digits` };
  }
  let best: AnnexEntry | undefined;
  for (const e of ANNEX_I) {
    if (!code.startsWith(e.prefix)) continue;
    const better =
      best === undefined ||
      e.prefix.length > best.prefix.length ||
      (e.prefix.length === best.prefix.length && e.commodity === commodity);
    if (better) best = e;
  }
  if (best)
    return best.commodity === commodity
      ? { kind: 'match', entry: best }
      : { kind: 'other_commodity', entry: best };
  const narrower = ANNEX_I.filter((e) => e.prefix.startsWith(code));
  if (narrower.length > 0) {
    const labels = [...new Set(narrower.map((e) => e.label))].join(', ');
    return {
      kind: 'invalid',
      message: `Heading ${code} is only partly in Annex I: give the subheading (${labels})`,
    };
  }
  return {
    kind: 'invalid',
    message:
      `HS code '${code}' is not in Annex I of Regulation (EU) 2023/1115. ` +
      `Annex I codes for ${commodity}: ${annexLabels(commodity).join(', ')}`,
  };
}
