/**
 * Builds an environment's stages (bundling off, see setup.ts) and hands out templates.
 * One build per environment per test file: constructing the stacks is the slow part.
 */
import { App } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { EnvironmentConfig, EnvironmentName, SiloTenant } from '../../lib/config/app-config.js';
import { ENVIRONMENTS } from '../../lib/config/environments.js';
import { addEnvironment, RegionStage, SiloTenantStage } from '../../stacks/app-stage.js';
import type { ApplicationPlane, Foundation } from '../../stacks/app-stage.js';
import { APPLICATION_PLANE } from '../../stacks/application-plane.js';

export const SILO_TENANTS: readonly SiloTenant[] = [
  { tenantId: '11111111-1111-4111-8111-111111111111', account: '555555555555', homeRegion: 'eu-west-1' },
  { tenantId: '22222222-2222-4222-8222-222222222222', account: '666666666666', homeRegion: 'eu-central-1' },
  { tenantId: '33333333-3333-4333-8333-333333333333', account: '777777777777', homeRegion: 'eu-west-1' },
];

export interface BuiltEnvironment {
  readonly app: App;
  readonly config: EnvironmentConfig;
  readonly primary: Foundation;
  readonly secondary: Foundation;
  readonly silos: Foundation[];
  /** The application-plane stacks of each stage (same order as above). */
  readonly planes: {
    readonly primary: ApplicationPlane;
    readonly secondary: ApplicationPlane;
    readonly silos: ApplicationPlane[];
  };
}

const cache = new Map<string, BuiltEnvironment>();

export function withSilos(
  name: EnvironmentName,
  tenants: readonly SiloTenant[] = SILO_TENANTS,
): EnvironmentConfig {
  const base = ENVIRONMENTS[name];
  // Each silo tenant's API domain needs a certificate in its own account and home region.
  const certificateArns = Object.fromEntries(
    tenants.map((t, i) => [
      t.tenantId,
      `arn:aws:acm:${t.homeRegion}:${t.account}:certificate/00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
    ]),
  );
  return {
    ...base,
    siloTenants: [...tenants],
    api: { ...base.api, certificateArns: { ...base.api.certificateArns, ...certificateArns } },
  };
}

export function buildEnvironment(
  name: EnvironmentName,
  config: EnvironmentConfig = ENVIRONMENTS[name],
): BuiltEnvironment {
  const key = `${name}:${config.siloTenants.length}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const app = new App();
  const stages = addEnvironment(app, config, APPLICATION_PLANE);
  const regions = stages.filter((s): s is RegionStage => s instanceof RegionStage);
  const primary = regions.find((s) => s.foundation.role === 'primary')!;
  const secondary = regions.find((s) => s.foundation.role === 'secondary')!;
  const silos = stages.filter((s): s is SiloTenantStage => s instanceof SiloTenantStage);
  const built: BuiltEnvironment = {
    app,
    config,
    primary: primary.foundation,
    secondary: secondary.foundation,
    silos: silos.map((s) => s.foundation),
    planes: { primary: primary.plane, secondary: secondary.plane, silos: silos.map((s) => s.plane) },
  };
  cache.set(key, built);
  return built;
}

const templates = new WeakMap<Stack, Template>();
export function template(stack: Stack): Template {
  let t = templates.get(stack);
  if (!t) templates.set(stack, (t = Template.fromStack(stack)));
  return t;
}

/** IAM `StringLike`: `*` any run of characters, `?` exactly one, case-sensitive. */
export function iamStringLike(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${re}$`).test(value);
}

/** Replaces `${aws:PrincipalTag/<key>}` policy variables with the session's tag values. */
export function substituteTags(pattern: string, tags: Readonly<Record<string, string>>): string {
  return pattern.replace(/\$\{aws:PrincipalTag\/([^}]+)\}/g, (_, k: string) => tags[k] ?? '\u0000no-tag');
}

/* Named assertion helpers (the lint rule knows `assert*`): thin wrappers over Template's checks. */
export function assertHasResource(t: Template, type: string, props: unknown): void {
  t.hasResourceProperties(type, props);
}
export function assertHasResourceDefinition(t: Template, type: string, definition: unknown): void {
  t.hasResource(type, definition);
}
export function assertAllResources(t: Template, type: string, props: unknown): void {
  t.allResourcesProperties(type, props);
}
export function assertResourceCount(t: Template, type: string, count: number): void {
  t.resourceCountIs(type, count);
}
