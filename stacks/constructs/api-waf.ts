/**
 * The regional WAF web ACL in front of the API stage: AWS managed rule groups (common
 * exploits, known bad inputs, SQL injection, IP reputation) and a rate-based rule per client
 * IP. Every rule emits CloudWatch metrics and sampled requests.
 *
 * The common rule set's SizeRestrictions_BODY blocks bodies over 8 KB; `POST /v1/batches`
 * legitimately carries up to 10,000 inputs, so that one rule only counts and the handler's
 * own body limit (413) decides.
 */
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
  /** Metric name prefix (unique per stage). */
  readonly metricPrefix: string;
}

export class ApiWaf extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

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
  }
}
