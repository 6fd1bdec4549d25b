import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../lib/adapters/local/memory-bus.js';
import { createEvent, type DomainEvent } from '../../lib/domain/events/envelope.js';
import { InvalidEventError } from '../../lib/domain/events/validate.js';
import type { EventBus } from '../../lib/ports/event-bus.js';
import { SAMPLE_DETAILS, TENANT } from './samples.js';

const completed = () => createEvent('execution.completed', TENANT, SAMPLE_DETAILS['execution.completed']);
const created = () => createEvent('tenant.created', TENANT, SAMPLE_DETAILS['tenant.created']);

describe('MemoryBus', () => {
  it('implements the EventBus port and delivers to matching subscribers in order', async () => {
    // Prepare
    const bus = new MemoryBus();
    const port: EventBus = bus;
    const all: string[] = [];
    const executions: string[] = [];
    const exact: string[] = [];
    bus.subscribe('*', (e) => void all.push(e.type));
    bus.subscribe('execution.*', (e) => void executions.push(e.type));
    bus.subscribe('tenant.created', (e) => void exact.push(e.type));
    const events = [completed(), created(), completed()];
    // Act
    const result = await port.publish(events);
    // Assess
    expect(result).toEqual({ published: events.map((e) => e.id), deadLettered: [], failed: [] });
    expect(all).toEqual(['execution.completed', 'tenant.created', 'execution.completed']);
    expect(executions).toEqual(['execution.completed', 'execution.completed']);
    expect(exact).toEqual(['tenant.created']);
  });

  it('stops delivering after unsubscribe', async () => {
    const bus = new MemoryBus();
    const seen: DomainEvent[] = [];
    const off = bus.subscribe('*', (e) => void seen.push(e));
    await bus.publish([completed()]);
    off();
    await bus.publish([completed()]);
    expect(seen).toHaveLength(1);
  });

  it('a failing subscriber does not fail the publish or starve the others', async () => {
    const errors: string[] = [];
    const bus = new MemoryBus({ onError: (err, e) => errors.push(`${e.type}: ${(err as Error).message}`) });
    const seen: string[] = [];
    bus.subscribe('*', () => {
      throw new Error('boom');
    });
    bus.subscribe('*', async (e) => {
      await Promise.resolve();
      seen.push(e.id);
    });
    const event = completed();
    const result = await bus.publish([event]);
    expect(result.published).toEqual([event.id]);
    expect(seen).toEqual([event.id]);
    expect(errors).toEqual(['execution.completed: boom']);
  });

  it('validates before delivering anything', async () => {
    const bus = new MemoryBus();
    const seen: string[] = [];
    bus.subscribe('*', (e) => void seen.push(e.id));
    await expect(bus.publish([completed(), createEvent('tenant.created', TENANT, {})])).rejects.toThrow(
      InvalidEventError,
    );
    expect(seen).toEqual([]);
  });
});
