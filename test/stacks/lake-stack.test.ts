/**
 * The lake stack on its own (only the lake extension on the foundation, so other stacks'
 * work in progress cannot hide or cause a failure here): prod with one silo tenant.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stage } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { LAKE_SETTINGS } from '../../lib/config/lake.js';
import { EVENT_SOURCE } from '../../lib/domain/events/catalogue.js';
import { NAMED_QUERIES_DIR } from '../../lib/lake/named-queries.js';
import { LAKE_PARTITION_KEYS, LAKE_TABLES } from '../../lib/lake/tables.js';
import { addEnvironment } from '../../stacks/app-stage.js';
import type { RegionStage } from '../../stacks/app-stage.js';
import { ATHENA_ENGINE_VERSION } from '../../stacks/constructs/lake-athena.js';
import { LAKE_BUCKET_PURPOSES, lakeBucketName } from '../../stacks/constructs/lake-buckets.js';
import { glueType, lakeDatabaseName } from '../../stacks/constructs/lake-catalog.js';
import { lakePartitionPrefix, lakeStreamName } from '../../stacks/constructs/lake-delivery.js';
import { tenantFilterName, tenantRowFilter } from '../../stacks/constructs/lake-governance.js';
import {
  LAKE_TENANT_EVENT_RETRIES,
  LAKE_TENANT_EVENT_TYPES,
  LAKE_TENANT_LF_ACTIONS,
  LAKE_TENANT_MAX_EVENT_AGE,
} from '../../stacks/constructs/lake-tenant-onboarding.js';
import { PlatformFunction } from '../../stacks/constructs/platform-function.js';
import { KeysStack } from '../../stacks/keys-stack.js';
import { LakeStack, lakeStage } from '../../stacks/lake-stack.js';
import {
  SILO_TENANTS,
  assertAllResources,
  assertHasResource,
  assertResourceCount,
  template,
  withSilos,
} from './helpers.js';

const config = withSilos('prod', SILO_TENANTS.slice(0, 1));
const silo = SILO_TENANTS[0]!;
const app = new App();
const stages = addEnvironment(app, config, [lakeStage]) as RegionStage[];
const [primary, secondary, siloLake] = stages.map((s) => s.plane.lake!) as [LakeStack, LakeStack, LakeStack];
const t = template(primary);
const settings = LAKE_SETTINGS.prod;

type Props = Record<string, unknown>;
const propsOf = (tpl: Template, type: string): [string, Props][] =>
  Object.entries(tpl.findResources(type)).map(([id, r]) => [id, (r.Properties ?? {}) as Props]);
const lakeBuckets = (tpl: Template) =>
  propsOf(tpl, 'AWS::S3::Bucket').filter(
    ([, p]) => typeof p.BucketName === 'string' && p.BucketName.includes('-lake-'),
  );

describe('LakeStack', () => {
  describe('Glue catalog', () => {
    it('has one table per LAKE_TABLES entry with exactly its columns, types and partition keys', () => {
      const tables = propsOf(t, 'AWS::Glue::Table').map(([, p]) => p.TableInput as Props);
      expect(tables.map((x) => x.Name).sort()).toEqual(LAKE_TABLES.map((x) => x.name).sort());
      const asGlue = (cols: readonly { name: string; type: string; comment: string }[]) =>
        cols.map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment }));
      for (const lake of LAKE_TABLES) {
        const input = tables.find((x) => x.Name === lake.name)!;
        expect((input.StorageDescriptor as Props).Columns).toEqual(asGlue(lake.columns));
        expect(input.PartitionKeys).toEqual(asGlue(LAKE_PARTITION_KEYS));
      }
      assertHasResource(t, 'AWS::Glue::Database', {
        DatabaseInput: Match.objectLike({
          Name: lakeDatabaseName('prod'),
          CreateTableDefaultPermissions: [],
        }),
      });
    });

    it('maps every lake column type to the same Hive type name, decimals included', () => {
      for (const type of ['string', 'bigint', 'int', 'double', 'boolean', 'timestamp', 'date'] as const)
        expect(glueType(type).inputString).toBe(type);
      expect(glueType('decimal(18,4)').inputString).toBe('decimal(18,4)');
    });

    it('reads Parquet through the Parquet SerDe under the processed bucket', () => {
      assertAllResources(t, 'AWS::Glue::Table', {
        TableInput: Match.objectLike({
          StorageDescriptor: Match.objectLike({
            InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            SerdeInfo: {
              SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
            },
            Location: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['s3://'])] }),
          }),
        }),
      });
    });

    it('projects tenant_id as injected and dt as a daily date range, in the Hive layout', () => {
      for (const lake of LAKE_TABLES) {
        assertHasResource(t, 'AWS::Glue::Table', {
          TableInput: Match.objectLike({
            Name: lake.name,
            Parameters: Match.objectLike({
              'projection.enabled': 'true',
              'projection.tenant_id.type': 'injected',
              'projection.dt.type': 'date',
              'projection.dt.format': 'yyyy-MM-dd',
              'projection.dt.range': `${settings.partitionStartDate},NOW`,
              'projection.dt.interval': '1',
              'projection.dt.interval.unit': 'DAYS',
              'storage.location.template': {
                'Fn::Join': [
                  '',
                  ['s3://', Match.anyValue(), `/${lake.prefix}tenant_id=\${tenant_id}/dt=\${dt}/`],
                ],
              },
            }),
          }),
        });
      }
    });
  });

  describe('buckets', () => {
    it('has raw, processed and curated with derived names, CMK encryption, no public access and access logs', () => {
      const buckets = lakeBuckets(t);
      expect(buckets.map(([, p]) => p.BucketName).sort()).toEqual(
        LAKE_BUCKET_PURPOSES.map((p) => lakeBucketName('prod', p, '333333333333', 'eu-west-1')).sort(),
      );
      for (const [, p] of buckets) {
        expect(p.BucketEncryption).toMatchObject({
          ServerSideEncryptionConfiguration: [
            {
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: expect.anything() as unknown,
              },
              BucketKeyEnabled: true,
            },
          ],
        });
        expect(p.PublicAccessBlockConfiguration).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
        expect(p.LoggingConfiguration).toMatchObject({ DestinationBucketName: expect.anything() as unknown });
        expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      }
    });

    it('denies plain-HTTP access to every bucket', () => {
      const policies = propsOf(t, 'AWS::S3::BucketPolicy');
      expect(policies.length).toBe(propsOf(t, 'AWS::S3::Bucket').length);
      for (const [, p] of policies) {
        expect(JSON.stringify(p.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
      }
    });

    it('moves objects to Standard-IA after 30 days and to Glacier after 90 (instant retrieval where Athena reads)', () => {
      const glacierOf: Record<string, string> = {};
      for (const [, p] of lakeBuckets(t)) {
        const [rule] = (p.LifecycleConfiguration as { Rules: Props[] }).Rules;
        const transitions = rule!.Transitions as { StorageClass: string; TransitionInDays: number }[];
        expect(transitions[0]).toEqual({ StorageClass: 'STANDARD_IA', TransitionInDays: 30 });
        expect(transitions[1]!.TransitionInDays).toBe(90);
        glacierOf[String(p.BucketName).split('-lake-')[1]!.split('-')[0]!] = transitions[1]!.StorageClass;
      }
      expect(glacierOf).toEqual({ raw: 'GLACIER', processed: 'GLACIER_IR', curated: 'GLACIER_IR' });
    });

    it('replicates every bucket to the same-purpose bucket of the secondary region, under its data key', () => {
      for (const [, p] of lakeBuckets(t)) {
        const purpose = String(p.BucketName).split('-lake-')[1]!.split('-')[0] as 'raw';
        const replication = p.ReplicationConfiguration as { Role: unknown; Rules: Props[] };
        expect(replication.Role).toBeDefined();
        expect(replication.Rules).toHaveLength(1);
        expect(JSON.stringify(replication.Rules[0]!.Destination)).toContain(
          `:s3:::${lakeBucketName('prod', purpose, '333333333333', 'eu-central-1')}`,
        );
        expect(JSON.stringify(replication.Rules[0]!.Destination)).toContain(
          ':kms:eu-central-1:333333333333:alias/glaf/prod/data',
        );
        expect(replication.Rules[0]).toMatchObject({
          Status: 'Enabled',
          SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
          DeleteMarkerReplication: { Status: 'Enabled' },
        });
      }
      // The destinations exist under those names: the secondary's lake creates them.
      expect(
        lakeBuckets(template(secondary))
          .map(([, p]) => p.BucketName)
          .sort(),
      ).toEqual(
        LAKE_BUCKET_PURPOSES.map((p) => lakeBucketName('prod', p, '333333333333', 'eu-central-1')).sort(),
      );
    });

    it('gives the replication role the replication actions only, and the destination key by alias', () => {
      const role = Object.keys(t.findResources('AWS::IAM::Role')).find((id) =>
        id.startsWith('BucketsReplicationRole'),
      )!;
      const [, policy] = propsOf(t, 'AWS::IAM::Policy').find(([, p]) =>
        JSON.stringify(p.Roles).includes(role),
      )!;
      const statements = (policy.PolicyDocument as { Statement: Props[] }).Statement;
      const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
      expect(actions.sort()).toEqual(
        [
          's3:GetReplicationConfiguration',
          's3:ListBucket',
          's3:GetObjectVersionForReplication',
          's3:GetObjectVersionAcl',
          's3:GetObjectVersionTagging',
          's3:ReplicateObject',
          's3:ReplicateDelete',
          's3:ReplicateTags',
          'kms:Decrypt',
          'kms:Encrypt',
          'kms:GenerateDataKey',
        ].sort(),
      );
      const encrypt = statements.find((s) => [s.Action].flat().includes('kms:Encrypt'))!;
      expect(encrypt.Condition).toEqual({
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/glaf/prod/data' },
        StringLike: { 'kms:ViaService': ['s3.eu-central-1.amazonaws.com'] },
      });
    });
  });

  describe('Firehose', () => {
    it('has one encrypted delivery stream per table, named from the environment', () => {
      assertResourceCount(t, 'AWS::KinesisFirehose::DeliveryStream', LAKE_TABLES.length);
      for (const lake of LAKE_TABLES) {
        assertHasResource(t, 'AWS::KinesisFirehose::DeliveryStream', {
          DeliveryStreamName: lakeStreamName('prod', lake.name),
          DeliveryStreamType: 'DirectPut',
          DeliveryStreamEncryptionConfigurationInput: {
            KeyType: 'CUSTOMER_MANAGED_CMK',
            KeyARN: Match.anyValue(),
          },
        });
      }
    });

    it('converts JSON to Parquet with the Glue table schema and partitions on the record tenant_id and dt', () => {
      for (const lake of LAKE_TABLES) {
        const stream = propsOf(t, 'AWS::KinesisFirehose::DeliveryStream').find(
          ([, p]) => p.DeliveryStreamName === lakeStreamName('prod', lake.name),
        )![1];
        const s3 = stream.ExtendedS3DestinationConfiguration as Props;
        expect(s3).toMatchObject({
          Prefix: `${lake.prefix}tenant_id=!{partitionKeyFromQuery:tenant_id}/dt=!{partitionKeyFromQuery:dt}/`,
          ErrorOutputPrefix: `_errors/${lake.name}/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/`,
          BufferingHints: {
            IntervalInSeconds: settings.firehoseBufferSeconds,
            SizeInMBs: settings.firehoseBufferMiB,
          },
          DynamicPartitioningConfiguration: { Enabled: true },
          EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: expect.anything() as unknown } },
          S3BackupMode: 'Enabled',
          DataFormatConversionConfiguration: {
            Enabled: true,
            InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: expect.anything() as unknown } },
            OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } },
            SchemaConfiguration: expect.objectContaining({ VersionId: 'LATEST' }) as unknown,
          },
        });
        expect(s3.Prefix).toBe(lakePartitionPrefix(lake));
        // The schema is this table's Glue table (not a copy of its columns).
        expect(
          (s3.DataFormatConversionConfiguration as { SchemaConfiguration: Props }).SchemaConfiguration
            .TableName,
        ).toEqual({
          Ref: primary.getLogicalId(primary.catalog!.cfnTable(lake.name)),
        });
        expect(s3.ProcessingConfiguration).toMatchObject({
          Enabled: true,
          Processors: [
            {
              Type: 'MetadataExtraction',
              Parameters: expect.arrayContaining([
                {
                  ParameterName: 'MetadataExtractionQuery',
                  ParameterValue: '{"tenant_id":.tenant_id,"dt":.dt}',
                },
                { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' },
              ]) as unknown,
            },
          ],
        });
      }
    });

    it('binds the stream processor: LAKE_STREAM_PREFIX naming these streams, PutRecordBatch on them only', () => {
      // Prepare: a fresh silo lake (its own app) and the stream processor function in it.
      const fresh = new App();
      const stage = new Stage(fresh, 'S');
      const env = { account: silo.account, region: silo.homeRegion };
      const keys = new KeysStack(stage, 'Keys', { env, config, tenantId: silo.tenantId });
      const lake = new LakeStack(stage, 'Lake', {
        env,
        config,
        tenantId: silo.tenantId,
        keys: keys.keys,
        role: 'silo',
      });
      const writer = new PlatformFunction(lake, 'Writer', {
        entry: 'lambdas/stream-processor/handler.ts',
        serviceName: 'stream-processor',
      });

      // Act
      lake.bindWriter(writer);

      // Assess
      const lt = Template.fromStack(lake);
      const [, fn] = propsOf(lt, 'AWS::Lambda::Function')[0]!;
      const prefix = (fn.Environment as { Variables: Record<string, string> }).Variables.LAKE_STREAM_PREFIX!;
      // The stream processor names its streams `<LAKE_STREAM_PREFIX><table>`: exactly the deployed ones.
      const deployed = propsOf(lt, 'AWS::KinesisFirehose::DeliveryStream').map(
        ([, p]) => p.DeliveryStreamName,
      );
      expect(LAKE_TABLES.map((x) => `${prefix}${x.name}`).sort()).toEqual([...deployed].sort());
      const role = Object.keys(lt.findResources('AWS::IAM::Role')).find((id) => id.startsWith('WriterRole'))!;
      const statements = propsOf(lt, 'AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Roles).includes(role))
        .flatMap(([, p]) => (p.PolicyDocument as { Statement: Props[] }).Statement);
      const firehose = statements.filter((st) => JSON.stringify(st.Action).includes('firehose:'));
      expect(firehose).toHaveLength(1);
      expect(firehose[0]!.Action).toBe('firehose:PutRecordBatch');
      expect(firehose[0]!.Resource).toHaveLength(LAKE_TABLES.length);
      expect(JSON.stringify(firehose[0]!.Resource)).not.toContain('*');
    });
  });

  describe('stream processor', () => {
    it("consumes the execution table's stream with partial batch responses into events and the lake", () => {
      for (const stack of [primary, siloLake]) {
        const lt = template(stack);
        assertHasResource(lt, 'AWS::Lambda::EventSourceMapping', {
          EventSourceArn: Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('Data:.*StreamArn') }),
          StartingPosition: 'TRIM_HORIZON',
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          BisectBatchOnFunctionError: true,
          MaximumRetryAttempts: 5,
          DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
        });
        assertHasResource(lt, 'AWS::Lambda::Function', {
          Environment: {
            Variables: Match.objectLike({
              LAKE_STREAM_PREFIX: 'glaf-prod-lake-',
              EVENT_BUS_NAME: Match.anyValue(),
              POWERTOOLS_SERVICE_NAME: 'stream-processor',
            }),
          },
        });
        assertHasResource(lt, 'AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
      }
      // A replica's stream repeats the primary's changes: no consumer in the secondary region.
      assertResourceCount(template(secondary), 'AWS::Lambda::EventSourceMapping', 0);
    });

    it('may put record batches into the lake streams and events on the bus, nothing more of either', () => {
      const role = Object.keys(t.findResources('AWS::IAM::Role')).find((id) =>
        id.startsWith('StreamProcessorFunctionRole'),
      )!;
      const statements = propsOf(t, 'AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Roles).includes(role))
        .flatMap(([, p]) => (p.PolicyDocument as { Statement: Props[] }).Statement);
      const actions = (prefix: string) =>
        statements.flatMap((st) => [st.Action].flat() as string[]).filter((a) => a.startsWith(prefix));
      expect(actions('firehose:')).toEqual(['firehose:PutRecordBatch']);
      expect(actions('events:')).toEqual(['events:PutEvents']);
      expect(
        actions('dynamodb:').every((a) =>
          /^dynamodb:(DescribeStream|GetRecords|GetShardIterator|ListStreams)$/.test(a),
        ),
      ).toBe(true);
    });
  });

  describe('Athena', () => {
    it('enforces the workgroup: engine v3, encrypted results, the bytes-scanned limit', () => {
      assertHasResource(t, 'AWS::Athena::WorkGroup', {
        Name: 'glaf-prod-lake',
        WorkGroupConfiguration: Match.objectLike({
          EnforceWorkGroupConfiguration: true,
          PublishCloudWatchMetricsEnabled: true,
          BytesScannedCutoffPerQuery: settings.bytesScannedCutoffPerQuery,
          EngineVersion: { SelectedEngineVersion: ATHENA_ENGINE_VERSION },
          ResultConfiguration: {
            OutputLocation: Match.anyValue(),
            EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: Match.anyValue() },
          },
        }),
      });
      expect(ATHENA_ENGINE_VERSION).toBe('Athena engine version 3');
      expect(LAKE_SETTINGS.dev.bytesScannedCutoffPerQuery).toBeLessThan(settings.bytesScannedCutoffPerQuery);
    });

    it('publishes one named query per lib/lake/queries/*.sql, with the file text and its tenant parameter', () => {
      const files = readdirSync(NAMED_QUERIES_DIR).filter((f) => f.endsWith('.sql'));
      expect(files.length).toBeGreaterThan(0);
      const queries = propsOf(t, 'AWS::Athena::NamedQuery').map(([, p]) => p);
      expect(queries.map((q) => q.Name).sort()).toEqual(files.map((f) => f.replace(/\.sql$/, '')).sort());
      for (const file of files) {
        const q = queries.find((x) => x.Name === file.replace(/\.sql$/, ''))!;
        const text = readFileSync(join(NAMED_QUERIES_DIR, file), 'utf8').trim();
        expect(q.QueryString).toBe(text);
        // Athena refuses a query on the injected tenant_id partition without a static tenant predicate.
        expect(q.QueryString).toMatch(/\bWHERE tenant_id IN \(\?\)/);
        expect(q.Description).toBe(text.split('\n')[0]!.slice(3).trim());
        expect(q.Database).toBe(lakeDatabaseName('prod'));
        expect(q.WorkGroup).toEqual({ Ref: expect.stringMatching(/^AthenaWorkGroup/) as unknown });
      }
    });
  });

  describe('Lake Formation', () => {
    it('registers the processed and curated locations with its own role, Lake Formation permissions only', () => {
      const locations = propsOf(t, 'AWS::LakeFormation::Resource');
      expect(locations).toHaveLength(2);
      const text = JSON.stringify(locations.map(([, p]) => p.ResourceArn));
      expect(text).toMatch(/BucketsProcessed/);
      expect(text).toMatch(/BucketsCurated/);
      for (const [, p] of locations) {
        expect(p).toMatchObject({ UseServiceLinkedRole: false, HybridAccessEnabled: false });
        expect(JSON.stringify(p.RoleArn)).toMatch(/GovernanceRegistrationRole/);
      }
      const deployRole = {
        DataLakePrincipalIdentifier: Match.objectLike({
          'Fn::Join': [
            '',
            Match.arrayWith([':iam::333333333333:role/cdk-hnb659fds-cfn-exec-role-333333333333-eu-west-1']),
          ],
        }),
      };
      // One settings resource: the deploy role and, in the primary region, the pool-tenant onboarding function.
      assertResourceCount(t, 'AWS::LakeFormation::DataLakeSettings', 1);
      assertHasResource(t, 'AWS::LakeFormation::DataLakeSettings', {
        MutationType: 'APPEND',
        Admins: [
          deployRole,
          {
            DataLakePrincipalIdentifier: {
              'Fn::GetAtt': [Match.stringLikeRegexp('^TenantOnboardingFunctionRole'), 'Arn'],
            },
          },
        ],
      });
      assertHasResource(template(siloLake), 'AWS::LakeFormation::DataLakeSettings', {
        MutationType: 'APPEND',
        Admins: [
          {
            DataLakePrincipalIdentifier: Match.objectLike({
              'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`cfn-exec-role-${silo.account}`)])],
            }),
          },
        ],
      });
    });

    describe('pool-tenant onboarding', () => {
      const fnId = () =>
        Object.keys(t.findResources('AWS::Lambda::Function')).find((id) =>
          id.startsWith('TenantOnboardingFunction'),
        )!;

      it('sends tenant.created and tenant.offboarded of the platform bus to its function, with retries and a DLQ', () => {
        const rules = propsOf(t, 'AWS::Events::Rule').filter(([id]) => id.startsWith('TenantOnboarding'));
        expect(rules).toHaveLength(1);
        const [, rule] = rules[0]!;
        expect(rule.EventPattern).toEqual({
          source: [EVENT_SOURCE],
          'detail-type': [...LAKE_TENANT_EVENT_TYPES],
        });
        const [target] = rule.Targets as Props[];
        expect(target).toMatchObject({
          Arn: { 'Fn::GetAtt': [fnId(), 'Arn'] },
          RetryPolicy: {
            MaximumRetryAttempts: LAKE_TENANT_EVENT_RETRIES.rule,
            MaximumEventAgeInSeconds: LAKE_TENANT_MAX_EVENT_AGE.toSeconds(),
          },
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [expect.stringMatching(/^TenantOnboardingDlq/), 'Arn'] },
          },
        });
        assertHasResource(t, 'AWS::Lambda::EventInvokeConfig', {
          FunctionName: { Ref: fnId() },
          MaximumRetryAttempts: LAKE_TENANT_EVENT_RETRIES.lambda,
        });
        const fn = t.findResources('AWS::Lambda::Function')[fnId()]!.Properties as Props;
        expect((fn.Environment as { Variables: Props }).Variables).toMatchObject({
          LAKE_DATABASE_NAME: lakeDatabaseName('prod'),
          LAKE_CATALOG_ID: primary.account,
        });
      });

      it('may make the four Lake Formation calls and read this lake catalog, nothing else', () => {
        type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };
        const statements = propsOf(t, 'AWS::IAM::Policy')
          .filter(([id]) => id.startsWith('TenantOnboardingFunctionRole'))
          .flatMap(([, p]) => (p.PolicyDocument as { Statement: Statement[] }).Statement);
        const lf = statements.find((x) => x.Sid === 'TenantFiltersAndGrants')!;
        expect(lf).toMatchObject({ Action: [...LAKE_TENANT_LF_ACTIONS], Resource: '*' });
        const glue = statements.find((x) => x.Sid === 'ResolveLakeTables')!;
        expect(glue.Action).toEqual(['glue:GetDatabase', 'glue:GetTable']);
        expect(JSON.stringify(glue.Resource)).toContain(`table/${lakeDatabaseName('prod')}/audit_events`);
        const actions = statements.flatMap((x) => (Array.isArray(x.Action) ? x.Action : [x.Action]));
        expect(actions.filter((a) => a.startsWith('lakeformation:')).sort()).toEqual(
          [...LAKE_TENANT_LF_ACTIONS].sort(),
        );
        expect(
          actions.some((a) => /^s3:|^glue:(Create|Update|Delete)|\*$/.test(a) && !a.startsWith('kms:')),
        ).toBe(false);
      });

      it('is only in the primary region: silo tenants are granted at synth, a secondary has no catalog', () => {
        for (const other of [template(siloLake), template(secondary)])
          expect(
            propsOf(other, 'AWS::Events::Rule').filter(([id]) => id.startsWith('TenantOnboarding')),
          ).toEqual([]);
        expect(primary.tenantOnboarding).toBeDefined();
        expect(siloLake.tenantOnboarding).toBeUndefined();
      });
    });

    it("filters a silo tenant's rows on every table and grants SELECT on the filters only", () => {
      const s = template(siloLake);
      assertHasResource(s, 'AWS::Glue::Database', {
        DatabaseInput: Match.objectLike({ Name: lakeDatabaseName('prod', silo.tenantId) }),
      });
      const filters = propsOf(s, 'AWS::LakeFormation::DataCellsFilter').map(([, p]) => p);
      expect(filters.map((f) => f.TableName).sort()).toEqual(LAKE_TABLES.map((x) => x.name).sort());
      for (const f of filters) {
        expect(f).toMatchObject({
          DatabaseName: { Ref: expect.stringMatching(/^CatalogDatabase/) as unknown },
          Name: tenantFilterName(silo.tenantId, f.TableName as string),
          RowFilter: { FilterExpression: `tenant_id = '${silo.tenantId}'` },
          ColumnWildcard: { ExcludedColumnNames: [] },
        });
      }
      const grants = propsOf(s, 'AWS::LakeFormation::PrincipalPermissions').map(([, p]) => p);
      const selects = grants.filter((g) => JSON.stringify(g.Permissions) === '["SELECT"]');
      expect(selects).toHaveLength(LAKE_TABLES.length);
      for (const g of selects) {
        expect(g.Resource).toEqual({
          DataCellsFilter: expect.objectContaining({ Name: expect.any(String) as unknown }) as unknown,
        });
        expect(JSON.stringify(g.Principal)).toMatch(/AnalystRole/);
        expect(g.PermissionsWithGrantOption).toEqual([]);
      }
      // Nothing grants SELECT on a table itself: only DESCRIBE (the Firehose roles, below).
      const onTables = grants.filter((g) => JSON.stringify(g.Resource).includes('"Table"'));
      expect(onTables.every((g) => JSON.stringify(g.Permissions) === '["DESCRIBE"]')).toBe(true);
      // The pool lake has no static tenant filter: pool tenants get theirs at onboarding.
      assertResourceCount(t, 'AWS::LakeFormation::DataCellsFilter', 0);
    });

    it("lets each stream's role DESCRIBE its own table (the Parquet conversion reads the schema)", () => {
      const grants = propsOf(t, 'AWS::LakeFormation::PrincipalPermissions').map(([, p]) => p);
      for (const lake of LAKE_TABLES) {
        const role = Object.keys(t.findResources('AWS::IAM::Role')).find((id) =>
          id.startsWith(`Delivery${lake.name.replaceAll('_', '')}Role`),
        )!;
        const mine = grants.filter((g) => JSON.stringify(g.Principal).includes(role));
        expect(mine.map((g) => g.Permissions)).toEqual([['DESCRIBE'], ['DESCRIBE']]);
        expect(mine.map((g) => Object.keys(g.Resource as Props)[0]).sort()).toEqual(['Database', 'Table']);
        const table = mine.find((g) => 'Table' in (g.Resource as Props))!.Resource as { Table: Props };
        expect(table.Table.Name).toBe(lake.name);
        // And it is the role the stream writes with.
        const stream = propsOf(t, 'AWS::KinesisFirehose::DeliveryStream').find(
          ([, p]) => p.DeliveryStreamName === lakeStreamName('prod', lake.name),
        )![1];
        expect((stream.ExtendedS3DestinationConfiguration as Props).RoleARN).toEqual({
          'Fn::GetAtt': [role, 'Arn'],
        });
      }
    });

    it('builds row filters from UUID tenant ids only', () => {
      expect(tenantRowFilter(silo.tenantId)).toBe(`tenant_id = '${silo.tenantId}'`);
      expect(tenantRowFilter(silo.tenantId)).not.toBe(tenantRowFilter(SILO_TENANTS[1]!.tenantId));
      for (const bad of [
        `x' OR '1'='1`,
        `${silo.tenantId}' OR ''='`,
        '7F0C2A9E-3B1D-4C5E-8F6A-1B2C3D4E5F60',
        '',
      ])
        expect(() => tenantRowFilter(bad)).toThrow(/Not a tenant id/);
      expect(() => tenantFilterName('nope', 'executions')).toThrow(/Not a tenant id/);
    });

    it("lets the silo tenant's analysts use the workgroup and the catalog, not the lake buckets", () => {
      const s = template(siloLake);
      const role = Object.keys(s.findResources('AWS::IAM::Role')).find((id) => id.startsWith('AnalystRole'))!;
      assertHasResource(s, 'AWS::IAM::Role', {
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { AWS: Match.objectLike({}) } })],
        }),
      });
      const text = JSON.stringify(
        propsOf(s, 'AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Roles).includes(role)),
      );
      expect(text).toContain('athena:StartQueryExecution');
      expect(text).toContain('lakeformation:GetDataAccess');
      expect(text).toContain('AthenaResults');
      for (const bucket of ['BucketsRaw', 'BucketsProcessed', 'BucketsCurated'])
        expect(text).not.toContain(bucket);
    });
  });

  describe('stages', () => {
    it('keeps only the replica buckets in the secondary region and no replication in a silo', () => {
      const sec = template(secondary);
      for (const type of [
        'AWS::Glue::Table',
        'AWS::KinesisFirehose::DeliveryStream',
        'AWS::Athena::WorkGroup',
        'AWS::LakeFormation::Resource',
      ])
        assertResourceCount(sec, type, 0);
      for (const [, p] of lakeBuckets(sec)) expect(p.ReplicationConfiguration).toBeUndefined();
      const s = template(siloLake);
      expect(siloLake.account).toBe(silo.account);
      assertResourceCount(s, 'AWS::Glue::Table', LAKE_TABLES.length);
      for (const [, p] of lakeBuckets(s)) expect(p.ReplicationConfiguration).toBeUndefined();
    });

    it('retains the lake buckets in prod', () => {
      const retained = Object.values(t.findResources('AWS::S3::Bucket')).filter(
        (r) => r.DeletionPolicy === 'Retain',
      );
      expect(retained.length).toBe(propsOf(t, 'AWS::S3::Bucket').length);
    });
  });

  describe('cdk-nag', () => {
    it.each([
      ['primary', primary],
      ['secondary', secondary],
      ['silo', siloLake],
    ] as [string, Stack][])('passes AwsSolutions with zero unacknowledged errors (%s)', (_, stack) => {
      const report = new AwsSolutionsChecks(app).validateScope(stack);
      const errors = report.violations
        .filter((v) => v.severity === 'error')
        .map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
      expect(errors).toEqual([]);
    });
  });
});
