/**
 * Route 53 in front of the regional APIs (issue 6, "Global"). The hosted zone comes from
 * configuration (no lookups). A record set cannot span stacks of different regions, so each
 * control-plane region adds its own members to the shared names; every name below is derived
 * from the domain, never passed across regions.
 *
 * Names under `<domain>`:
 * - `api.<region>`  simple alias to that region's API (its regional custom domain): the
 *   target of the region's HTTPS health check on `/health` (and of the EventBridge global
 *   endpoint's check).
 * - `all.latency.api`  latency records, one per region (set identifier = region), each with
 *   the region's health check: the nearest healthy region.
 * - `eu.latency.api`   the same over the EU regions only.
 * - `api`  geolocation: resolvers in Europe get `eu.latency.api`, so EU residents are served
 *   from EU regions; every other location gets `all.latency.api`. The API's custom domain
 *   `api.<domain>` exists in every region, so TLS and routing work whichever region answers.
 * - `control.api`  failover for the control plane (tenant onboarding, quotas, admin API),
 *   whose writes go to the Aurora writer: PRIMARY in the primary region, SECONDARY in the
 *   first secondary region (the one the Global Database fails over to). Its custom domain and
 *   DNS-validated certificate are made here, mapped to the region's API stage.
 *
 * Stages: the primary region (its members, the geolocation records, control PRIMARY) and each
 * secondary (its members; control SECONDARY in the first). Silo tenants' APIs live in their
 * own accounts, which cannot write to the control plane's zone: their names are delegated.
 * The Europe geolocation record lives in the first EU region's stack, the default one in the
 * primary's: each stack also creates a member of the set its alias targets, so Route 53 finds
 * it. If every EU region is unhealthy, Route 53 answers Europe with the default record:
 * availability wins over residency for `api`; an EU-only client can pin `eu.latency.api`.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import type { StageExtension } from './app-stage.js';
import { applyStackDefaults } from './constructs/stack-defaults.js';
import type { PlatformStackProps } from './constructs/stack-defaults.js';

/** The DNS names of the platform under its domain. */
export function globalNames(domain: string) {
  return {
    api: `api.${domain}`,
    allLatency: `all.latency.api.${domain}`,
    euLatency: `eu.latency.api.${domain}`,
    control: `control.api.${domain}`,
    regional: (region: string) => `api.${region}.${domain}`,
  };
}

/** EU data residency: regions in the EU partition of the region names. */
export function isEuRegion(region: string): boolean {
  return region.startsWith('eu-');
}

export interface GlobalStackProps extends PlatformStackProps {
  readonly role: 'primary' | 'secondary';
  /** The API's custom domain for the shared name `api.<domain>` in this region. */
  readonly sharedDomain: apigw.IDomainName;
  /** The API's custom domain for `api.<region>.<domain>` in this region. */
  readonly regionalDomain: apigw.IDomainName;
  /** The API and stage the control-plane name maps to. */
  readonly restApi: apigw.IRestApi;
  readonly stage: apigw.Stage;
}

/** An alias to an API Gateway regional custom domain, its health evaluated too. */
function apiAlias(domain: apigw.IDomainName): route53.RecordTarget {
  return route53.RecordTarget.fromAlias({
    bind: () => ({
      dnsName: domain.domainNameAliasDomainName,
      hostedZoneId: domain.domainNameAliasHostedZoneId,
      evaluateTargetHealth: true,
    }),
  });
}

/** An alias to another record of the same zone (it may belong to another region's stack). */
function aliasToName(name: string, zoneId: string): route53.RecordTarget {
  return route53.RecordTarget.fromAlias({
    bind: () => ({ dnsName: name, hostedZoneId: zoneId, evaluateTargetHealth: true }),
  });
}

export class GlobalStack extends Stack {
  readonly zone: route53.IHostedZone;
  readonly healthCheck: route53.HealthCheck;
  readonly latency: route53.ARecord[] = [];
  readonly geolocation: route53.ARecord[] = [];
  readonly controlFailover?: route53.ARecord;

  constructor(scope: Construct, id: string, props: GlobalStackProps) {
    super(scope, id, props);
    applyStackDefaults(this, props);
    const { config } = props;
    const region = this.region;
    const names = globalNames(config.domain.name);
    this.zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: config.domain.hostedZoneId,
      zoneName: config.domain.name,
    });
    const zone = this.zone;

    new route53.ARecord(this, 'Regional', {
      zone,
      recordName: names.regional(region),
      target: apiAlias(props.regionalDomain),
      comment: `The ${region} API, probed by its health check`,
    });
    this.healthCheck = new route53.HealthCheck(this, 'Health', {
      type: route53.HealthCheckType.HTTPS,
      fqdn: names.regional(region),
      port: 443,
      resourcePath: config.events.healthCheckPath,
      enableSNI: true,
      requestInterval: Duration.seconds(30),
      failureThreshold: 3,
      measureLatency: true,
    });

    const shared = apiAlias(props.sharedDomain);
    const member = (id: string, recordName: string) =>
      new route53.ARecord(this, id, {
        zone,
        recordName,
        target: shared,
        region,
        setIdentifier: region,
        healthCheck: this.healthCheck,
      });
    this.latency.push(member('LatencyAll', names.allLatency));
    if (isEuRegion(region)) this.latency.push(member('LatencyEu', names.euLatency));

    const failover =
      props.role === 'primary'
        ? route53.Failover.PRIMARY
        : region === config.secondaryRegions[0]
          ? route53.Failover.SECONDARY
          : undefined;
    if (failover) this.controlFailover = this.controlPlane(props, failover);

    // The geolocation records of `api`: each in a stack that also creates a member of its
    // target set (Route 53 refuses an alias to a name that does not exist yet).
    const regions = [config.primaryRegion, ...config.secondaryRegions];
    const geo = (id: string, location: route53.GeoLocation, to: string) => {
      const record = new route53.ARecord(this, id, {
        zone,
        recordName: names.api,
        geoLocation: location,
        setIdentifier: id,
        target: aliasToName(to, config.domain.hostedZoneId),
      });
      for (const l of this.latency) record.node.addDependency(l);
      this.geolocation.push(record);
    };
    if (region === regions.find(isEuRegion))
      geo('GeoEurope', route53.GeoLocation.continent(route53.Continent.EUROPE), names.euLatency);
    if (props.role === 'primary') geo('GeoDefault', route53.GeoLocation.default(), names.allLatency);
  }

  /** `control.api.<domain>` served by this region's API, as one side of the failover pair. */
  private controlPlane(props: GlobalStackProps, failover: route53.Failover): route53.ARecord {
    const name = globalNames(props.config.domain.name).control;
    const certificate = new acm.Certificate(this, 'ControlCertificate', {
      domainName: name,
      validation: acm.CertificateValidation.fromDns(this.zone),
    });
    const domain = new apigw.DomainName(this, 'ControlDomain', {
      domainName: name,
      certificate,
      endpointType: apigw.EndpointType.REGIONAL,
      securityPolicy: apigw.SecurityPolicy.TLS_1_2,
    });
    new apigw.BasePathMapping(this, 'ControlMapping', {
      domainName: domain,
      restApi: props.restApi,
      stage: props.stage,
    });
    return new route53.ARecord(this, 'ControlFailover', {
      zone: this.zone,
      recordName: name,
      target: apiAlias(domain),
      failover,
      setIdentifier: `control-${this.region}`,
      healthCheck: this.healthCheck,
    });
  }
}

/** Adds the Route 53 records of each control-plane region (not silo stages): `plane.global`. */
export const globalStage: StageExtension = (stage, foundation, plane) => {
  const api = plane.api;
  if (foundation.role === 'silo' || !api) return;
  const [sharedDomain, regionalDomain] = api.domains;
  if (!sharedDomain || !regionalDomain) throw new Error(`${stage.node.id}: the API has no regional domains`);
  plane.global = new GlobalStack(stage, 'Global', {
    env: { account: foundation.data.account, region: foundation.region },
    config: foundation.config,
    role: foundation.role,
    sharedDomain,
    regionalDomain,
    restApi: api.restApi,
    stage: api.stage,
  });
};
