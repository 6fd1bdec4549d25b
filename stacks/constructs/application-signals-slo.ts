/**
 * The availability SLO (lib/config/slo.ts) as a CloudWatch Application Signals service level
 * objective over the API's own metrics: request-based, bad = 5XXError, total = Count, a
 * rolling 30-day window, and burn-rate figures for the same 1 h / 6 h windows the alarms use.
 * Application Signals then tracks attainment and the remaining budget in its console. The
 * account must have Application Signals enabled (the Discovery resource creates its
 * service-linked role), hence opt-in: `observability.applicationSignalsSlo`.
 */
import * as signals from 'aws-cdk-lib/aws-applicationsignals';
import { Construct } from 'constructs';
import type { AvailabilitySlo } from '../../lib/config/slo.js';

export interface ApplicationSignalsSloProps {
  readonly slo: AvailabilitySlo;
  /** Name of the SLO in the account and region (unique). */
  readonly name: string;
  /** The REST API's `ApiName` dimension value. */
  readonly apiName: string;
}

export class ApplicationSignalsSlo extends Construct {
  readonly objective: signals.CfnServiceLevelObjective;

  constructor(scope: Construct, id: string, props: ApplicationSignalsSloProps) {
    super(scope, id);
    const discovery = new signals.CfnDiscovery(this, 'Discovery');
    const count = (
      queryId: string,
      metricName: string,
    ): signals.CfnServiceLevelObjective.MetricDataQueryProperty => ({
      id: queryId,
      metricStat: {
        metric: {
          namespace: 'AWS/ApiGateway',
          metricName,
          dimensions: [{ name: 'ApiName', value: props.apiName }],
        },
        period: 60,
        stat: 'Sum',
      },
      returnData: true,
    });
    this.objective = new signals.CfnServiceLevelObjective(this, 'Objective', {
      name: props.name,
      description: `${props.slo.name}: ${props.slo.objective * 100} % of API requests answer without a 5xx`,
      requestBasedSli: {
        requestBasedSliMetric: {
          totalRequestCountMetric: [count('total', 'Count')],
          monitoredRequestCountMetric: { badCountMetric: [count('bad', '5XXError')] },
        },
      },
      goal: {
        attainmentGoal: props.slo.objective * 100,
        interval: { rollingInterval: { duration: props.slo.periodDays, durationUnit: 'DAY' } },
      },
      burnRateConfigurations: props.slo.windows.map((w) => ({ lookBackWindowMinutes: w.longWindowMinutes })),
    });
    this.objective.node.addDependency(discovery);
  }
}
