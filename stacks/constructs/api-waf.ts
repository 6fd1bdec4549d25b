/**
 * The regional WAF web ACL in front of the API stage: AWS managed rule groups (common
 * exploits, known bad inputs, SQL injection, IP reputation) and a rate-based rule per client
 * IP. Every rule emits CloudWatch metrics and sampled requests; blocked and counted requests
 * are logged (encrypted, credential headers redacted).
 *
 * The common rule set's SizeRestrictions_BODY blocks bodies over 8 KB; `POST /v1/batches`
 * legitimately carries up to 10,000 inputs, so that one rule only counts and the handler's
 * own body limit (413) decides.
 */
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
  'AWSManagedRulesAmazonIpReputationList',
] as const;

export interface ApiWafProps {
  /** ARN of the API Gateway stage to protect. */
  readonly stageArn: string;
  /** Requests per client IP in any 5-minute window before WAF blocks it. */
  readonly requestsPer5MinPerIp: number;
  /** Metric name prefix (unique per stage); also names the log group. */
  readonly metricPrefix: string;
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly retainLogs: boolean;
}

/** Headers that carry credentials: WAF logs never hold them. */
export const REDACTED_HEADERS = ['authorization', 'x-api-key'] as const;

export class ApiWaf extends Construct {
  readonly webAcl: wafv2.CfnWebACL;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiWafProps) {
    super(scope, id);
    const visibility = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${props.metricPrefix}-${name}`,
    });
    const managed = MANAGED_RULE_GROUPS.map((name, i): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority: i + 1,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ...(name === 'AWSManagedRulesCommonRuleSet'
            ? { ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }] }
            : {}),
        },
      },
      visibilityConfig: visibility(name),
    }));
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      description: 'GL Agent Factory API: managed rule groups and a per-IP rate limit',
      visibilityConfig: visibility('api'),
      rules: [
        // Cheapest first: a flooding IP is dropped before the managed groups inspect it.
        {
          name: 'RatePerIp',
          priority: 0,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: props.requestsPer5MinPerIp,
              aggregateKeyType: 'IP',
              evaluationWindowSec: 300,
            },
          },
          visibilityConfig: visibility('rate-per-ip'),
        },
        ...managed,
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stageArn,
      webAclArn: this.webAcl.attrArn,
    });

    // WAF requires the `aws-waf-logs-` prefix. Only blocked and counted requests are kept
    // (allowed ones are in the access logs), with the credential headers redacted.
    const logGroupName = `aws-waf-logs-${props.metricPrefix}`;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      encryptionKey: props.logKey,
      retention: props.logRetention,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // The log group ARN without the `:*` suffix CloudFormation's Arn attribute carries.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: REDACTED_HEADERS.map((name) => ({ singleHeader: { Name: name } })),
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }],
          },
        ],
      },
    });
    logging.node.addDependency(this.logGroup);
  }
}
