/**
 * Output numbers keep 12 significant digits: enough for any published factor (they carry
 * at most 6-7) while removing binary floating-point noise such as 182.89999999999998,
 * so an auditor re-doing the multiplication by hand gets the printed figure.
 */
export function sig12(x: number): number {
  return x === 0 ? 0 : Number.parseFloat(x.toPrecision(12));
}

/** Finite, non-negative numbers with messages a user can act on. */
export const NON_NEGATIVE_HINT =
  'must be a finite number >= 0 (NaN, Infinity and negative values are rejected)';
