import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mskIamToken, TOKEN_TTL_SECONDS } from '../../lambdas/msk-topics/iam-token.js';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'FwoGZXIvYXdzE+session/token==',
};
const decode = (token: string) => new URL(Buffer.from(token, 'base64url').toString('utf8'));

describe('mskIamToken', () => {
  afterEach(() => vi.useRealTimers());

  it('signs the same kafka-cluster:Connect URL as aws-msk-iam-sasl-signer-js', async () => {
    // Prepare: the same credentials and clock for both
    const now = new Date('2026-11-26T12:34:56Z');
    vi.useFakeTimers({ now, toFake: ['Date'] });
    const reference = await generateAuthTokenFromCredentialsProvider({
      region: 'eu-west-1',
      awsCredentialsProvider: () => Promise.resolve(credentials),
    });

    // Act
    const ours = await mskIamToken({
      region: 'eu-west-1',
      credentials: () => Promise.resolve(credentials),
      userAgent: decode(reference.token).searchParams.get('User-Agent')!,
    });

    // Assess: same host, path and every query parameter (the signature included)
    const [a, b] = [decode(ours), decode(reference.token)];
    expect(a.origin + a.pathname).toBe('https://kafka.eu-west-1.amazonaws.com/');
    expect(a.origin + a.pathname).toBe(b.origin + b.pathname);
    expect(Object.fromEntries(a.searchParams)).toEqual(Object.fromEntries(b.searchParams));
    expect(a.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(a.searchParams.get('X-Amz-Expires')).toBe(String(TOKEN_TTL_SECONDS));
    expect(a.searchParams.get('X-Amz-Security-Token')).toBe(credentials.sessionToken);
    expect(ours).not.toMatch(/[=+/]/);
  });

  it('reads the Lambda environment credentials by default', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDFROMENV');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'token');
    try {
      const url = decode(await mskIamToken({ region: 'eu-central-1' }));
      expect(url.hostname).toBe('kafka.eu-central-1.amazonaws.com');
      expect(url.searchParams.get('X-Amz-Credential')).toMatch(
        /^AKIDFROMENV\/\d{8}\/eu-central-1\/kafka-cluster\/aws4_request$/,
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
