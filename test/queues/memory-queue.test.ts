import { MemoryQueue } from '../../lib/adapters/local/memory-queue.js';
import { queueContract } from './queue.contract.js';

queueContract('in-process MemoryQueue', () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const queue = new MemoryQueue({ clock: () => now });
  return Promise.resolve({ queue, advance: (ms) => void (now += ms), close: () => Promise.resolve() });
});
