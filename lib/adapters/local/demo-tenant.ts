/**
 * The demo tenant the local platform creates on its first start, so a newcomer can call the
 * API at once. Idempotent: later starts find it by slug and leave it as it is.
 */
import { SqlTenantStore } from '../sql/tenant-store.sql.js';
import type { TenantScope } from '../../ports/sql.js';
import type { TenantService } from '../../services/tenants.js';

export const DEMO_SLUG = 'demo';
export const DEMO_ADMIN_EMAIL = 'admin@demo.local';

export interface DemoTenant {
  readonly tenantId: string;
  readonly slug: string;
  readonly adminEmail: string;
  /** True when this call created it (first start on this data directory). */
  readonly created: boolean;
}

export async function ensureDemoTenant(scope: TenantScope, tenants: TenantService): Promise<DemoTenant> {
  const existing = await new SqlTenantStore(scope).getBySlug(DEMO_SLUG);
  if (existing) {
    return { tenantId: existing.id, slug: DEMO_SLUG, adminEmail: DEMO_ADMIN_EMAIL, created: false };
  }
  const { tenant } = await tenants.onboard(
    {
      slug: DEMO_SLUG,
      name: 'Demo',
      homeRegion: 'eu-west-1',
      admin: { email: DEMO_ADMIN_EMAIL, displayName: 'Demo admin' },
    },
    'system:local-platform',
  );
  return { tenantId: tenant.id, slug: DEMO_SLUG, adminEmail: DEMO_ADMIN_EMAIL, created: true };
}
