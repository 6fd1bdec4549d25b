/**
 * Output numbers keep 12 significant digits: enough for any published factor (they carry
 * at most 6-7) while removing binary floating-point noise such as 182.89999999999998,
 * so an auditor re-doing the multiplication by hand gets the printed figure.
 */
export function sig12(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const exponent = Math.floor(Math.log10(Math.abs(x)));
  // Scaling by a power of ten and rounding is ~10x cheaper than toPrecision + parseFloat on
  // the hot path; outside the range where 10^k is exact, fall back to the string route.
  if (exponent > -11 && exponent < 12) {
    const scale = 10 ** (11 - exponent);
    return Math.round(x * scale) / scale;
  }
  return Number.parseFloat(x.toPrecision(12));
}

/** Finite, non-negative numbers with messages a user can act on. */
export const NON_NEGATIVE_HINT =
  'must be a finite number >= 0 (NaN, Infinity and negative values are rejected)';
