import { describe, expect, it } from 'vitest';
import {
  IllegalLifecycleTransitionError,
  LIFECYCLE_STAGES,
  assertPromotion,
  canPromote,
  parseStage,
} from '../../lib/domain/lifecycle.js';
import { ValidationError } from '../../lib/domain/errors.js';

const ALLOWED = new Set(['draft->experimental', 'experimental->certified', 'certified->deprecated']);
const pairs = LIFECYCLE_STAGES.flatMap((from) => LIFECYCLE_STAGES.map((to) => [from, to] as const));

describe('agent version lifecycle', () => {
  it.each(pairs.filter(([f, t]) => ALLOWED.has(`${f}->${t}`)))('allows %s -> %s', (from, to) => {
    expect(canPromote(from, to)).toBe(true);
    expect(() => assertPromotion(from, to, 'x@1.0.0')).not.toThrow();
  });

  it.each(pairs.filter(([f, t]) => !ALLOWED.has(`${f}->${t}`)))('refuses %s -> %s', (from, to) => {
    expect(canPromote(from, to)).toBe(false);
    expect(() => assertPromotion(from, to, 'x@1.0.0')).toThrow(IllegalLifecycleTransitionError);
  });

  it('names the allowed next stage, or that deprecated is final', () => {
    expect(() => assertPromotion('draft', 'certified', 'x@1.0.0')).toThrow(
      'x@1.0.0 cannot go from draft to certified. Allowed next: experimental',
    );
    expect(() => assertPromotion('deprecated', 'certified', 'x@1.0.0')).toThrow('none (deprecated is final)');
  });

  it('parses stage names case-insensitively and refuses others', () => {
    expect(parseStage('Certified')).toBe('certified');
    expect(() => parseStage('gold')).toThrow(ValidationError);
    expect(() => parseStage(3)).toThrow(/Allowed: draft, experimental, certified, deprecated/);
  });
});
