/**
 * Where lake rows go: Firehose delivery streams (Parquet in S3) in AWS, Parquet files under
 * `<dataDir>/lake/` locally. A sink writes every batch or throws (the caller retries: the
 * stream processor reports the records as failed), so a returned promise means delivered.
 */
import type { LakeBatch } from '../lake/row-types.js';

export interface LakeSink {
  write(batches: readonly LakeBatch[]): Promise<void>;
}
