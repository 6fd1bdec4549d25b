/**
 * Freezes the current schema of every event type as `<type>.v<version>.json` under
 * test/fixtures/event-schemas/ (the baseline the compatibility test compares against).
 * Never overwrites: a frozen version is history. Run after bumping a version:
 *   npx tsx test/events/freeze-event-schemas.ts
 */
import { existsSync, writeFileSync } from 'node:fs';
import { format } from 'prettier';
import { EVENT_CATALOGUE, EVENT_TYPES } from '../../lib/domain/events/catalogue.js';
import { eventSchema } from '../../lib/domain/events/validate.js';

export const FIXTURE_DIR = new URL('../fixtures/event-schemas/', import.meta.url);

for (const type of EVENT_TYPES) {
  const file = new URL(`${type}.v${EVENT_CATALOGUE[type].version}.json`, FIXTURE_DIR);
  if (existsSync(file)) continue;
  // Formatted as `npm run lint` (prettier --check) expects.
  writeFileSync(file, await format(JSON.stringify(eventSchema(type)), { parser: 'json' }));
  process.stdout.write(`froze ${file.pathname}\n`);
}
