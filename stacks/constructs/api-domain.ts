/**
 * The API's regional custom domains (TLS 1.2, the configured ACM certificate, no lookups)
 * with a base path mapping of each to the stage, so `https://<name>/v1/...` reaches the
 * routes. Exposes what Route 53 needs for alias records (global stack).
 */
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { Construct } from 'constructs';

export interface ApiDomainProps {
  readonly names: readonly string[];
  readonly certificateArn: string;
  readonly api: apigw.IRestApi;
  readonly stage: apigw.Stage;
}

export class ApiDomain extends Construct {
  readonly domains: readonly apigw.DomainName[];

  constructor(scope: Construct, id: string, props: ApiDomainProps) {
    super(scope, id);
    const certificate = acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn);
    this.domains = props.names.map((name, i) => {
      const domain = new apigw.DomainName(this, `Domain${i}`, {
        domainName: name,
        certificate,
        endpointType: apigw.EndpointType.REGIONAL,
        securityPolicy: apigw.SecurityPolicy.TLS_1_2,
      });
      // Empty base path: the stage is the root of the domain; routes keep their /v1 prefix.
      domain.addBasePathMapping(props.api, { stage: props.stage });
      return domain;
    });
  }
}
