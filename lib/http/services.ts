/**
 * The services every route handler reaches through `ctx.services`. The type is shared by the
 * Lambda composition (lambdas/api/services.ts) and the local platform (createServices).
 */
import type { FactorCatalogue } from '../factors/catalogue.js';
import type { RateLimiter } from '../ports/rate-limiter.js';
import type { AgentRegistryService } from '../services/agent-registry.js';
import type { ApiKeyService } from '../services/api-keys.js';
import type { AuditService } from '../services/audit.js';
import type { ExecutionService } from '../services/executions.js';
import type { FactorService } from '../services/factors.js';
import type { TenantService } from '../services/tenants.js';

export interface AppServices {
  readonly tenants: TenantService;
  readonly registry: AgentRegistryService;
  readonly factors: FactorService;
  readonly audit: AuditService;
  readonly catalogue: FactorCatalogue;
  readonly executions: ExecutionService;
  readonly apiKeys: ApiKeyService;
  readonly limiter: RateLimiter;
  readonly clock: () => Date;
}
