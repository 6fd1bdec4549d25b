/**
 * The alarm every dead-letter queue of the platform has: any message in it means work that
 * failed after all its retries and waits for an operator (look, fix, redrive).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export function deadLetterAlarm(
  scope: Construct,
  id: string,
  deadLetterQueue: sqs.IQueue,
  description: string,
): cloudwatch.Alarm {
  return deadLetterQueue
    .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' })
    .createAlarm(scope, id, {
      alarmDescription: description,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
}
