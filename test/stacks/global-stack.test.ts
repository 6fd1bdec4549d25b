/**
 * The global (Route 53) stack on the API it routes to, and nothing else on the foundation:
 * prod with one silo tenant, and a variant whose primary region is outside the EU.
 */
import { App } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import type { EnvironmentConfig } from '../../lib/config/app-config.js';
import { routes } from '../../lib/http/routes/index.js';
import { apiStage } from '../../stacks/api-stack.js';
import { addEnvironment } from '../../stacks/app-stage.js';
import type { RegionStage } from '../../stacks/app-stage.js';
import { GlobalStack, globalNames, globalStage, isEuRegion } from '../../stacks/global-stack.js';
import {
  SILO_TENANTS,
  assertAllResources,
  assertHasResource,
  assertResourceCount,
  template,
  withSilos,
} from './helpers.js';

const config = withSilos('prod', SILO_TENANTS.slice(0, 1));
const names = globalNames(config.domain.name);
const app = new App();
const stages = addEnvironment(app, config, [apiStage, globalStage]) as RegionStage[];
const [primary, secondary] = stages.map((s) => s.plane.global) as [GlobalStack, GlobalStack];

type Props = Record<string, unknown>;
type Resource = { Type: string; Properties: Props; DependsOn?: string[] };
const resources = (t: Template) => Object.entries(t.toJSON().Resources as Record<string, Resource>);
const records = (t: Template, name: string) =>
  resources(t).filter(([, r]) => r.Type === 'AWS::Route53::RecordSet' && r.Properties.Name === `${name}.`);
const idOf = (t: Template, prefix: string) => resources(t).find(([id]) => id.startsWith(prefix))![0];

describe('GlobalStack', () => {
  it('is in every control-plane region and in no silo stage', () => {
    expect(primary).toBeInstanceOf(GlobalStack);
    expect(secondary).toBeInstanceOf(GlobalStack);
    expect([primary.region, secondary.region]).toEqual(['eu-west-1', 'eu-central-1']);
    expect(stages[2]!.plane.global).toBeUndefined();
    expect(stages[2]!.plane.api).toBeDefined();
  });

  it('uses the configured hosted zone for every record (no lookup)', () => {
    for (const stack of [primary, secondary])
      assertAllResources(template(stack), 'AWS::Route53::RecordSet', {
        HostedZoneId: config.domain.hostedZoneId,
      });
  });

  describe('health checks', () => {
    it("probe each region's API over HTTPS on /health, a route the API serves", () => {
      expect(routes.some((r) => r.path === config.events.healthCheckPath)).toBe(true);
      for (const stack of [primary, secondary]) {
        assertResourceCount(template(stack), 'AWS::Route53::HealthCheck', 1);
        assertHasResource(template(stack), 'AWS::Route53::HealthCheck', {
          HealthCheckConfig: {
            Type: 'HTTPS',
            FullyQualifiedDomainName: names.regional(stack.region),
            ResourcePath: '/health',
            Port: 443,
            EnableSNI: true,
            RequestInterval: 30,
            FailureThreshold: 3,
            MeasureLatency: true,
            Inverted: false,
          },
        });
      }
    });

    it("resolve the probed name to the region's own API domain", () => {
      for (const stack of [primary, secondary]) {
        const t = template(stack);
        const [[, record]] = records(t, names.regional(stack.region)) as [[string, Resource]];
        expect(record.Properties.Type).toBe('A');
        expect(record.Properties.SetIdentifier).toBeUndefined();
        // domains[1] of the API stack is api.<region>.<domain>.
        expect(JSON.stringify(record.Properties.AliasTarget)).toContain(
          `${stack.stackName.replace('-Global', '')}-Api:`,
        );
        expect(JSON.stringify(record.Properties.AliasTarget)).toMatch(/DomainDomain1/);
      }
    });
  });

  describe('latency routing', () => {
    it('adds one member per region (set identifier = region) with its health check, aliasing the shared API name', () => {
      for (const stack of [primary, secondary]) {
        const t = template(stack);
        const health = idOf(t, 'Health');
        for (const name of [names.allLatency, names.euLatency]) {
          const members = records(t, name);
          expect(members).toHaveLength(1);
          expect(members[0]![1].Properties).toMatchObject({
            Type: 'A',
            Region: stack.region,
            SetIdentifier: stack.region,
            HealthCheckId: { Ref: health },
            AliasTarget: { EvaluateTargetHealth: true },
          });
          expect(JSON.stringify(members[0]![1].Properties.AliasTarget)).toMatch(/DomainDomain0/);
        }
      }
    });
  });

  describe('failover', () => {
    it('serves the control plane from the primary (PRIMARY) and the first secondary (SECONDARY)', () => {
      const sides = [primary, secondary].map((stack) => {
        const t = template(stack);
        const [[, record]] = records(t, names.control) as [[string, Resource]];
        expect(record.Properties).toMatchObject({
          SetIdentifier: `control-${stack.region}`,
          HealthCheckId: { Ref: idOf(t, 'Health') },
          AliasTarget: {
            EvaluateTargetHealth: true,
            DNSName: { 'Fn::GetAtt': [idOf(t, 'ControlDomain'), 'RegionalDomainName'] },
          },
        });
        return record.Properties.Failover;
      });
      expect(sides).toEqual(['PRIMARY', 'SECONDARY']);
    });

    it("maps the control name to the region's API stage with a DNS-validated certificate", () => {
      for (const stack of [primary, secondary]) {
        const t = template(stack);
        assertHasResource(t, 'AWS::CertificateManager::Certificate', {
          DomainName: names.control,
          ValidationMethod: 'DNS',
          DomainValidationOptions: [{ DomainName: names.control, HostedZoneId: config.domain.hostedZoneId }],
        });
        assertHasResource(t, 'AWS::ApiGateway::DomainName', {
          DomainName: names.control,
          EndpointConfiguration: { Types: ['REGIONAL'] },
          SecurityPolicy: 'TLS_1_2',
        });
        const [[, mapping]] = resources(t).filter(
          ([, r]) => r.Type === 'AWS::ApiGateway::BasePathMapping',
        ) as [[string, Resource]];
        expect(JSON.stringify(mapping.Properties.RestApiId)).toContain(
          `${stack.stackName.replace('-Global', '')}-Api:`,
        );
      }
    });
  });

  describe('geolocation', () => {
    it('sends Europe to the EU latency set and every other location to all regions', () => {
      const t = template(primary);
      const geo = records(t, names.api);
      expect(geo.map(([, r]) => [r.Properties.GeoLocation, r.Properties.AliasTarget])).toEqual([
        [
          { ContinentCode: 'EU' },
          { DNSName: names.euLatency, HostedZoneId: config.domain.hostedZoneId, EvaluateTargetHealth: true },
        ],
        [
          { CountryCode: '*' },
          { DNSName: names.allLatency, HostedZoneId: config.domain.hostedZoneId, EvaluateTargetHealth: true },
        ],
      ]);
      // Created after the members they alias (Route 53 refuses an alias to a missing name).
      for (const [, r] of geo)
        expect(r.DependsOn).toEqual(expect.arrayContaining([idOf(t, 'LatencyAll'), idOf(t, 'LatencyEu')]));
      expect(records(template(secondary), names.api)).toEqual([]);
    });

    it('keeps non-EU regions out of the EU set and puts the Europe record in the first EU region', () => {
      // Prepare: a primary in us-east-1 with an EU secondary.
      const base = withSilos('dev', []);
      const cert = (region: string, n: number) =>
        `arn:aws:acm:${region}:${base.account}:certificate/00000000-0000-4000-8000-00000000000${n}`;
      const usFirst: EnvironmentConfig = {
        ...base,
        primaryRegion: 'us-east-1',
        secondaryRegions: ['eu-west-1'],
        api: {
          ...base.api,
          certificateArns: { 'us-east-1': cert('us-east-1', 1), 'eu-west-1': cert('eu-west-1', 2) },
        },
      };

      // Act
      const [us, eu] = (addEnvironment(new App(), usFirst, [apiStage, globalStage]) as RegionStage[]).map(
        (s) => template(s.plane.global!),
      ) as [Template, Template];

      // Assess
      const geo = (t: Template) =>
        records(t, globalNames(base.domain.name).api).map(([, r]) => r.Properties.GeoLocation);
      const n = globalNames(base.domain.name);
      expect(records(us, n.euLatency)).toEqual([]);
      expect(records(us, n.allLatency)).toHaveLength(1);
      expect(records(eu, n.euLatency)).toHaveLength(1);
      expect(geo(us)).toEqual([{ CountryCode: '*' }]);
      expect(geo(eu)).toEqual([{ ContinentCode: 'EU' }]);
      expect(['eu-west-1', 'eu-central-1', 'us-east-1', 'me-south-1'].map(isEuRegion)).toEqual([
        true,
        true,
        false,
        false,
      ]);
    });
  });

  it.each([
    ['primary', () => primary],
    ['secondary', () => secondary],
  ] as [string, () => Stack][])(
    'passes cdk-nag AwsSolutions with zero unacknowledged errors (%s)',
    (_, of) => {
      const report = new AwsSolutionsChecks(app).validateScope(of());
      const errors = report.violations
        .filter((v) => v.severity === 'error')
        .map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
      expect(errors).toEqual([]);
    },
  );
});
