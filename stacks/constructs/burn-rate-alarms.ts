/**
 * Multi-window, multi-burn-rate alerts for an availability SLO (lib/config/slo.ts).
 *
 * The math: error ratio r over a window = 5xx / requests (metric math, 0 when idle). The
 * error budget of a 99.99 % objective is 0.0001, and the burn rate is r / 0.0001. A window
 * "burns" at rate b when r >= b x 0.0001: 0.00144 for the fast alert (b = 14.4, 2 % of the
 * 30-day budget gone in 1 h) and 0.0006 for the slow one (b = 6, 5 % gone in 6 h). Each
 * alert is a composite: long window AND short window (1/12 of it) both over the threshold,
 * so it needs sustained burn to fire and stops as soon as the burn stops. Only the
 * composites notify; the window alarms are their inputs.
 *
 * Each window alarm's period is the window itself (3600 s, 21600 s, ...), evaluated once:
 * CloudWatch sums the metrics over that period, which is the ratio over the window.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { AvailabilitySlo, BurnRateWindow } from '../../lib/config/slo.js';
import { burnRateThreshold } from '../../lib/config/slo.js';

export interface BurnRateAlarmsProps {
  readonly slo: AvailabilitySlo;
  /** Request count (Sum) over a period. */
  readonly requests: (period: Duration) => cloudwatch.IMetric;
  /** Failed (5xx) request count (Sum) over a period. */
  readonly errors: (period: Duration) => cloudwatch.IMetric;
  readonly action: cloudwatch.IAlarmAction;
}

export interface BurnRateAlert {
  readonly window: BurnRateWindow;
  readonly threshold: number;
  readonly long: cloudwatch.Alarm;
  readonly short: cloudwatch.Alarm;
  readonly alert: cloudwatch.CompositeAlarm;
}

export class BurnRateAlarms extends Construct {
  readonly alerts: readonly BurnRateAlert[];
  /** Error ratio over the shortest window, for dashboards. */
  readonly errorRatio: cloudwatch.MathExpression;

  constructor(scope: Construct, id: string, props: BurnRateAlarmsProps) {
    super(scope, id);
    const { slo } = props;
    const ratio = (minutes: number) =>
      new cloudwatch.MathExpression({
        expression: 'IF(requests > 0, errors / requests, 0)',
        usingMetrics: {
          errors: props.errors(Duration.minutes(minutes)),
          requests: props.requests(Duration.minutes(minutes)),
        },
        period: Duration.minutes(minutes),
        label: `5xx ratio (${minutes} min)`,
      });
    this.errorRatio = ratio(5);

    this.alerts = slo.windows.map((window) => {
      const threshold = burnRateThreshold(slo, window.burnRate);
      const windowAlarm = (kind: 'long' | 'short', minutes: number) =>
        ratio(minutes).createAlarm(this, `${window.name}-${kind}`, {
          alarmDescription: `${slo.name}: 5xx ratio over ${minutes} min burns the error budget at >= ${window.burnRate}x`,
          threshold,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          // No traffic spends no budget.
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      const long = windowAlarm('long', window.longWindowMinutes);
      const short = windowAlarm('short', window.shortWindowMinutes);
      const alert = new cloudwatch.CompositeAlarm(this, window.name, {
        alarmDescription:
          `${slo.name} (${slo.objective * 100} % over ${slo.periodDays} days): ${window.name} burn, ` +
          `${window.burnRate}x over ${window.longWindowMinutes} min and ${window.shortWindowMinutes} min ` +
          `(${window.budgetSpent * 100} % of the error budget per long window)`,
        alarmRule: cloudwatch.AlarmRule.allOf(long, short),
      });
      alert.addAlarmAction(props.action);
      return { window, threshold, long, short, alert };
    });
  }
}
