/**
 * UsageKeyDirectory over the API Gateway (REST API, v1) management API: API keys and usage-plan
 * keys. Listing calls follow `position` to the end. Idempotent operations absorb the answers
 * that mean "already so": 404 on delete, 409 on adding a key to a plan that holds it.
 * Throttling (429) and 5xx are retried by the SDK client (standard retry mode).
 */
import {
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeysCommand,
  GetUsagePlansCommand,
  NotFoundException,
  UpdateApiKeyCommand,
  type APIGatewayClient,
  type ApiKey,
  type UsagePlan,
} from '@aws-sdk/client-api-gateway';
import {
  UsageKeyConflictError,
  type UsageApiKey,
  type UsageKeyDirectory,
  type UsagePlanSummary,
} from '../../ports/usage-keys.js';

/** The most API Gateway returns per page. */
const PAGE_LIMIT = 500;

function toKey(k: ApiKey): UsageApiKey {
  if (!k.id) throw new Error('API Gateway returned an API key without an id');
  return {
    id: k.id,
    name: k.name ?? '',
    value: k.value ?? '',
    enabled: k.enabled ?? false,
    createdAt: k.createdDate ?? new Date(0),
  };
}

function toPlan(p: UsagePlan): UsagePlanSummary {
  if (!p.id) throw new Error('API Gateway returned a usage plan without an id');
  return {
    id: p.id,
    name: p.name ?? '',
    stages: (p.apiStages ?? []).map((s) => ({ apiId: s.apiId ?? '', stage: s.stage ?? '' })),
  };
}

async function ignoring<E extends Error>(
  type: new (...args: never[]) => E,
  call: Promise<unknown>,
): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (!(err instanceof type)) throw err;
  }
}

export class ApiGatewayUsageKeys implements UsageKeyDirectory {
  constructor(private readonly client: APIGatewayClient) {}

  async keysNamed(name: string): Promise<UsageApiKey[]> {
    const keys: UsageApiKey[] = [];
    let position: string | undefined;
    do {
      const page = await this.client.send(
        new GetApiKeysCommand({ nameQuery: name, includeValues: true, limit: PAGE_LIMIT, position }),
      );
      // nameQuery matches by prefix: keep exact names only.
      keys.push(...(page.items ?? []).filter((k) => k.name === name).map(toKey));
      position = page.position;
    } while (position);
    return keys;
  }

  async createKey(input: { name: string; value: string; description: string }): Promise<UsageApiKey> {
    try {
      return toKey(await this.client.send(new CreateApiKeyCommand({ ...input, enabled: true })));
    } catch (err) {
      if (err instanceof ConflictException)
        throw new UsageKeyConflictError(`API key ${input.name}: ${err.message}`, { cause: err });
      throw err;
    }
  }

  async enableKey(keyId: string): Promise<void> {
    await this.client.send(
      new UpdateApiKeyCommand({
        apiKey: keyId,
        patchOperations: [{ op: 'replace', path: '/enabled', value: 'true' }],
      }),
    );
  }

  deleteKey(keyId: string): Promise<void> {
    return ignoring(NotFoundException, this.client.send(new DeleteApiKeyCommand({ apiKey: keyId })));
  }

  async plans(filter: { keyId?: string } = {}): Promise<UsagePlanSummary[]> {
    const plans: UsagePlanSummary[] = [];
    let position: string | undefined;
    do {
      const page = await this.client.send(
        new GetUsagePlansCommand({ keyId: filter.keyId, limit: PAGE_LIMIT, position }),
      );
      plans.push(...(page.items ?? []).map(toPlan));
      position = page.position;
    } while (position);
    return plans;
  }

  addKeyToPlan(planId: string, keyId: string): Promise<void> {
    return ignoring(
      ConflictException,
      this.client.send(new CreateUsagePlanKeyCommand({ usagePlanId: planId, keyId, keyType: 'API_KEY' })),
    );
  }

  removeKeyFromPlan(planId: string, keyId: string): Promise<void> {
    return ignoring(
      NotFoundException,
      this.client.send(new DeleteUsagePlanKeyCommand({ usagePlanId: planId, keyId })),
    );
  }
}
