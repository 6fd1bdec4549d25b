/**
 * Env parity: the environment each synthesized function or task gets satisfies the schema its
 * runtime parses (lib/config/runtime-env.ts), and sets no name the runtime does not read. Tokens
 * (Ref, GetAtt, ImportValue) become placeholders of the right shape: an ARN for `...Arn`
 * attributes (or imports of one), a URL inside a JSON string (QUEUE_URLS), a host-like name elsewhere.
 */
import { rmSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { jobEnv, JobEnvSchema } from '../../lib/adapters/jobs/job-env.js';
import { ENVIRONMENTS } from '../../lib/config/environments.js';
import {
  ApiEnvSchema,
  AuthorizerEnvSchema,
  WebhookDeliveryEnvSchema,
  WorkerEnvSchema,
} from '../../lib/config/runtime-env.js';
import { webhookSecretPrefix } from '../../lib/config/webhooks.js';
import { apiStage } from '../../stacks/api-stack.js';
import { addEnvironment, RegionStage } from '../../stacks/app-stage.js';
import type { ApplicationPlane } from '../../stacks/app-stage.js';
import { addBackup } from '../../stacks/backup-stack.js';
import { lakeStage } from '../../stacks/lake-stack.js';
import { addSchedules } from '../../stacks/schedules-stack.js';
import { addWorkers } from '../../stacks/workers-stack.js';
import { template } from './helpers.js';

/** Set by PlatformFunction or the container for the platform, not read by the runtime's schema. */
const PLATFORM_VARS = new Set([
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
  'NODE_OPTIONS',
  'AWS_NODEJS_CONNECTION_REUSE_ENABLED',
]);

/** A CloudFormation value with its tokens replaced by placeholders. */
function placeholder(value: unknown, counter: { n: number }, inJsonString = false): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    let out = '';
    parts.forEach((p, i) => {
      const prev = out;
      out += (i > 0 ? sep : '') + placeholder(p, counter, prev.endsWith('"'));
    });
    return out;
  }
  const n = ++counter.n;
  // A GetAtt of an ARN, or an import of one (its export name says FnGetAtt...Arn).
  const arn =
    'Fn::GetAtt' in v
      ? String((v['Fn::GetAtt'] as unknown[])[1]).endsWith('Arn')
      : /Arn/.test(JSON.stringify(v));
  if (arn) return `arn:aws:iam::000000000000:role/placeholder-${n}`;
  if (inJsonString) return `https://placeholder.invalid/${n}`;
  return `placeholder-${n}`;
}

type Vars = Record<string, string>;

function lambdaEnvironments(stack: Stack): { id: string; vars: Vars }[] {
  const counter = { n: 0 };
  return Object.entries(template(stack).findResources('AWS::Lambda::Function')).map(([id, r]) => {
    const raw =
      (r.Properties as { Environment?: { Variables?: Record<string, unknown> } }).Environment?.Variables ??
      {};
    return {
      id,
      vars: Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, placeholder(v, counter)])),
    };
  });
}

function containerEnvironments(stack: Stack): Vars[] {
  const counter = { n: 0 };
  return Object.values(template(stack).findResources('AWS::ECS::TaskDefinition')).flatMap((r) =>
    (
      r.Properties as { ContainerDefinitions: { Environment?: { Name: string; Value: unknown }[] }[] }
    ).ContainerDefinitions.map((c) =>
      Object.fromEntries((c.Environment ?? []).map((e) => [e.Name, placeholder(e.Value, counter)])),
    ),
  );
}

const byService = (envs: { id: string; vars: Vars }[], service: RegExp) =>
  envs.filter((e) => service.test(e.vars['POWERTOOLS_SERVICE_NAME'] ?? ''));

/** Parses like the runtime and lists the names the runtime would never read. */
function assertRuntimeReads(schema: z.ZodObject, vars: Vars): z.output<typeof schema> {
  const parsed = schema.safeParse(vars);
  expect(parsed.error?.issues ?? []).toEqual([]);
  const unread = Object.keys(vars).filter((k) => !(k in schema.shape) && !PLATFORM_VARS.has(k));
  expect(unread).toEqual([]);
  return parsed.data!;
}

const app = new App();
const stages = addEnvironment(app, ENVIRONMENTS.prod, [
  apiStage,
  addWorkers,
  lakeStage,
  addBackup,
  addSchedules,
]).filter((s): s is RegionStage => s instanceof RegionStage);
afterAll(() => rmSync(app.outdir, { recursive: true, force: true }));
const planeOf = (role: 'primary' | 'secondary'): ApplicationPlane =>
  stages.find((s) => s.foundation.role === role)!.plane;

describe('runtime environments (primary region)', () => {
  const plane = planeOf('primary');

  it('the Lambda worker: WorkerEnvSchema with IAM auth as the app login user, the bus and the cache', () => {
    const [worker] = byService(lambdaEnvironments(plane.workers!), /^glaf-worker$/);
    const env = assertRuntimeReads(WorkerEnvSchema, worker!.vars) as z.output<typeof WorkerEnvSchema>;
    expect(env.EVENT_BUS_NAME).toBeDefined();
    expect(env.REDIS_URL).toMatch(/^rediss:\/\//);
    // The Lambda fleet consumes the batch queue too (its own event source).
    expect(Object.keys(env.QUEUE_URLS).sort()).toEqual(['P0', 'P1', 'P2', 'P3', 'batch']);
    expect(env.DB_IAM_AUTH).toBe('true');
    expect(env.GLAF_DB_ROLE_PREFIX).toBe(ENVIRONMENTS.prod.aurora.rolePrefix);
    const url = new URL(env.DATABASE_URL!);
    expect(url.username).toBe(`${ENVIRONMENTS.prod.aurora.rolePrefix}_api`);
    expect(url.password).toBe('');
    expect(url.searchParams.get('sslmode')).toBe('verify-full');
  });

  it('the Fargate worker container: the same schema and values', () => {
    const [container] = containerEnvironments(plane.workers!);
    const env = assertRuntimeReads(WorkerEnvSchema, container!) as z.output<typeof WorkerEnvSchema>;
    expect(env.AWS_REGION).toBe(plane.workers!.region);
    expect(Object.keys(env.QUEUE_URLS).sort()).toEqual(['P0', 'P1', 'P2', 'P3']);
    expect(env.EVENT_BUS_NAME).toBeDefined();
    expect(env.DB_IAM_AUTH).toBe('true');
  });

  it('every API route function: ApiEnvSchema with IAM auth', () => {
    const routes = byService(lambdaEnvironments(plane.api!), /^api-(?!authorizer)/);
    expect(routes.length).toBeGreaterThanOrEqual(4);
    const envs = routes.map((r) => assertRuntimeReads(ApiEnvSchema, r.vars) as z.output<typeof ApiEnvSchema>);
    expect(envs.map((e) => e.DB_IAM_AUTH)).toEqual(routes.map(() => 'true'));
    expect(envs.map((e) => new URL(e.DATABASE_URL).password)).toEqual(routes.map(() => ''));
    const executions = envs.find((e) => e.ROUTE_GROUP === 'executions')!;
    expect(Object.keys(executions.QUEUE_URLS ?? {})).toContain('P0');
  });

  it('the webhook delivery function: WebhookDeliveryEnvSchema with IAM auth as the app login user', () => {
    const [fn] = byService(lambdaEnvironments(plane.workers!), /^webhook-delivery$/);
    const env = assertRuntimeReads(WebhookDeliveryEnvSchema, fn!.vars) as z.output<
      typeof WebhookDeliveryEnvSchema
    >;
    expect(env.DB_IAM_AUTH).toBe('true');
    expect(new URL(env.DATABASE_URL).username).toBe(`${ENVIRONMENTS.prod.aurora.rolePrefix}_api`);
    expect(env.WEBHOOK_SECRET_PREFIX).toBe(webhookSecretPrefix(ENVIRONMENTS.prod.name));
  });

  it('the authorizer: AuthorizerEnvSchema with IAM auth', () => {
    const [authorizer] = byService(lambdaEnvironments(plane.api!), /^api-authorizer$/);
    const env = assertRuntimeReads(AuthorizerEnvSchema, authorizer!.vars) as z.output<
      typeof AuthorizerEnvSchema
    >;
    expect(env.DB_IAM_AUTH).toBe('true');
  });
});

describe('runtime environments (secondary region: no writer)', () => {
  const plane = planeOf('secondary');

  it('the workers run shipped agents only: no database in their environment', () => {
    const [worker] = byService(lambdaEnvironments(plane.workers!), /^glaf-worker$/);
    const [container] = containerEnvironments(plane.workers!);
    for (const vars of [worker!.vars, container!]) {
      const env = assertRuntimeReads(WorkerEnvSchema, vars) as z.output<typeof WorkerEnvSchema>;
      expect(env.DATABASE_URL).toBeUndefined();
      expect(env.EVENT_BUS_NAME).toBeDefined();
    }
  });

  it('the API functions and the authorizer parse with their schemas', () => {
    const fns = lambdaEnvironments(plane.api!);
    const routes = byService(fns, /^api-(?!authorizer)/);
    expect(routes.length).toBeGreaterThanOrEqual(4);
    for (const r of routes) assertRuntimeReads(ApiEnvSchema, r.vars);
    assertRuntimeReads(AuthorizerEnvSchema, byService(fns, /^api-authorizer$/)[0]!.vars);
  });
});

describe('scheduled jobs', () => {
  it('each job function parses with the jobs schema, IAM auth on', () => {
    const jobs = lambdaEnvironments(planeOf('primary').schedules!).filter((j) => j.vars['DATABASE_URL']);
    expect(jobs.length).toBeGreaterThanOrEqual(5);
    for (const j of jobs) {
      assertRuntimeReads(JobEnvSchema, j.vars);
      expect(jobEnv(['DATABASE_URL'], j.vars)).toMatchObject({ DB_IAM_AUTH: 'true' });
    }
  });
});
