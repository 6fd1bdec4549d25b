/**
 * Custom-resource handler (behind a `Provider`) creating the MSK Serverless topics over the
 * IAM listener (SASL OAUTHBEARER with a SigV4 token from the function's role, TLS).
 */
import { Admin } from '@platformatic/kafka';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { ensureTopics, TopicsEventSchema } from './ensure-topics.js';

export async function handler(
  raw: unknown,
): Promise<{ PhysicalResourceId: string; Data: { Created: string } }> {
  const event = TopicsEventSchema.parse(raw);
  const physicalId = event.PhysicalResourceId ?? 'msk-topics';
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalId, Data: { Created: '' } };
  const region = process.env.AWS_REGION ?? '';
  const admin = new Admin({
    clientId: 'glaf-topics',
    bootstrapBrokers: event.ResourceProperties.BootstrapBrokers.split(','),
    tls: {},
    sasl: { mechanism: 'OAUTHBEARER', token: async () => (await generateAuthToken({ region })).token },
  });
  try {
    const { created } = await ensureTopics(admin, event.ResourceProperties.Topics);
    return { PhysicalResourceId: physicalId, Data: { Created: created.join(',') } };
  } finally {
    await admin.close();
  }
}
