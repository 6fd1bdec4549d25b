/**
 * Lake Formation over the lake: the Parquet locations are registered (Lake Formation vends
 * credentials for them through its own role, so analysts need no S3 permissions), new tables
 * get no IAMAllowedPrincipals grant (Lake Formation permissions, not IAM, decide who reads),
 * and tenants read through row filters.
 *
 * Tenant design. A data cells filter holds a static row expression (`tenant_id = '<id>'`);
 * Lake Formation has no per-session variable in filter expressions, so there is one filter
 * per tenant and table (`tenantFilterName`), all columns, and SELECT is granted on the
 * filter, never on the table:
 * - silo tenant: its own lake in its own account; the stack creates the filters for its one
 *   tenant and grants them to the tenant's analyst role (defence in depth on top of the
 *   account boundary).
 * - pool tenant: unknown at synth. Onboarding creates the same filters (same names, same
 *   expression, lib/lake/tenant-filters.ts) and grants them with Lake Formation ABAC: the
 *   grant's principal is the account's IAM principals with a Cedar condition on the
 *   `tenant_id` principal tag, which is the session tag the tenant role is assumed with
 *   (stacks/constructs/tenant-role.ts). CloudFormation's PrincipalPermissions cannot express an
 *   ABAC condition, hence API calls at onboarding: the `tenant.created` / `tenant.offboarded`
 *   rule and function of stacks/constructs/lake-tenant-onboarding.ts, registered here as a
 *   data lake administrator (`addAdmin`).
 */
import { DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import type * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { tenantFilterName, tenantRowFilter } from '../../lib/lake/tenant-filters.js';
import { acknowledgeBucketGrants } from './lake-nag.js';

// Defined once in lib/: the onboarding function (pool tenants) creates the same filters.
export { tenantFilterName, tenantRowFilter };

export interface LakeGovernanceProps {
  /** Buckets whose data Lake Formation governs (registered locations). */
  readonly locations: readonly s3.IBucket[];
  /** Their encryption key (Lake Formation's role decrypts for the vended credentials). */
  readonly key: kms.IKey;
  readonly database: glue.Database;
  /** Glue tables that get tenant filters, by name. */
  readonly tables: ReadonlyMap<string, glue.S3Table>;
}

export class LakeGovernance extends Construct {
  readonly settings: lakeformation.CfnDataLakeSettings;
  readonly registrationRole: iam.Role;
  readonly filters: lakeformation.CfnDataCellsFilter[] = [];
  private readonly props: LakeGovernanceProps;

  constructor(scope: Construct, id: string, props: LakeGovernanceProps) {
    super(scope, id);
    this.props = props;
    const stack = Stack.of(this);
    // The deploying role must be a Lake Formation admin to create filters and grants. APPEND
    // adds it without replacing the account's other admins.
    this.settings = new lakeformation.CfnDataLakeSettings(this, 'Settings', {
      mutationType: 'APPEND',
      admins: [{ dataLakePrincipalIdentifier: cloudFormationExecutionRoleArn(stack) }],
    });
    // New tables of this database get no IAMAllowedPrincipals grant: Lake Formation decides.
    (props.database.node.defaultChild as glue.CfnDatabase).addPropertyOverride(
      'DatabaseInput.CreateTableDefaultPermissions',
      [],
    );

    this.registrationRole = new iam.Role(this, 'RegistrationRole', {
      assumedBy: new iam.ServicePrincipal('lakeformation.amazonaws.com'),
      description: 'Lake Formation data access to the registered lake locations',
    });
    for (const [i, bucket] of props.locations.entries()) {
      bucket.grantReadWrite(this.registrationRole);
      const resource = new lakeformation.CfnResource(this, `Location${i}`, {
        resourceArn: bucket.bucketArn,
        useServiceLinkedRole: false,
        roleArn: this.registrationRole.roleArn,
        hybridAccessEnabled: false,
      });
      resource.node.addDependency(this.settings);
    }
    props.key.grantEncryptDecrypt(this.registrationRole);
    acknowledgeBucketGrants(
      this.registrationRole,
      props.locations,
      'Lake Formation vends credentials for objects under the registered locations; each grant narrows them',
    );
  }

  /**
   * Makes a role a data lake administrator, in the same settings resource (two APPEND settings
   * resources would read-modify-write the account's admin list concurrently). Only for roles
   * that must grant with ABAC: Lake Formation offers no grantable permissions with ABAC, so only
   * an administrator can make those grants. Its IAM policy still limits what it may call.
   */
  addAdmin(roleArn: string): void {
    const admins = (this.settings.admins ??
      []) as lakeformation.CfnDataLakeSettings.DataLakePrincipalProperty[];
    this.settings.admins = [...admins, { dataLakePrincipalIdentifier: roleArn }];
  }

  /**
   * DESCRIBE on one table (and its database) for a service role: Firehose's record format
   * conversion reads the table's schema, and Lake Formation, not IAM, decides that for a
   * governed table.
   */
  grantDescribe(id: string, principalArn: string, table: string): void {
    const stack = Stack.of(this);
    const database = this.props.database.databaseName;
    const principal = { dataLakePrincipalIdentifier: principalArn };
    const onDatabase = new lakeformation.CfnPrincipalPermissions(this, `${id}Database`, {
      principal,
      resource: { database: { catalogId: stack.account, name: database } },
      permissions: ['DESCRIBE'],
      permissionsWithGrantOption: [],
    });
    const onTable = new lakeformation.CfnPrincipalPermissions(this, `${id}Table`, {
      principal,
      resource: { table: { catalogId: stack.account, databaseName: database, name: table } },
      permissions: ['DESCRIBE'],
      permissionsWithGrantOption: [],
    });
    onDatabase.node.addDependency(this.settings, this.props.database);
    onTable.node.addDependency(this.settings, this.props.tables.get(table) ?? this.props.database);
  }

  /**
   * The tenant's row filter on every table and SELECT on those filters (never on the tables)
   * for one principal, plus DESCRIBE on the database.
   */
  grantTenant(tenantId: string, principalArn: string): void {
    const stack = Stack.of(this);
    const principal = { dataLakePrincipalIdentifier: principalArn };
    const suffix = tenantId.slice(0, 8);
    const describe = new lakeformation.CfnPrincipalPermissions(this, `Describe-${suffix}`, {
      principal,
      resource: { database: { catalogId: stack.account, name: this.props.database.databaseName } },
      permissions: ['DESCRIBE'],
      permissionsWithGrantOption: [],
    });
    describe.node.addDependency(this.settings, this.props.database);
    for (const [name, table] of this.props.tables) {
      const filter = new lakeformation.CfnDataCellsFilter(this, `Filter-${suffix}-${name}`, {
        tableCatalogId: stack.account,
        databaseName: this.props.database.databaseName,
        tableName: name,
        name: tenantFilterName(tenantId, name),
        rowFilter: { filterExpression: tenantRowFilter(tenantId) },
        columnWildcard: { excludedColumnNames: [] },
      });
      filter.node.addDependency(this.settings, table);
      this.filters.push(filter);
      const grant = new lakeformation.CfnPrincipalPermissions(this, `Select-${suffix}-${name}`, {
        principal,
        resource: {
          dataCellsFilter: {
            tableCatalogId: stack.account,
            databaseName: this.props.database.databaseName,
            tableName: name,
            name: filter.name,
          },
        },
        permissions: ['SELECT'],
        permissionsWithGrantOption: [],
      });
      grant.node.addDependency(filter);
    }
  }
}

/** The CDK bootstrap's CloudFormation execution role (default qualifier) in this stack's account. */
function cloudFormationExecutionRoleArn(stack: Stack): string {
  const q = DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  return `arn:${stack.partition}:iam::${stack.account}:role/cdk-${q}-cfn-exec-role-${stack.account}-${stack.region}`;
}
