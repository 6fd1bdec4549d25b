/**
 * The API stack on its own (only the API extension on the foundation, so other stacks'
 * work in progress cannot hide or cause a failure here): prod, one silo tenant.
 */
import { App } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import {
  apiDomainNames,
  certificateIssues,
  ROUTE_GROUPS,
  routeGroupOf,
  usagePlanRequestsPerDay,
} from '../../lib/config/api.js';
import { UsageKeysEnvSchema } from '../../lib/config/runtime-env.js';
import { platformUsageKey, tenantUsageKey } from '../../lib/config/usage-plans.js';
import { routes } from '../../lib/http/routes/index.js';
import { loginUsers } from '../../lambdas/migrate/migration-event.js';
import { rolesFor } from '../../lib/adapters/sql/roles.js';
import { apiLoginUser, apiStage } from '../../stacks/api-stack.js';
import type { ApiStack } from '../../stacks/api-stack.js';
import { addEnvironment } from '../../stacks/app-stage.js';
import type { RegionStage } from '../../stacks/app-stage.js';
import { MANAGED_RULE_GROUPS } from '../../stacks/constructs/api-waf.js';
import { executionTableName } from '../../stacks/constructs/execution-table.js';
import { ACCESS_LOG_FIELDS } from '../../stacks/constructs/platform-rest-api.js';
import { TENANT_TAG_PATTERN } from '../../stacks/constructs/tenant-role.js';
import {
  SILO_TENANTS,
  assertAllResources,
  assertHasResource,
  assertResourceCount,
  iamStringLike,
  template,
  withSilos,
} from './helpers.js';

const config = withSilos('prod', SILO_TENANTS.slice(0, 1));
const silo = SILO_TENANTS[0]!;
const app = new App();
const stages = addEnvironment(app, config, [apiStage]) as RegionStage[];
const [primary, secondary, siloStage] = stages.map((s) => s.plane.api!) as [ApiStack, ApiStack, ApiStack];
const t = template(primary);

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
const resources = (tpl: Template): Resources => tpl.toJSON().Resources as Resources;
const ofType = (tpl: Template, type: string) =>
  Object.entries(resources(tpl)).filter(([, r]) => r.Type === type);

function functionsByGroup(tpl: Template): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, r] of ofType(tpl, 'AWS::Lambda::Function')) {
    const env = (r.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    const service = env.POWERTOOLS_SERVICE_NAME as string;
    out[(env.ROUTE_GROUP as string | undefined) ?? (service === 'api-authorizer' ? 'authorizer' : service)] =
      id;
  }
  return out;
}

function roleOf(tpl: Template, functionId: string): string {
  return (resources(tpl)[functionId]!.Properties!.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
function statementsOf(tpl: Template, roleId: string): Statement[] {
  return ofType(tpl, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties!.Roles).includes(`"${roleId}"`))
    .flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
}
const actionsOf = (s: Statement): string[] => [s.Action].flat();

describe('route groups', () => {
  it('places every route of the table in a group, by its first segment after /v1', () => {
    const groups = new Set(routes.map((r) => routeGroupOf(r.path)));
    expect([...groups].sort()).toEqual([...ROUTE_GROUPS].sort());
    expect(routeGroupOf('/health')).toBe('system');
    expect(routeGroupOf('/v1/openapi.json')).toBe('system');
    expect(routeGroupOf('/v1/executions/{executionId}/cancel')).toBe('executions');
    expect(routeGroupOf('/v1/batches')).toBe('executions');
    expect(routeGroupOf('/v1/tenants/{tenantId}/offboard')).toBe('control');
    expect(routeGroupOf('/v1/factors/lookup')).toBe('catalog');
    expect(() => routeGroupOf('/v1/unplaced')).toThrow(/no API function group/);
  });
});

describe('ApiStack', () => {
  describe('methods and the authorizer', () => {
    it('is a REQUEST authorizer without identity sources and without a result cache', () => {
      const fns = functionsByGroup(t);
      assertResourceCount(t, 'AWS::ApiGateway::Authorizer', 1);
      assertHasResource(t, 'AWS::ApiGateway::Authorizer', {
        Type: 'REQUEST',
        AuthorizerResultTtlInSeconds: 0,
        IdentitySource: Match.absent(),
        AuthorizerUri: Match.objectLike({
          'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [fns.authorizer, 'Arn'] }])],
        }),
      });
    });

    it('has one method per route: public routes open, every other one behind the authorizer', () => {
      const methods = ofType(t, 'AWS::ApiGateway::Method').map(([, m]) => m.Properties!);
      expect(methods).toHaveLength(routes.length);
      const [authorizerId] = ofType(t, 'AWS::ApiGateway::Authorizer').map(([id]) => id);
      const byName = new Map(methods.map((m) => [m.OperationName as string, m]));
      for (const route of routes) {
        const m = byName.get(route.operationId);
        expect({ op: route.operationId, method: m?.HttpMethod }).toEqual({
          op: route.operationId,
          method: route.method,
        });
        const guarded = route.access !== 'public';
        expect({
          op: route.operationId,
          auth: m!.AuthorizationType,
          id: m!.AuthorizerId,
          // The usage-plan key (named by the authorizer) on every tenant method: plans apply.
          apiKey: m!.ApiKeyRequired,
        }).toEqual({
          op: route.operationId,
          auth: guarded ? 'CUSTOM' : 'NONE',
          id: guarded ? { Ref: authorizerId } : undefined,
          apiKey: guarded ? true : undefined,
        });
      }
      expect(methods.filter((m) => m.AuthorizationType === 'NONE').map((m) => m.OperationName)).toEqual([
        'health',
        'ready',
        'getOpenApi',
      ]);
    });

    it('sends each route to the function of its group (Lambda proxy)', () => {
      const fns = functionsByGroup(t);
      for (const [, m] of ofType(t, 'AWS::ApiGateway::Method')) {
        const p = m.Properties!;
        const route = routes.find((r) => r.operationId === p.OperationName)!;
        const integration = p.Integration as { Type: string; Uri: unknown };
        expect(integration.Type).toBe('AWS_PROXY');
        const uri = JSON.stringify(integration.Uri);
        for (const group of ROUTE_GROUPS) {
          expect({ op: route.operationId, group, targets: uri.includes(`"${fns[group]}"`) }).toEqual({
            op: route.operationId,
            group,
            targets: group === routeGroupOf(route.path),
          });
        }
      }
      // One invoke permission per function for the stage, none for the test console; and the
      // tenant-event rule's for the usage-keys function.
      assertResourceCount(t, 'AWS::Lambda::Permission', ROUTE_GROUPS.length + 2);
    });

    it('validates required path parameters with a request validator', () => {
      assertHasResource(t, 'AWS::ApiGateway::RequestValidator', { ValidateRequestParameters: true });
      const [validatorId] = ofType(t, 'AWS::ApiGateway::RequestValidator').map(([id]) => id);
      assertHasResource(t, 'AWS::ApiGateway::Method', {
        OperationName: 'cancelExecution',
        RequestParameters: { 'method.request.path.executionId': true },
        RequestValidatorId: { Ref: validatorId },
      });
      assertAllResources(t, 'AWS::ApiGateway::Method', { RequestValidatorId: { Ref: validatorId } });
    });

    it('answers its own errors with problem+json like the handler', () => {
      assertHasResource(t, 'AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'UNAUTHORIZED',
        StatusCode: '401',
        ResponseTemplates: {
          'application/problem+json': Match.stringLikeRegexp(
            '"type":"https://glaf.dev/problems/unauthorized"',
          ),
        },
      });
      assertHasResource(t, 'AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'WAF_FILTERED',
        StatusCode: '403',
      });
      // An unknown path is REST API's 403 "Missing Authentication Token": 404 as locally.
      assertHasResource(t, 'AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
        StatusCode: '404',
      });
      // Other errors keep their own status (413, 415, 502, ...) under a problem body.
      assertHasResource(t, 'AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'DEFAULT_4XX',
        StatusCode: Match.absent(),
        ResponseTemplates: { 'application/problem+json': Match.stringLikeRegexp('gateway_error') },
      });
      for (const [, r] of ofType(t, 'AWS::ApiGateway::GatewayResponse')) {
        const body = JSON.parse(
          (r.Properties!.ResponseTemplates as Record<string, string>)['application/problem+json']!,
        ) as Record<string, unknown>;
        expect(body).toMatchObject({ instance: '$context.path', request_id: '$context.requestId' });
        const type = r.Properties!.ResponseType as string;
        expect({ type, status: 'status' in body }).toEqual({ type, status: !type.startsWith('DEFAULT_') });
      }
    });
  });

  describe('the REST API and its stage', () => {
    it('compresses, decodes the handler gzip, reads plan keys from the authorizer, serves only its domain', () => {
      assertHasResource(t, 'AWS::ApiGateway::RestApi', {
        MinimumCompressionSize: 1024,
        BinaryMediaTypes: ['*/*'],
        ApiKeySourceType: 'AUTHORIZER',
        DisableExecuteApiEndpoint: true,
        EndpointConfiguration: { Types: ['REGIONAL'] },
      });
    });

    it('traces with X-Ray, keeps method metrics, logs errors without bodies', () => {
      assertHasResource(t, 'AWS::ApiGateway::Stage', {
        StageName: 'v1',
        TracingEnabled: true,
        MethodSettings: [
          Match.objectLike({ MetricsEnabled: true, LoggingLevel: 'ERROR', DataTraceEnabled: false }),
        ],
      });
    });

    it('writes JSON access logs with the tenant, status and latency to an encrypted log group', () => {
      const [, stage] = ofType(t, 'AWS::ApiGateway::Stage')[0]!;
      const setting = stage.Properties!.AccessLogSetting as { Format: string; DestinationArn: unknown };
      const line = JSON.parse(setting.Format) as Record<string, string>;
      expect(line).toEqual(ACCESS_LOG_FIELDS);
      expect(line).toMatchObject({
        requestId: '$context.requestId',
        tenantId: '$context.authorizer.tenantId',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
      });
      const logGroupId = (setting.DestinationArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
      expect(resources(t)[logGroupId]!.Properties).toMatchObject({
        RetentionInDays: config.logRetentionDays,
      });
      expect(JSON.stringify(resources(t)[logGroupId]!.Properties!.KmsKeyId)).toMatch(/KeysLogs/);
    });
  });

  describe('functions', () => {
    it('runs every route group and the authorizer on arm64 Node 22 in the private subnets', () => {
      const fns = functionsByGroup(t);
      expect(Object.keys(fns).sort()).toEqual([...ROUTE_GROUPS, 'authorizer', 'usage-keys'].sort());
      assertAllResources(t, 'AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: Match.anyValue() },
      });
      const subnets = JSON.stringify(
        ofType(t, 'AWS::Lambda::Function').map(([, f]) => f.Properties!.VpcConfig),
      );
      expect(subnets).toMatch(/AppSubnet/);
      expect(subnets).not.toMatch(/PublicSubnet|DataSubnet/);
    });

    it('gives the route functions the database, table, cache and tenant role; only executions the queues', () => {
      const fns = functionsByGroup(t);
      const user = apiLoginUser(config.aurora.rolePrefix);
      for (const group of ROUTE_GROUPS) {
        const vars = (
          resources(t)[fns[group]!]!.Properties!.Environment as { Variables: Record<string, unknown> }
        ).Variables;
        expect(Object.keys(vars)).toEqual(
          expect.arrayContaining(['DATABASE_URL', 'EXECUTION_TABLE_NAME', 'REDIS_URL', 'TENANT_ROLE_ARN']),
        );
        expect(JSON.stringify(vars.DATABASE_URL)).toMatch(
          new RegExp(`postgres://${user}@.*:5432/agent_factory\\?sslmode=verify-full`),
        );
        expect(JSON.stringify(vars.REDIS_URL)).toMatch(/rediss:\/\//);
        expect(vars.DB_IAM_AUTH).toBe('true');
        expect({ group, queues: 'QUEUE_URLS' in vars }).toEqual({ group, queues: group === 'executions' });
      }
    });

    it('logs in as the migration-created IAM user of the app role (no BYPASSRLS)', () => {
      const prefix = config.aurora.rolePrefix;
      const app = loginUsers(rolesFor(prefix), prefix).find((u) => u.memberOf === rolesFor(prefix).app)!;
      expect(apiLoginUser(prefix)).toBe(app.user);
    });
  });

  describe('least privilege', () => {
    it('grants no wildcard action and no table scan or stream read', () => {
      for (const [, p] of ofType(t, 'AWS::IAM::Policy')) {
        for (const s of (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement) {
          for (const a of actionsOf(s)) {
            expect(a).not.toMatch(/^\*$|:\*$/);
            expect(a).not.toMatch(/^dynamodb:(Scan|GetRecords|GetShardIterator|PartiQL.*|DescribeStream)$/);
          }
        }
      }
    });

    it("has no item access of its own: tenant items only through the tenant role's session", () => {
      const fns = functionsByGroup(t);
      for (const group of ROUTE_GROUPS) {
        const statements = statementsOf(t, roleOf(t, fns[group]!));
        const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
        // The readiness probe's DescribeTable on the table itself is all (metadata, no items).
        expect({ group, actions: dynamo.flatMap(actionsOf) }).toEqual({
          group,
          actions: ['dynamodb:DescribeTable'],
        });
        expect(JSON.stringify(dynamo[0]!.Resource)).not.toMatch(/index/);
        // Nor the table key: DynamoDB uses it with the caller's rights, and the caller is the tenant role.
        const viaDynamo = statements.filter((s) => JSON.stringify(s.Condition ?? {}).includes('dynamodb.'));
        expect({ group, viaDynamo }).toEqual({ group, viaDynamo: [] });
      }
    });

    it('lets only the control group write offboarding exports, under offboarding/ of the audit bucket', () => {
      const fns = functionsByGroup(t);
      const bucket = `glaf-prod-audit-${primary.account}-${primary.region}`;
      const exportsOf = (group: string) => {
        const vars = (
          resources(t)[fns[group]!]!.Properties!.Environment as { Variables: Record<string, unknown> }
        ).Variables;
        const statements = statementsOf(t, roleOf(t, fns[group]!));
        return {
          group,
          bucket: vars.TENANT_EXPORT_BUCKET,
          s3: statements
            .filter((st) => actionsOf(st).some((a) => a.startsWith('s3:')))
            .map((st) => [actionsOf(st), st.Resource]),
          keyViaS3: statements
            .filter((st) => JSON.stringify(st.Condition ?? {}).includes('s3.'))
            .map(actionsOf),
        };
      };
      for (const group of ['system', 'catalog', 'executions', 'authorizer'])
        expect(exportsOf(group)).toEqual({ group, bucket: undefined, s3: [], keyViaS3: [] });
      expect(exportsOf('control')).toEqual({
        group: 'control',
        bucket,
        s3: [
          [
            ['s3:PutObject'],
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${bucket}/offboarding/*`]] },
          ],
        ],
        keyViaS3: [['kms:GenerateDataKey']],
      });
      // A secondary region has no audit bucket and does not offboard (503 there).
      const s = template(secondary);
      const control = functionsByGroup(s).control!;
      const vars = (resources(s)[control]!.Properties!.Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(vars.TENANT_EXPORT_BUCKET).toBeUndefined();
      // A silo tenant's API exports to the audit bucket of its own account.
      const siloVars = (
        resources(template(siloStage))[functionsByGroup(template(siloStage)).control!]!.Properties!
          .Environment as { Variables: Record<string, unknown> }
      ).Variables;
      expect(siloVars.TENANT_EXPORT_BUCKET).toBe(
        `glaf-prod-${silo.tenantId.slice(0, 8)}-audit-${silo.account}-${siloStage.region}`,
      );
    });

    it('lets only the executions group enqueue, and never touch a DLQ', () => {
      const fns = functionsByGroup(t);
      for (const group of [...ROUTE_GROUPS, 'authorizer']) {
        const sqs = statementsOf(t, roleOf(t, fns[group]!)).filter((s) =>
          actionsOf(s).some((a) => a.startsWith('sqs:')),
        );
        expect({ group, sqs: sqs.length }).toEqual({ group, sqs: group === 'executions' ? 1 : 0 });
      }
      const [send] = statementsOf(t, roleOf(t, fns.executions!)).filter((s) =>
        actionsOf(s).includes('sqs:SendMessage'),
      );
      expect(actionsOf(send!).sort()).toEqual(['sqs:GetQueueAttributes', 'sqs:SendMessage']);
      const queues = JSON.stringify(send!.Resource);
      expect(queues).not.toMatch(/dlq/i);
      expect(queues.match(/Queues(P0|P1|P2|P3|batch)[A-Z0-9]/g)).toHaveLength(5);
    });

    it('connects to the proxy as the API login user only', () => {
      const fns = functionsByGroup(t);
      for (const group of [...ROUTE_GROUPS, 'authorizer']) {
        const connect = statementsOf(t, roleOf(t, fns[group]!)).filter((s) =>
          actionsOf(s).includes('rds-db:connect'),
        );
        expect(connect).toHaveLength(1);
        expect(JSON.stringify(connect[0]!.Resource)).toMatch(/dbuser:.*\/glaf_api"/);
      }
    });
  });

  describe('tenant role', () => {
    it('is assumable (with a tag) by the route function roles only, not by the authorizer', () => {
      const fns = functionsByGroup(t);
      const trust = JSON.stringify(template(stages[0]!.foundation.data).toJSON());
      expect(trust).toContain(`role/glaf/${config.name}/api/*`);
      const pattern = `arn:aws:iam::${config.account}:role/glaf/${config.name}/api/*`;
      for (const group of [...ROUTE_GROUPS, 'authorizer']) {
        const role = resources(t)[roleOf(t, fns[group]!)]!.Properties!;
        const arn = `arn:aws:iam::${config.account}:role${role.Path as string}Name`;
        const assume = statementsOf(t, roleOf(t, fns[group]!)).filter((s) =>
          actionsOf(s).includes('sts:AssumeRole'),
        );
        const api = group !== 'authorizer';
        expect({
          group,
          trusted: iamStringLike(pattern, arn),
          actions: assume.flatMap(actionsOf).sort(),
          onTenantRole: assume.filter((x) =>
            /Data:ExportsOutputFnGetAttTenantRole/.test(JSON.stringify(x.Resource)),
          ).length,
        }).toEqual({
          group,
          trusted: api,
          actions: api ? ['sts:AssumeRole', 'sts:TagSession'] : [],
          onTenantRole: api ? 1 : 0,
        });
      }
      expect(iamStringLike(TENANT_TAG_PATTERN, silo.tenantId)).toBe(true);
    });
  });

  describe('WAF', () => {
    it('runs the managed rule groups and a per-IP rate rule, associated with the stage', () => {
      assertHasResource(t, 'AWS::WAFv2::WebACL', {
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        Rules: Match.arrayWith([
          Match.objectLike({
            Name: 'RatePerIp',
            Action: { Block: {} },
            Statement: {
              RateBasedStatement: {
                Limit: config.api.wafRequestsPer5MinPerIp,
                AggregateKeyType: 'IP',
                EvaluationWindowSec: 300,
              },
            },
          }),
          ...MANAGED_RULE_GROUPS.map((name) =>
            Match.objectLike({
              Name: name,
              OverrideAction: { None: {} },
              Statement: { ManagedRuleGroupStatement: Match.objectLike({ VendorName: 'AWS', Name: name }) },
            }),
          ),
        ]),
      });
      expect(MANAGED_RULE_GROUPS).toEqual([
        'AWSManagedRulesCommonRuleSet',
        'AWSManagedRulesKnownBadInputsRuleSet',
        'AWSManagedRulesSQLiRuleSet',
        'AWSManagedRulesAmazonIpReputationList',
      ]);
      const [stageId] = ofType(t, 'AWS::ApiGateway::Stage').map(([id]) => id);
      const [, assoc] = ofType(t, 'AWS::WAFv2::WebACLAssociation')[0]!;
      expect(JSON.stringify(assoc.Properties!.ResourceArn)).toContain(`"${stageId}"`);
      expect(JSON.stringify(assoc.Properties!.ResourceArn)).toContain('/restapis/');
    });

    it('lets large batch bodies through to the handler limit (SizeRestrictions_BODY counts)', () => {
      assertHasResource(t, 'AWS::WAFv2::WebACL', {
        Rules: Match.arrayWith([
          Match.objectLike({
            Name: 'AWSManagedRulesCommonRuleSet',
            Statement: {
              ManagedRuleGroupStatement: Match.objectLike({
                RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
              }),
            },
          }),
        ]),
      });
    });

    it('logs blocked and counted requests to an encrypted group, credentials redacted', () => {
      const [aclId] = ofType(t, 'AWS::WAFv2::WebACL').map(([id]) => id);
      assertHasResource(t, 'AWS::WAFv2::LoggingConfiguration', {
        ResourceArn: { 'Fn::GetAtt': [aclId, 'Arn'] },
        LogDestinationConfigs: [Match.objectLike({ 'Fn::Join': Match.anyValue() })],
        RedactedFields: [
          { SingleHeader: { Name: 'authorization' } },
          { SingleHeader: { Name: 'x-api-key' } },
        ],
        LoggingFilter: Match.objectLike({ DefaultBehavior: 'DROP' }),
      });
      const [, config] = ofType(t, 'AWS::WAFv2::LoggingConfiguration')[0]!;
      expect(JSON.stringify(config.Properties!.LogDestinationConfigs)).toContain(
        ':log-group:aws-waf-logs-glaf-prod-eu-west-1"',
      );
      assertHasResource(t, 'AWS::Logs::LogGroup', {
        LogGroupName: 'aws-waf-logs-glaf-prod-eu-west-1',
        KmsKeyId: Match.anyValue(),
      });
    });
  });

  describe('usage plans', () => {
    const plansOf = (tpl: Template): Record<string, string> =>
      Object.fromEntries(
        ofType(tpl, 'AWS::ApiGateway::UsagePlan').map(([id, r]) => [
          r.Properties!.UsagePlanName as string,
          id,
        ]),
      );
    const [restApiId] = ofType(t, 'AWS::ApiGateway::RestApi').map(([id]) => id);
    /** An ARN as text: references as <LogicalId>, the partition as aws. */
    const arnText = (r: unknown): string => {
      if (typeof r === 'string') return r;
      const v = r as { 'Fn::Join'?: [string, unknown[]]; Ref?: string };
      if (v.Ref) return v.Ref === 'AWS::Partition' ? 'aws' : `<${v.Ref}>`;
      if (v['Fn::Join']) return v['Fn::Join'][1].map(arnText).join(v['Fn::Join'][0]);
      return JSON.stringify(r);
    };
    /** Every API Gateway right of a role: `<actions> <resource>`, sorted. */
    const apiGatewayRights = (roleId: string): string[] =>
      statementsOf(t, roleId)
        .filter((s) => actionsOf(s).some((a) => a.startsWith('apigateway:')))
        .flatMap((s) => [s.Resource].flat().map((r) => `${actionsOf(s).join('+')} ${arnText(r)}`))
        .sort();

    it('has one plan per tier on the stage (tier throttle, daily quota) and a platform plan', () => {
      const [stageId] = ofType(t, 'AWS::ApiGateway::Stage').map(([id]) => id);
      assertResourceCount(t, 'AWS::ApiGateway::UsagePlan', 3);
      for (const tier of ['pool', 'silo'] as const) {
        assertHasResource(t, 'AWS::ApiGateway::UsagePlan', {
          UsagePlanName: `glaf-tier-${tier}`,
          Throttle: {
            RateLimit: config.tiers[tier].rateLimitPerSecond,
            BurstLimit: config.tiers[tier].burstLimit,
          },
          Quota: { Limit: usagePlanRequestsPerDay(tier), Period: 'DAY' },
          ApiStages: [Match.objectLike({ ApiId: { Ref: restApiId }, Stage: { Ref: stageId } })],
        });
      }
      expect(usagePlanRequestsPerDay('pool')).toBe(600 * 1440);
      // Platform admins: the highest tier throttle, no daily quota.
      assertHasResource(t, 'AWS::ApiGateway::UsagePlan', {
        UsagePlanName: 'glaf-platform',
        Throttle: {
          RateLimit: config.tiers.silo.rateLimitPerSecond,
          BurstLimit: config.tiers.silo.burstLimit,
        },
        Quota: Match.absent(),
        ApiStages: [Match.objectLike({ Stage: { Ref: stageId } })],
      });
    });

    it('shares no key between tenants: the one key the stack makes is the platform key, in the platform plan', () => {
      const keys = ofType(t, 'AWS::ApiGateway::ApiKey');
      expect(keys).toHaveLength(1);
      const [keyId, key] = keys[0]!;
      // The value the authorizer names for principals without a tenant (the API id from the methodArn).
      expect(key.Properties).toMatchObject({
        Enabled: true,
        Value: { 'Fn::Join': ['', [platformUsageKey(''), { Ref: restApiId }]] },
      });
      expect(ofType(t, 'AWS::ApiGateway::UsagePlanKey').map(([, r]) => r.Properties)).toEqual([
        { KeyId: { Ref: keyId }, KeyType: 'API_KEY', UsagePlanId: { Ref: plansOf(t)['glaf-platform'] } },
      ]);
    });

    it("gives a silo tenant's API its tier plan with the tenant's own key (the derived value), and the platform plan", () => {
      const s = template(siloStage);
      expect(Object.keys(plansOf(s)).sort()).toEqual(['glaf-platform', 'glaf-tier-silo']);
      const [tenantKeyId] = ofType(s, 'AWS::ApiGateway::ApiKey')
        .filter(([, r]) => r.Properties!.Value === tenantUsageKey(silo.tenantId))
        .map(([id]) => id);
      expect(tenantKeyId).toBeDefined();
      assertHasResource(s, 'AWS::ApiGateway::UsagePlanKey', {
        KeyId: { Ref: tenantKeyId },
        UsagePlanId: { Ref: plansOf(s)['glaf-tier-silo'] },
      });
      assertResourceCount(s, 'AWS::ApiGateway::UsagePlanKey', 2);
      // Its tenant is known at synth: no provisioning function, no rule.
      expect(Object.keys(functionsByGroup(s))).not.toContain('usage-keys');
      assertResourceCount(s, 'AWS::Events::Rule', 0);
    });

    it('provisions tenant keys from the bus: tenant.created / tenant.offboarded, retried, then a DLQ', () => {
      const fns = functionsByGroup(t);
      const fn = fns['usage-keys']!;
      const vars = (resources(t)[fn]!.Properties!.Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(vars).toMatchObject({ USAGE_REST_API_ID: { Ref: restApiId }, USAGE_STAGE_NAME: 'v1' });
      // Exactly what the function reads (UsageKeysEnvSchema; AWS_REGION comes from Lambda).
      const own = Object.keys(vars).filter((k) => !/^(POWERTOOLS_|NODE_OPTIONS$)/.test(k));
      expect(own.sort()).toEqual(Object.keys(UsageKeysEnvSchema.shape).filter((k) => k !== 'AWS_REGION'));
      const [dlq] = ofType(t, 'AWS::SQS::Queue').map(([id]) => id);
      assertHasResource(t, 'AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
      assertHasResource(t, 'AWS::Events::Rule', {
        EventBusName: { 'Fn::ImportValue': Match.stringLikeRegexp('Events:ExportsOutputRefEventsBus') },
        EventPattern: { source: ['glaf'], 'detail-type': ['tenant.created', 'tenant.offboarded'] },
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [fn, 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
            RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 6 * 3600 },
          }),
        ],
      });
      assertHasResource(t, 'AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fn },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
      });
      // Anything in the DLQ alarms: that tenant's key may be missing.
      assertHasResource(t, 'AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    it("scopes the usage-keys function's API Gateway rights to keys and this stage's tier plans", () => {
      const fns = functionsByGroup(t);
      const plans = plansOf(t);
      const arn = (path: string) => `arn:aws:apigateway:${primary.region}::${path}`;
      const expected = [
        `apigateway:GET ${arn('/apikeys')}`,
        `apigateway:GET ${arn('/usageplans')}`,
        `apigateway:POST ${arn('/apikeys')}`,
        `apigateway:PATCH+apigateway:DELETE ${arn('/apikeys/*')}`,
        ...['pool', 'silo'].flatMap((tier) => [
          `apigateway:POST ${arn(`/usageplans/<${plans[`glaf-tier-${tier}`]}>/keys`)}`,
          `apigateway:DELETE ${arn(`/usageplans/<${plans[`glaf-tier-${tier}`]}>/keys/*`)}`,
        ]),
      ].sort();
      const rights = apiGatewayRights(roleOf(t, fns['usage-keys']!));
      expect(rights).toEqual(expected);
      expect(rights.join('\n')).not.toContain(plans['glaf-platform']!);
      // Its other rights: its log group, X-Ray, and sending to its DLQ (no table, no database).
      const others = statementsOf(t, roleOf(t, fns['usage-keys']!))
        .flatMap(actionsOf)
        .filter((a) => !a.startsWith('apigateway:'));
      expect(others.filter((a) => /^(dynamodb|rds-db|sts|events|secretsmanager):/.test(a))).toEqual([]);
    });

    it('lets the control function provision at onboarding (same rights); no other route function or the authorizer', () => {
      const fns = functionsByGroup(t);
      const expected = apiGatewayRights(roleOf(t, fns['usage-keys']!));
      for (const group of [...ROUTE_GROUPS, 'authorizer']) {
        const rights = apiGatewayRights(roleOf(t, fns[group]!));
        expect({ group, rights }).toEqual({ group, rights: group === 'control' ? expected : [] });
      }
      const vars = (
        resources(t)[fns.control!]!.Properties!.Environment as { Variables: Record<string, unknown> }
      ).Variables;
      expect(vars).toMatchObject({ USAGE_REST_API_ID: { Ref: restApiId }, USAGE_STAGE_NAME: 'v1' });
    });
  });

  describe('custom domains', () => {
    it('serves the shared and the regional name with the region certificate, TLS 1.2, mapped to the stage', () => {
      const [apiId] = ofType(t, 'AWS::ApiGateway::RestApi').map(([id]) => id);
      const [stageId] = ofType(t, 'AWS::ApiGateway::Stage').map(([id]) => id);
      const names = apiDomainNames(config.domain.name, 'eu-west-1');
      expect(names).toEqual(['api.agent-factory.example.com', 'api.eu-west-1.agent-factory.example.com']);
      for (const name of names) {
        assertHasResource(t, 'AWS::ApiGateway::DomainName', {
          DomainName: name,
          RegionalCertificateArn: config.api.certificateArns['eu-west-1'],
          EndpointConfiguration: { Types: ['REGIONAL'] },
          SecurityPolicy: 'TLS_1_2',
        });
      }
      const mappings = ofType(t, 'AWS::ApiGateway::BasePathMapping').map(([, m]) => m.Properties!);
      expect(mappings).toHaveLength(2);
      for (const m of mappings)
        expect(m).toMatchObject({ RestApiId: { Ref: apiId }, Stage: { Ref: stageId } });
      expect(primary.domainNames).toEqual(names);
    });

    it('serves a silo tenant under its own name with the certificate of its account', () => {
      assertHasResource(template(siloStage), 'AWS::ApiGateway::DomainName', {
        DomainName: `${silo.tenantId}.api.${config.domain.name}`,
        RegionalCertificateArn: Match.stringLikeRegexp(`^arn:aws:acm:${silo.homeRegion}:${silo.account}:`),
      });
    });
  });

  describe('secondary region', () => {
    const s = template(secondary);

    it('reads the table replica by its derived name and has its own tenant role', () => {
      const fns = functionsByGroup(s);
      const vars = (
        resources(s)[fns.executions!]!.Properties!.Environment as { Variables: Record<string, unknown> }
      ).Variables;
      expect(vars.EXECUTION_TABLE_NAME).toBe(executionTableName(config.name));
      const roles = ofType(s, 'AWS::IAM::Role').filter(([, r]) =>
        JSON.stringify(r.Properties!.AssumeRolePolicyDocument).includes(`role/glaf/${config.name}/api/*`),
      );
      expect(roles).toHaveLength(1);
    });

    it('connects to the region Global Database cluster as the API login user', () => {
      const fns = functionsByGroup(s);
      const vars = (
        resources(s)[fns.control!]!.Properties!.Environment as { Variables: Record<string, unknown> }
      ).Variables;
      expect(JSON.stringify(vars.DATABASE_URL)).toMatch(
        /Data:ExportsOutputFnGetAttAuroraCluster\w*EndpointAddress/,
      );
      const connect = statementsOf(s, roleOf(s, fns.control!)).find((x) =>
        actionsOf(x).includes('rds-db:connect'),
      )!;
      expect(JSON.stringify(connect.Resource)).toMatch(/dbuser:.*DBClusterResourceId/);
      expect(JSON.stringify(connect.Resource)).toMatch(/glaf_api/);
    });
  });

  describe('cdk-nag', () => {
    it.each([
      ['primary', primary],
      ['secondary', secondary],
      ['silo', siloStage],
    ] as [string, Stack][])('AwsSolutions: zero unacknowledged errors in the %s stage', (_, stack) => {
      const report = new AwsSolutionsChecks(app).validateScope(stack);
      const errors = report.violations
        .filter((v) => v.severity === 'error')
        .map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
      expect(errors).toEqual([]);
    });
  });
});

describe('API certificates in the configuration', () => {
  it('flags a stage without a certificate and a certificate of another account or region', () => {
    // Prepare
    const cert = config.api.certificateArns['eu-west-1']!;
    const wrong = {
      ...config,
      api: {
        ...config.api,
        certificateArns: { 'eu-west-1': cert.replace('eu-west-1', 'us-east-1'), [silo.tenantId]: cert },
      },
    };

    // Act
    const issues = certificateIssues(wrong).map((i) => `${i.path.join('.')}: ${i.message}`);

    // Assess
    expect(issues).toEqual([
      `api.certificateArns.eu-west-1: the certificate must be in ${config.account}/eu-west-1`,
      'api.certificateArns.eu-central-1: no API certificate for eu-central-1',
      `api.certificateArns.${silo.tenantId}: the certificate must be in ${silo.account}/${silo.homeRegion}`,
    ]);
    expect(certificateIssues(config)).toEqual([]);
  });
});
