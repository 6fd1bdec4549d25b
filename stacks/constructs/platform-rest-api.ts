/**
 * The REST API (API Gateway v1) built from the route table (lib/http/routes), so every route
 * the Lambda handler serves has exactly one method here and nothing else is reachable:
 * - public routes (health, ready, OpenAPI) have no authorizer and need no API key; all others
 *   the REQUEST authorizer without identity sources or cache (why: lib/config/api.ts) and an
 *   API key, which the authorizer names (`usageIdentifierKey`): the caller's usage-plan key;
 * - path parameters are declared required and checked by a request validator; bodies are
 *   validated by the handler's pipeline, whose 400 problem documents are the same locally and
 *   here (with every media type binary, see below, a gateway body model could not see JSON);
 * - responses: the handler gzips bodies over 1 KiB itself (base64 + Content-Encoding), so every
 *   media type is binary and API Gateway decodes them; it compresses the rest (gateway
 *   responses, other codings) from the same threshold and skips what is already encoded;
 * - the gateway's own errors are problem+json like the handler's;
 * - only the custom domain serves the API (execute-api endpoint off), through WAF;
 * - the stage: X-Ray, per-method metrics, error logs without bodies, and JSON access logs
 *   with the tenant from the authorizer context in an encrypted log group.
 */
import { Duration, RemovalPolicy, Size, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AUTHORIZER_CACHE_TTL_SECONDS, routeGroupOf } from '../../lib/config/api.js';
import type { RouteGroup } from '../../lib/config/api.js';
import { GZIP_MIN_BYTES } from '../../lib/http/compression.js';
import { HttpProblem, PROBLEM_CONTENT_TYPE, problemBody } from '../../lib/http/problem.js';
import type { AnyRoute } from '../../lib/http/router.js';
import type { PlatformFunction } from './platform-function.js';

export const STAGE_NAME = 'v1';

/** The access log line: one JSON object per request (values quoted: an absent one is `-`). */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  tenantId: '$context.authorizer.tenantId',
  principalId: '$context.authorizer.principalId',
  principalType: '$context.authorizer.principalType',
  ip: '$context.identity.sourceIp',
  method: '$context.httpMethod',
  resource: '$context.resourcePath',
  status: '$context.status',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  responseBytes: '$context.responseLength',
  authorizerError: '$context.authorizer.error',
  wafStatus: '$context.waf.status',
  xrayTraceId: '$context.xrayTraceId',
  domain: '$context.domainName',
};

/** Gateway-made errors as problem+json (the handler's own problems pass through untouched). */
const GATEWAY_PROBLEMS: readonly [apigw.ResponseType, HttpProblem][] = [
  [
    apigw.ResponseType.UNAUTHORIZED,
    new HttpProblem(401, 'unauthorized', 'Unauthorized', 'Send Authorization: Bearer <jwt> or x-api-key'),
  ],
  [
    apigw.ResponseType.ACCESS_DENIED,
    new HttpProblem(403, 'forbidden', 'Forbidden', 'The authorizer denied this request'),
  ],
  [apigw.ResponseType.WAF_FILTERED, new HttpProblem(403, 'forbidden', 'Forbidden', 'Request blocked')],
  [
    apigw.ResponseType.THROTTLED,
    new HttpProblem(429, 'rate_limited', 'Too Many Requests', 'Request rate over the plan limit'),
  ],
  [
    apigw.ResponseType.QUOTA_EXCEEDED,
    new HttpProblem(429, 'quota_exceeded', 'Too Many Requests', 'Daily request quota used up'),
  ],
  [
    apigw.ResponseType.BAD_REQUEST_PARAMETERS,
    new HttpProblem(400, 'bad_request', 'Bad Request', '$context.error.validationErrorString'),
  ],
  // A path (or method) without a resource: REST API says 403 "Missing Authentication Token";
  // the handler says 404 for an unknown path (405 for a known path with another method).
  [
    apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    new HttpProblem(404, 'not_found', 'Not Found', 'No route for $context.path'),
  ],
  [
    apigw.ResponseType.RESOURCE_NOT_FOUND,
    new HttpProblem(404, 'not_found', 'Not Found', 'No route for $context.path'),
  ],
  [
    apigw.ResponseType.INTEGRATION_TIMEOUT,
    new HttpProblem(504, 'timeout', 'Gateway Timeout', 'The request took too long'),
  ],
];

/**
 * Every other gateway error keeps its own status code (413, 415, 502, ...): the body is a
 * problem document without `status` (optional in RFC 9457), titled with the gateway's error type.
 */
const DEFAULT_PROBLEMS: readonly [apigw.ResponseType, string][] = [
  [apigw.ResponseType.DEFAULT_4XX, '$context.error.message'],
  [apigw.ResponseType.DEFAULT_5XX, 'Internal error'],
];

export interface PlatformRestApiProps {
  readonly routes: readonly AnyRoute[];
  readonly functions: Readonly<Record<RouteGroup, PlatformFunction>>;
  readonly authorizer: PlatformFunction;
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly retainLogs: boolean;
}

export class PlatformRestApi extends Construct {
  readonly api: apigw.RestApi;
  readonly authorizer: apigw.RequestAuthorizer;
  readonly validator: apigw.RequestValidator;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PlatformRestApiProps) {
    super(scope, id);
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      encryptionKey: props.logKey,
      retention: props.logRetention,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.api = new apigw.RestApi(this, 'Api', {
      description: 'GL Agent Factory API',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      disableExecuteApiEndpoint: true,
      minCompressionSize: Size.bytes(GZIP_MIN_BYTES),
      binaryMediaTypes: ['*/*'],
      // Usage plans find the caller's plan key in the authorizer's result, never in x-api-key:
      // that header carries the platform's own API keys (glaf_...).
      apiKeySourceType: apigw.ApiKeySourceType.AUTHORIZER,
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
      deployOptions: {
        stageName: STAGE_NAME,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    this.authorizer = new apigw.RequestAuthorizer(this, 'Authorizer', {
      handler: props.authorizer.function,
      identitySources: [],
      resultsCacheTtl: Duration.seconds(AUTHORIZER_CACHE_TTL_SECONDS),
    });
    // No identity source at all (CDK would write an empty string).
    (this.authorizer.node.defaultChild as apigw.CfnAuthorizer).addPropertyDeletionOverride('IdentitySource');
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Parameters are validated here; bodies by the route zod schemas in the handler (same 400 problem document as locally)',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The account-level role API Gateway writes execution logs with; AWS maintains its exact log actions',
    });
    this.validator = this.api.addRequestValidator('Parameters', {
      validateRequestParameters: true,
      validateRequestBody: false,
    });
    const templates = (body: unknown) => ({
      [PROBLEM_CONTENT_TYPE]: JSON.stringify(body),
      'application/json': JSON.stringify(body),
    });
    for (const [type, problem] of GATEWAY_PROBLEMS) {
      this.api.addGatewayResponse(`Problem-${type.responseType}`, {
        type,
        statusCode: String(problem.status),
        templates: templates(problemBody(problem, '$context.path', '$context.requestId')),
      });
    }
    for (const [type, detail] of DEFAULT_PROBLEMS) {
      const problem = problemBody(
        new HttpProblem(0, 'gateway_error', '$context.error.responseType', detail),
        '$context.path',
        '$context.requestId',
      );
      const body = Object.fromEntries(Object.entries(problem).filter(([key]) => key !== 'status'));
      this.api.addGatewayResponse(`Problem-${type.responseType}`, { type, templates: templates(body) });
    }

    const integrations = new Map<RouteGroup, apigw.LambdaIntegration>();
    for (const route of props.routes) {
      const group = routeGroupOf(route.path);
      let integration = integrations.get(group);
      if (!integration) {
        // One permission per function for the whole stage instead of one per method.
        integration = new apigw.LambdaIntegration(props.functions[group].function, {
          proxy: true,
          scopePermissionToMethod: false,
          allowTestInvoke: false,
        });
        integrations.set(group, integration);
      }
      const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const method = this.api.root.resourceForPath(route.path).addMethod(route.method, integration, {
        operationName: route.operationId,
        requestParameters: Object.fromEntries(params.map((p) => [`method.request.path.${p}`, true])),
        requestValidator: this.validator,
        // Every authorized method meters the caller on its usage-plan key (usage-plans.ts).
        ...(route.access === 'public'
          ? { authorizationType: apigw.AuthorizationType.NONE }
          : {
              authorizer: this.authorizer,
              authorizationType: apigw.AuthorizationType.CUSTOM,
              apiKeyRequired: true,
            }),
      });
      if (route.access === 'public') {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.operationId} is public by design (liveness, readiness or the OpenAPI document)`,
        });
      }
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'The Lambda authorizer verifies Cognito-issued access tokens and platform API keys (one authorizer for both)',
      });
    }
  }
}
