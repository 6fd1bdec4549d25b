/** Public field names are snake_case, like every other agent of the API (GeoJSON members are lowercase too). */
import { describe, expect, it } from 'vitest';
import { eudrAgent } from '../../../lib/agents/eudr/index.js';
import { baseInput, runIssues, runOk } from './fixtures.js';

const SNAKE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/** Every object key in a value, as dotted paths, except under `skip` (top-level keys). */
function keyPaths(v: unknown, skip: readonly string[] = [], at = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => keyPaths(x, [], `${at}${i}.`));
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v)
    .filter(([k]) => !skip.includes(k))
    .flatMap(([k, x]) => [`${at}${k}`, ...keyPaths(x, [], `${at}${k}.`)]);
}

/** Property names declared anywhere in a JSON Schema, as dotted paths. */
function schemaProperties(schema: unknown, at = ''): string[] {
  if (Array.isArray(schema)) return schema.flatMap((s) => schemaProperties(s, at));
  if (schema === null || typeof schema !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(schema) as [string, unknown][]) {
    if (k === 'properties' && v !== null && typeof v === 'object') {
      for (const [name, sub] of Object.entries(v))
        out.push(`${at}${name}`, ...schemaProperties(sub, `${at}${name}.`));
    } else out.push(...schemaProperties(v, at));
  }
  return out;
}

const notSnake = (paths: readonly string[]) => paths.filter((p) => !SNAKE.test(p.split('.').pop() ?? ''));

describe('eudr field names', () => {
  it('every output key is snake_case (provenance belongs to the runner)', async () => {
    const input = baseInput();
    input.plots[0] = { ...input.plots[0], deforestation_date: '2021-01-01' };
    input['product'] = {
      description: 'Cocoa beans',
      trade_name: 'Grade I',
      net_mass_kg: 1000,
      supplementary_unit: { unit: 'p/st', quantity: 40 },
    };
    const out = await runOk(input);
    const paths = keyPaths(out, ['provenance']);
    // The walk reaches the nested objects: statement fields, plot results and GeoJSON properties.
    expect(paths).toEqual(
      expect.arrayContaining([
        'hs_code',
        'annex_i_entry',
        'failed_checks.0.id',
        'plots.0.computed_area_ha',
        'totals.computed_polygon_area_ha',
        'statement.missing_fields',
        'statement.product.supplementary_unit.quantity',
        'statement.geolocation.features.0.properties.production_period.from',
      ]),
    );
    expect(notSnake(paths)).toEqual([]);
  });

  it('every property of the input and output JSON Schemas is snake_case', () => {
    const input = schemaProperties(eudrAgent.inputJsonSchema);
    const output = schemaProperties(eudrAgent.outputJsonSchema);
    expect(input).toEqual(
      expect.arrayContaining([
        'country_of_production',
        'evidence.risk_assessment_done',
        'area_tolerance.absolute_ha',
      ]),
    );
    expect(output).toEqual(expect.arrayContaining(['risk_level', 'statement.blocked_by']));
    expect(notSnake(input)).toEqual([]);
    expect(notSnake(output)).toEqual([]);
  });

  it('rejects the former camelCase names instead of ignoring them', async () => {
    const { hs_code: hsCode, ...rest } = baseInput();
    const issues = await runIssues({ ...rest, hsCode });
    expect(issues).toContainEqual({
      path: 'hs_code',
      message: 'Invalid input: expected string, received undefined',
    });
    expect(issues.find((i) => i.path === '(root)')?.message).toContain('"hsCode"');
  });
});
