/**
 * The SASL OAUTHBEARER token of MSK IAM auth: a SigV4-presigned `kafka-cluster:Connect` URL
 * (service `kafka-cluster`, 15 minutes), base64url without padding. aws-msk-iam-sasl-signer-js
 * produces the same token but loads the STS client and the whole default credential chain at
 * import; a Lambda has its role's credentials in the environment, so this needs neither.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { SignatureV4 } from '@smithy/signature-v4';

export const TOKEN_TTL_SECONDS = 900;

export type CredentialsProvider = () => Promise<{
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}>;

export interface MskTokenOptions {
  readonly region: string;
  /** @default the Lambda environment's credentials (AWS_ACCESS_KEY_ID ...) */
  readonly credentials?: CredentialsProvider;
  /** Appended after signing, as MSK expects from its signer libraries. */
  readonly userAgent?: string;
  /** @default now */
  readonly signingDate?: Date;
}

export async function mskIamToken(options: MskTokenOptions): Promise<string> {
  const hostname = `kafka.${options.region}.amazonaws.com`;
  const signer = new SignatureV4({
    service: 'kafka-cluster',
    region: options.region,
    credentials: options.credentials ?? fromEnv(),
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      headers: { host: hostname },
      query: { Action: 'kafka-cluster:Connect' },
    },
    { expiresIn: TOKEN_TTL_SECONDS, ...(options.signingDate ? { signingDate: options.signingDate } : {}) },
  );
  const url = new URL(`https://${hostname}/`);
  for (const [k, v] of Object.entries(signed.query ?? {})) url.searchParams.set(k, String(v));
  url.searchParams.set('User-Agent', options.userAgent ?? 'glaf-msk-topics');
  return Buffer.from(url.toString()).toString('base64url');
}
