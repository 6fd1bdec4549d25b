/**
 * Daily factor sync: loads the emission-factor datasets shipped with this deployment into
 * the factor store. Idempotent (the store inserts only rows it does not hold), so a new
 * dataset version reaches the database within a day of the deploy that ships it, and a
 * database restored from an older snapshot catches up. It does not fetch from publishers
 * (DESNZ, EPA, EU): datasets are reviewed and shipped in code (lib/factors/datasets).
 */
import type { FactorCatalogue } from '../../factors/catalogue.js';
import type { FactorStore } from '../../ports/factor-store.js';
import { FactorService } from '../factors.js';
import type { JobResult } from './job-result.js';

export async function factorSync(store: FactorStore, catalogue: FactorCatalogue): Promise<JobResult> {
  const loaded = await new FactorService(store).loadCatalogue(catalogue);
  return {
    job: 'factor-sync',
    tenants: 0,
    records: loaded.inserted,
    objects: [],
    details: { ...loaded },
  };
}
