/** The execution store and the object store of a scheduled job, from its environment. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore } from '../../ports/object-store.js';
import { DynamoDbExecutionStore } from '../aws/dynamodb-execution-store.js';
import { S3ObjectStore } from '../aws/s3-object-store.js';
import { FileObjectStore } from '../local/file-object-store.js';
import { JobConfigError, type JobEnv } from './job-env.js';

// An explicit endpoint is dynalite: it needs some credentials, never real ones.
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export function executionStoreOf(env: JobEnv & { EXECUTION_TABLE_NAME: string }): DynamoDbExecutionStore {
  const client = new DynamoDBClient({
    region: env.AWS_REGION,
    ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT, credentials: LOCAL_CREDENTIALS } : {}),
  });
  return new DynamoDbExecutionStore({ client, tableName: env.EXECUTION_TABLE_NAME });
}

export function objectStoreOf(env: JobEnv): ObjectStore {
  if (env.OUTPUT_BUCKET)
    return new S3ObjectStore(new S3Client({ region: env.AWS_REGION }), env.OUTPUT_BUCKET);
  if (env.OUTPUT_DIR) return new FileObjectStore(env.OUTPUT_DIR);
  throw new JobConfigError('Job environment lacks OUTPUT_BUCKET (or OUTPUT_DIR locally)');
}
