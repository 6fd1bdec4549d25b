/**
 * Custom-resource handler (behind a `Provider`) creating the MSK Serverless topics over the
 * IAM listener (SASL OAUTHBEARER with a SigV4 token from the function's role, TLS).
 */
import { ensureTopics, TopicsEventSchema } from './ensure-topics.js';
import { mskIamToken } from './iam-token.js';

export async function handler(
  raw: unknown,
): Promise<{ PhysicalResourceId: string; Data: { Created: string } }> {
  const event = TopicsEventSchema.parse(raw);
  const physicalId = event.PhysicalResourceId ?? 'msk-topics';
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalId, Data: { Created: '' } };
  const region = process.env.AWS_REGION ?? '';
  // Loaded here, not at import: the admin module compiles its ~20 Ajv option validators when it
  // loads (~200 ms of CPU, most of this function's cold import), which a Delete never needs.
  // The admin client's own module, not the package root: the root also loads the producer,
  // consumer and schema registries (avsc, ~170 KB of the bundle) that the topics resource never uses.
  const { Admin } = await import('../../node_modules/@platformatic/kafka/dist/clients/admin/index.js');
  const admin = new Admin({
    clientId: 'glaf-topics',
    bootstrapBrokers: event.ResourceProperties.BootstrapBrokers.split(','),
    tls: {},
    sasl: { mechanism: 'OAUTHBEARER', token: () => mskIamToken({ region }) },
  });
  try {
    const { created } = await ensureTopics(admin, event.ResourceProperties.Topics);
    return { PhysicalResourceId: physicalId, Data: { Created: created.join(',') } };
  } finally {
    await admin.close();
  }
}
