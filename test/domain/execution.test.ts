import { describe, expect, it } from 'vitest';
import {
  EXECUTION_STATUSES,
  EXECUTION_TRANSITIONS,
  IllegalExecutionTransitionError,
  assertTransition,
  canTransition,
  guardOf,
  isTerminal,
  type ExecutionStatus,
} from '../../lib/domain/execution.js';
import { newExecutionId, assertExecutionId, assertTenantId } from '../../lib/domain/execution-ids.js';
import { ValidationError } from '../../lib/domain/errors.js';

/** The allowed transitions, written out independently of the table under test. */
const ALLOWED = new Set([
  'PENDING->RUNNING',
  'PENDING->CANCELLED',
  'RUNNING->COMPLETED',
  'RUNNING->FAILED',
  'RUNNING->TIMED_OUT',
  'RUNNING->CANCELLED',
  'RUNNING->PENDING',
]);

describe('execution state machine', () => {
  const pairs = EXECUTION_STATUSES.flatMap((from) => EXECUTION_STATUSES.map((to) => [from, to] as const));

  const allowed = pairs.filter(([from, to]) => ALLOWED.has(`${from}->${to}`));
  const refused = pairs.filter(([from, to]) => !ALLOWED.has(`${from}->${to}`));

  it.each(allowed)('allows %s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each(refused)('refuses %s -> %s, naming the allowed next states', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    let err: unknown;
    try {
      assertTransition(from, to);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IllegalExecutionTransitionError);
    expect((err as Error).message).toContain(`from ${from} to ${to}`);
    expect((err as IllegalExecutionTransitionError).details['allowed']).toEqual(EXECUTION_TRANSITIONS[from]);
  });

  it('names terminal states', () => {
    const terminal = EXECUTION_STATUSES.filter(isTerminal);
    expect(terminal).toEqual(['COMPLETED', 'FAILED', 'TIMED_OUT', 'CANCELLED']);
    expect(() => assertTransition('COMPLETED', 'RUNNING')).toThrow('none (terminal)');
  });

  it.each<[ExecutionStatus, ExecutionStatus[], string]>([
    ['RUNNING', ['PENDING'], 'none'],
    ['COMPLETED', ['RUNNING'], 'holder'],
    ['FAILED', ['RUNNING'], 'holder'],
    ['TIMED_OUT', ['RUNNING'], 'holder-or-expired'],
    ['PENDING', ['RUNNING'], 'holder-or-expired'],
    ['CANCELLED', ['PENDING', 'RUNNING'], 'none'],
  ])('guards %s: from %j, lease %s', (to, from, lease) => {
    expect(guardOf(to)).toEqual({ to, from, lease });
  });
});

describe('execution ids', () => {
  it('makes time-ordered UUIDv7 ids that pass validation', () => {
    const a = newExecutionId(new Date('2025-01-01T00:00:00Z'));
    const b = newExecutionId(new Date('2025-01-01T00:00:01Z'));
    expect(a < b).toBe(true);
    expect(a[14]).toBe('7');
    // 2025-01-01T00:00:00Z = 1735689600000 ms = 0x01941f297c00: the first 48 bits
    expect(a.slice(0, 13)).toBe('01941f29-7c00');
    expect(() => assertExecutionId(a)).not.toThrow();
    expect(() => assertExecutionId('01ARZ3NDEKTSV4RRFFQ69G5FAV')).not.toThrow();
  });

  it.each(['', 'TENANT#1', '6f1c2a7e-0000-4000-8000-00000000000G', '6F1C2A7E-0000-4000-8000-000000000000'])(
    'refuses tenant id %j',
    (id) => {
      expect(() => assertTenantId(id)).toThrow(ValidationError);
    },
  );
});
