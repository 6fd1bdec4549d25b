/**
 * What pool-tenant lake onboarding needs from Lake Formation: data cells filters and grants on
 * them (and on the database) to principals chosen by a condition. Every call converges: "already
 * there" on create and "not there" on delete/revoke are outcomes, not errors, so a retried or
 * repeated event does no harm.
 */

export interface LakeFilterRef {
  /** The Data Catalog (account id). */
  readonly catalogId: string;
  readonly databaseName: string;
  readonly tableName: string;
  readonly name: string;
}

export interface ConditionalPrincipal {
  /** e.g. `<account>:IAMPrincipals`. */
  readonly principal: string;
  /** Cedar expression over the principal's attributes. */
  readonly condition: string;
}

export type LakeGrantTarget =
  | { readonly kind: 'filter'; readonly filter: LakeFilterRef }
  | { readonly kind: 'database'; readonly catalogId: string; readonly databaseName: string };

export interface LakePermissions {
  /** A row filter over every column. */
  createFilter(filter: LakeFilterRef & { readonly rowFilter: string }): Promise<'created' | 'exists'>;
  deleteFilter(filter: LakeFilterRef): Promise<'deleted' | 'absent'>;
  grant(target: LakeGrantTarget, to: ConditionalPrincipal, permissions: readonly string[]): Promise<void>;
  revoke(
    target: LakeGrantTarget,
    from: ConditionalPrincipal,
    permissions: readonly string[],
  ): Promise<'revoked' | 'absent'>;
}
