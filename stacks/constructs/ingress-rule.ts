/**
 * Ingress to another stack's security group (the RDS Proxy, Valkey), declared in the stack of
 * the client: `connections.allowTo` across stacks would put the rule in the target's stack and
 * make the data stack depend on every client stack.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';

export interface IngressRuleProps {
  readonly from: ec2.ISecurityGroup;
  readonly to: ec2.ISecurityGroup;
  readonly port: number;
  readonly description: string;
}

/** One TCP rule on `to`, letting `from` in on `port`. */
export function ingressRule(scope: Construct, id: string, p: IngressRuleProps): ec2.CfnSecurityGroupIngress {
  return new ec2.CfnSecurityGroupIngress(scope, id, {
    groupId: p.to.securityGroupId,
    sourceSecurityGroupId: p.from.securityGroupId,
    ipProtocol: 'tcp',
    fromPort: p.port,
    toPort: p.port,
    description: p.description,
  });
}

/** The same rule on each of the targets (an RDS Proxy's groups): ids `<prefix>0`, `<prefix>1`, ... */
export function ingressRules(
  scope: Construct,
  idPrefix: string,
  p: Omit<IngressRuleProps, 'to'> & { readonly to: readonly ec2.ISecurityGroup[] },
): void {
  for (const [i, to] of p.to.entries()) ingressRule(scope, `${idPrefix}${i}`, { ...p, to });
}
