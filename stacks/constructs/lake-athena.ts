/**
 * The lake's Athena workgroup and its named queries. The workgroup's settings are enforced
 * (clients cannot override them): engine version 3, results in their own bucket encrypted
 * with the data CMK, CloudWatch metrics, and a bytes-scanned cutoff per query so one bad
 * query cannot scan (and bill) the whole lake. One named query per `lib/lake/queries/*.sql`,
 * the same text the local DuckDB runner executes, each with its `tenant_id IN (?)` parameter:
 * StartQueryExecution binds it with ExecutionParameters (lib/adapters/aws/athena-query-runner.ts).
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { NamedQuery } from '../../lib/lake/named-queries.js';

export const ATHENA_ENGINE_VERSION = 'Athena engine version 3';

export interface LakeAthenaProps {
  readonly workGroupName: string;
  readonly databaseName: string;
  readonly queries: readonly NamedQuery[];
  readonly key: kms.IKey;
  readonly bytesScannedCutoffPerQuery: number;
  readonly resultsDays: number;
  readonly accessLogs: s3.IBucket;
  readonly retain: boolean;
}

export class LakeAthena extends Construct {
  readonly workGroup: athena.CfnWorkGroup;
  readonly results: s3.Bucket;
  readonly namedQueries: readonly athena.CfnNamedQuery[];

  constructor(scope: Construct, id: string, props: LakeAthenaProps) {
    super(scope, id);
    this.results = new s3.Bucket(this, 'Results', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'athena-results/',
      // Query results are re-creatable: they expire instead of tiering.
      lifecycleRules: [
        {
          expiration: Duration.days(props.resultsDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: props.workGroupName,
      description: 'GL Agent Factory lake queries (enforced settings, bytes-scanned limit)',
      state: 'ENABLED',
      recursiveDeleteOption: !props.retain,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: ATHENA_ENGINE_VERSION },
        resultConfiguration: {
          outputLocation: `s3://${this.results.bucketName}/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.key.keyArn },
        },
      },
    });

    this.namedQueries = props.queries.map(
      (q) =>
        new athena.CfnNamedQuery(this, `Query-${q.name}`, {
          name: q.name,
          description: q.description.slice(0, 1024),
          database: props.databaseName,
          workGroup: this.workGroup.ref,
          queryString: q.sql,
        }),
    );
  }
}
