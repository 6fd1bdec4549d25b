/**
 * SecretStore over AWS Secrets Manager. One secret per webhook, named
 * `<prefix>/<tenantId>/<uuid>` and tagged `tenant_id`, so IAM can bind a tenant role to
 * its own secrets (secretsmanager:ResourceTag/tenant_id = ${aws:PrincipalTag/tenant_id}).
 * Deletes skip the recovery window: a rotated-out secret must stop existing at once.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { NotFoundError } from '../../domain/errors.js';
import { assertTenantId } from '../../domain/execution-ids.js';
import type { SecretStore } from '../../ports/secret-store.js';

export interface SecretsManagerStoreOptions {
  readonly client: SecretsManagerClient;
  /** Name prefix per environment. @default 'glaf/webhooks' */
  readonly prefix?: string;
  /** Customer managed KMS key for the secrets. @default the account's aws/secretsmanager key */
  readonly kmsKeyId?: string;
}

const REF = 'aws-sm:';

export class SecretsManagerStore implements SecretStore {
  private readonly prefix: string;

  constructor(private readonly options: SecretsManagerStoreOptions) {
    this.prefix = options.prefix ?? 'glaf/webhooks';
  }

  async create(tenantId: string, value: string): Promise<string> {
    assertTenantId(tenantId);
    const name = `${this.prefix}/${tenantId}/${randomUUID()}`;
    await this.options.client.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: value,
        Tags: [{ Key: 'tenant_id', Value: tenantId }],
        ...(this.options.kmsKeyId ? { KmsKeyId: this.options.kmsKeyId } : {}),
      }),
    );
    return REF + name;
  }

  async get(tenantId: string, ref: string): Promise<string> {
    const name = this.nameOf(tenantId, ref);
    try {
      const out = await this.options.client.send(new GetSecretValueCommand({ SecretId: name }));
      if (out.SecretString === undefined) throw new NotFoundError('secret', ref);
      return out.SecretString;
    } catch (err) {
      if (err instanceof ResourceNotFoundException) throw new NotFoundError('secret', ref);
      throw err;
    }
  }

  async delete(tenantId: string, ref: string): Promise<void> {
    const name = this.nameOf(tenantId, ref);
    try {
      await this.options.client.send(
        new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }),
      );
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
  }

  /** The reference must name a secret under this tenant's prefix. */
  private nameOf(tenantId: string, ref: string): string {
    assertTenantId(tenantId);
    const name = ref.startsWith(REF) ? ref.slice(REF.length) : '';
    const rest = name.slice(`${this.prefix}/${tenantId}/`.length);
    if (!name.startsWith(`${this.prefix}/${tenantId}/`) || !/^[0-9a-f-]{36}$/.test(rest)) {
      throw new NotFoundError('secret', ref.slice(0, 160));
    }
    return name;
  }
}
