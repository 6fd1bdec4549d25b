/** Every check that can fail, with the reason it gives; and how failures block the statement. */
import { describe, expect, it } from 'vitest';
import { baseInput, rectangle, runOk } from './fixtures.js';

type Out = Awaited<ReturnType<typeof runOk>>;

function check(out: Out, id: string) {
  const c = out.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
}

function expectBlocked(out: Out, id: string) {
  expect(out.outcome).toBe('non_compliant');
  expect(out.failed_checks.map((f) => f.id)).toContain(id);
  expect(out.statement.status).toBe('blocked');
  expect(out.statement.blocked_by).toContain(id);
  expect(out.statement.declaration).toBeNull();
}

describe('eudr failing checks', () => {
  it('annex_i_scope: an Annex I code of another commodity fails', async () => {
    const out = await runOk({ ...baseInput(), hs_code: '0901 21 00' });
    const c = check(out, 'annex_i_scope');
    expect(c.status).toBe('fail');
    expect(c.reason).toBe(
      "HS code 09012100 is listed in Annex I under coffee ('0901' Coffee, whether or not roasted or decaffeinated; husks and skins; substitutes containing coffee), not under the declared commodity cocoa",
    );
    expectBlocked(out, 'annex_i_scope');
  });

  it('annex_i_scope passes with a warning on an "ex" (partial) heading', async () => {
    const out = await runOk({ ...baseInput(), commodity: 'rubber', hs_code: '4011 10 00' });
    const c = check(out, 'annex_i_scope');
    expect(c.status).toBe('pass');
    expect(c.reason).toContain(
      'only part of the heading is covered, confirm the product is: New pneumatic tyres of rubber',
    );
    expect(out.annex_i_entry.partial).toBe(true);
  });

  it('geometry_valid: a self-intersecting (bow-tie) polygon fails with the crossing point', async () => {
    const input = baseInput();
    input.plots = [
      {
        id: 'bowtie',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [0.01, 0.01],
              [0.01, 0],
              [0, 0.01],
              [0, 0],
            ],
          ],
        },
        area_ha: 60,
      },
    ];
    const out = await runOk(input);
    const c = check(out, 'geometry_valid');
    expect(c.status).toBe('fail');
    expect(c.reason).toBe(
      'plot bowtie: ring edges cross at [0.005, 0.005] (self-intersection, 1 crossing point(s))',
    );
    expect(c.plots).toEqual(['bowtie']);
    // The area of an invalid polygon is not compared.
    expect(out.plots[0]?.area.status).toBe('not_applicable');
    expectBlocked(out, 'geometry_valid');
  });

  it('geometry_valid: a spike (vertex lying on another edge) fails via boolean-valid', async () => {
    const input = baseInput();
    input.plots = [
      {
        id: 'spike',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [0.01, 0],
              [0.01, 0.01],
              [0.005, 0],
              [0, 0.01],
              [0, 0],
            ],
          ],
        },
      },
    ];
    const out = await runOk(input);
    const c = check(out, 'geometry_valid');
    expect(c.status).toBe('fail');
    expect(c.reason).toMatch(/^plot spike: /);
  });

  it('declared_area: a declared area outside the tolerance fails with the numbers', async () => {
    const input = baseInput();
    input.plots = [{ id: 'big', geometry: rectangle(0, 0, 0.01, 0.01), area_ha: 100 }];
    // computed 123.6435 ha; |123.6435 - 100| = 23.6435 > max(5 % x 100, 0.1) = 5
    const out = await runOk(input);
    const c = check(out, 'declared_area');
    expect(c.status).toBe('fail');
    expect(c.reason).toBe(
      'plot big: computed 123.6435 ha vs declared 100 ha: difference 23.6435 ha (23.64 %), allowed ±5 ha',
    );
    expectBlocked(out, 'declared_area');
  });

  it('deforestation_cutoff: land deforested after 31 December 2020 fails', async () => {
    const input = baseInput();
    input.plots[0] = { ...input.plots[0], deforestation_date: '2021-01-01' };
    const out = await runOk(input);
    const c = check(out, 'deforestation_cutoff');
    expect(c.status).toBe('fail');
    expect(c.reason).toBe(
      'plot CI-001: land deforested on 2021-01-01, after the cut-off date 2020-12-31. Products containing commodities from these plots may not be placed on the market',
    );
    expect(c.plots).toEqual(['CI-001']);
    expectBlocked(out, 'deforestation_cutoff');
  });

  it('deforestation_cutoff: deforestation on the cut-off date itself passes', async () => {
    const input = baseInput();
    input.plots[0] = { ...input.plots[0], deforestation_date: '2020-12-31' };
    const out = await runOk(input);
    expect(check(out, 'deforestation_cutoff').status).toBe('pass');
  });

  it('deforestation_cutoff: wood harvested with forest degradation after the cut-off fails', async () => {
    const input = {
      ...baseInput(),
      commodity: 'wood',
      hs_code: '4403 49',
      product: { description: 'Logs', scientific_name: 'Tectona grandis', net_mass_kg: 5000 },
    };
    input.plots[0] = { ...input.plots[0], forest_degradation_date: '2022-05-01' };
    const out = await runOk(input);
    const c = check(out, 'deforestation_cutoff');
    expect(c.status).toBe('fail');
    expect(c.reason).toContain(
      'plot CI-001: forest degradation on 2022-05-01, after the cut-off date 2020-12-31',
    );
  });

  it('deforestation_cutoff: forest degradation alone does not fail a non-wood commodity (noted)', async () => {
    const input = baseInput();
    input.plots[0] = { ...input.plots[0], forest_degradation_date: '2022-05-01' };
    const out = await runOk(input);
    expect(check(out, 'deforestation_cutoff').status).toBe('pass');
    expect(out.notes.join(' ')).toContain('forest_degradation_date is only assessed for wood');
  });

  it('deforestation_cutoff: missing deforestation-free evidence fails', async () => {
    const input = {
      ...baseInput(),
      evidence: {
        deforestation_free: false,
        legally_produced: true,
        risk_assessment_done: true,
        risk_negligible: true,
      },
    };
    const out = await runOk(input);
    const c = check(out, 'deforestation_cutoff');
    expect(c.status).toBe('fail');
    expect(c.reason).toBe(
      'no adequately conclusive and verifiable information that the products are deforestation-free (evidence.deforestation_free is false)',
    );
  });

  it('legality: missing legality evidence fails', async () => {
    const input = {
      ...baseInput(),
      evidence: {
        deforestation_free: true,
        legally_produced: false,
        risk_assessment_done: true,
        risk_negligible: true,
      },
    };
    const out = await runOk(input);
    const c = check(out, 'legality');
    expect(c.status).toBe('fail');
    expect(c.reason).toContain('evidence.legally_produced is false');
    expectBlocked(out, 'legality');
  });

  it('risk_assessment: standard risk without an Art. 10 assessment fails', async () => {
    const input = { ...baseInput(), evidence: { deforestation_free: true, legally_produced: true } };
    const out = await runOk(input);
    const c = check(out, 'risk_assessment');
    expect(c.status).toBe('fail');
    expect(c.reason).toBe('standard-risk country: no Art. 10 risk assessment is recorded');
    expectBlocked(out, 'risk_assessment');
  });

  it('risk_assessment: high risk with a non-negligible conclusion fails', async () => {
    const input = {
      ...baseInput(),
      country_of_production: 'MM',
      evidence: {
        deforestation_free: true,
        legally_produced: true,
        risk_assessment_done: true,
        risk_negligible: false,
      },
    };
    const out = await runOk(input);
    const c = check(out, 'risk_assessment');
    expect(c.status).toBe('fail');
    expect(c.reason).toMatch(
      /^high-risk country: the risk assessment .* did not conclude that the risk is negligible/,
    );
  });

  it('risk_assessment: low risk loses simplified due diligence when risk is indicated (Art. 13(2))', async () => {
    const input = {
      ...baseInput(),
      country_of_production: 'DE',
      evidence: { deforestation_free: true, legally_produced: true, risk_indications: true },
    };
    const out = await runOk(input);
    expect(out.due_diligence).toBe('full');
    const c = check(out, 'risk_assessment');
    expect(c.status).toBe('fail');
    expect(c.reason).toContain('Art. 13(2)');
  });

  it('several failures are all reported, in check order', async () => {
    const input = { ...baseInput(), evidence: { deforestation_free: false, legally_produced: false } };
    const out = await runOk(input);
    expect(out.failed_checks.map((f) => f.id)).toEqual([
      'deforestation_cutoff',
      'legality',
      'risk_assessment',
    ]);
  });
});

describe('eudr production date (Art. 1(2), 38(1))', () => {
  it('products produced entirely before 29 June 2023 are out of scope: no statement required', async () => {
    const out = await runOk({ ...baseInput(), production_period: { from: '2022-10-01', to: '2023-06-28' } });
    expect(out.regulation_applies).toBe(false);
    expect(out.outcome).toBe('out_of_scope');
    expect(check(out, 'production_date').status).toBe('not_applicable');
    expect(out.statement.status).toBe('not_required');
  });

  it('old wood points to the EU Timber Regulation transition (Art. 37)', async () => {
    const out = await runOk({
      ...baseInput(),
      commodity: 'wood',
      hs_code: '4407 29',
      production_period: { from: '2023-01-01', to: '2023-03-01' },
    });
    expect(check(out, 'production_date').reason).toContain('EUTR) applies until 2028-12-31');
  });

  it('production spanning the entry into force is in scope', async () => {
    const out = await runOk({ ...baseInput(), production_period: { from: '2023-06-01', to: '2023-07-31' } });
    expect(out.regulation_applies).toBe(true);
    expect(check(out, 'production_date').reason).toContain('Part of the production predates 2023-06-29');
  });

  it('a plot period after the input period extends the span', async () => {
    const input = { ...baseInput(), production_period: { from: '2022-01-01', to: '2022-12-31' } };
    input.plots[1] = { ...input.plots[1], production_period: { from: '2024-01-01', to: '2024-02-01' } };
    const out = await runOk(input);
    expect(out.regulation_applies).toBe(true);
    expect(out.statement.geolocation.features[1]?.properties.production_period).toEqual({
      from: '2024-01-01',
      to: '2024-02-01',
    });
  });
});

describe('eudr statement', () => {
  it('lists missing Annex II fields: EORI, signatory, date, wood species', async () => {
    const out = await runOk({
      ...baseInput(),
      commodity: 'wood',
      hs_code: '9403 60 10',
      product: { description: 'Wooden table', net_mass_kg: 40 },
      operator: { name: 'X', address: 'Y' },
      assessment_date: undefined,
    });
    expect(out.statement.status).toBe('draft');
    expect(out.statement.missing_fields).toEqual([
      'operator.eori (required for import and export)',
      'product.scientific_name (full scientific name of the wood species)',
      'operator.signatory (name and function of the signatory)',
      'assessment_date (date of the statement)',
    ]);
    expect(out.notes.join(' ')).toContain('Annex I wood entries are transcribed at heading/chapter level');
  });
});
