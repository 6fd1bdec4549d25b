import { SqlAgentRegistryStore } from '../../lib/adapters/sql/agent-registry-store.js';
import { backends, openTestDb } from '../adapters/sql/harness.js';
import { agentRegistryStoreContract } from './agent-registry-store.contract.js';

for (const backend of backends()) {
  agentRegistryStoreContract(`SQL adapter on ${backend}`, async () => {
    const db = await openTestDb(backend);
    let n = 0;
    return {
      store: new SqlAgentRegistryStore(db.scope),
      newTenant: async () => {
        n++;
        const { rows } = await db.scope.withAdmin((tx) =>
          tx.query<{ id: string }>(
            `insert into tenants (slug, name, tier, home_region) values ($1, $2, 'pool', 'eu-west-1') returning id`,
            [`registry-${n}-${Math.random().toString(36).slice(2, 8)}`, `Tenant ${n}`],
          ),
        );
        return rows[0]!.id;
      },
      close: () => db.close(),
    };
  });
}
