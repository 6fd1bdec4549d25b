/**
 * LakePermissions over the Lake Formation API (REST-JSON). The caller's role must be a data
 * lake administrator: ABAC grants (a Condition on the principal) cannot be made from grantable
 * permissions, only by an administrator (Lake Formation developer guide, ABAC considerations).
 *
 * Converging outcomes, so retries are harmless: AlreadyExistsException on create is 'exists';
 * EntityNotFoundException on delete is 'absent'; on revoke, EntityNotFoundException and the
 * InvalidInputException Lake Formation answers when the grantee holds nothing to revoke
 * ("No permissions revoked ...") are 'absent'. Granting what is already granted succeeds.
 */
import {
  AlreadyExistsException,
  CreateDataCellsFilterCommand,
  DeleteDataCellsFilterCommand,
  EntityNotFoundException,
  GrantPermissionsCommand,
  InvalidInputException,
  type LakeFormationClient,
  type Permission,
  type Resource,
  RevokePermissionsCommand,
} from '@aws-sdk/client-lakeformation';
import type {
  ConditionalPrincipal,
  LakeFilterRef,
  LakeGrantTarget,
  LakePermissions,
} from '../../ports/lake-permissions.js';

const NOTHING_TO_REVOKE = /no permissions revoked/i;

export class LakeFormationPermissions implements LakePermissions {
  constructor(private readonly client: LakeFormationClient) {}

  async createFilter(filter: LakeFilterRef & { readonly rowFilter: string }): Promise<'created' | 'exists'> {
    try {
      await this.client.send(
        new CreateDataCellsFilterCommand({
          TableData: {
            TableCatalogId: filter.catalogId,
            DatabaseName: filter.databaseName,
            TableName: filter.tableName,
            Name: filter.name,
            RowFilter: { FilterExpression: filter.rowFilter },
            ColumnWildcard: { ExcludedColumnNames: [] },
          },
        }),
      );
      return 'created';
    } catch (err) {
      if (err instanceof AlreadyExistsException) return 'exists';
      throw err;
    }
  }

  async deleteFilter(filter: LakeFilterRef): Promise<'deleted' | 'absent'> {
    try {
      await this.client.send(
        new DeleteDataCellsFilterCommand({
          TableCatalogId: filter.catalogId,
          DatabaseName: filter.databaseName,
          TableName: filter.tableName,
          Name: filter.name,
        }),
      );
      return 'deleted';
    } catch (err) {
      if (err instanceof EntityNotFoundException) return 'absent';
      throw err;
    }
  }

  async grant(
    target: LakeGrantTarget,
    to: ConditionalPrincipal,
    permissions: readonly string[],
  ): Promise<void> {
    await this.client.send(
      new GrantPermissionsCommand({
        CatalogId: catalogOf(target),
        Principal: { DataLakePrincipalIdentifier: to.principal },
        Condition: { Expression: to.condition },
        Resource: resourceOf(target),
        Permissions: permissions as Permission[],
        PermissionsWithGrantOption: [],
      }),
    );
  }

  async revoke(
    target: LakeGrantTarget,
    from: ConditionalPrincipal,
    permissions: readonly string[],
  ): Promise<'revoked' | 'absent'> {
    try {
      await this.client.send(
        new RevokePermissionsCommand({
          CatalogId: catalogOf(target),
          Principal: { DataLakePrincipalIdentifier: from.principal },
          Condition: { Expression: from.condition },
          Resource: resourceOf(target),
          Permissions: permissions as Permission[],
          PermissionsWithGrantOption: [],
        }),
      );
      return 'revoked';
    } catch (err) {
      if (err instanceof EntityNotFoundException) return 'absent';
      if (err instanceof InvalidInputException && NOTHING_TO_REVOKE.test(err.message)) return 'absent';
      throw err;
    }
  }
}

function catalogOf(target: LakeGrantTarget): string {
  return target.kind === 'filter' ? target.filter.catalogId : target.catalogId;
}

function resourceOf(target: LakeGrantTarget): Resource {
  if (target.kind === 'database')
    return { Database: { CatalogId: target.catalogId, Name: target.databaseName } };
  const f = target.filter;
  return {
    DataCellsFilter: {
      TableCatalogId: f.catalogId,
      DatabaseName: f.databaseName,
      TableName: f.tableName,
      Name: f.name,
    },
  };
}
