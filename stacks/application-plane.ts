/**
 * The application-plane stacks every stage gets on top of its foundation, in build order:
 * a later extension may use the stacks an earlier one put in the plane (observability
 * watches the API and the workers; global routes to the API). One list for `bin/app.ts` and
 * the tests, so what the tests synthesize is what `cdk deploy` deploys.
 *
 * Order: api, workers, lake, backup, schedules, global, observability, cost (the audit export
 * of the schedules writes to the backup stack's Object Lock bucket).
 */
import { apiStage } from './api-stack.js';
import type { StageExtension } from './app-stage.js';
import { addBackup } from './backup-stack.js';
import { addCost } from './cost-stack.js';
import { globalStage } from './global-stack.js';
import { lakeStage } from './lake-stack.js';
import { addObservability } from './observability-stack.js';
import { addSchedules } from './schedules-stack.js';
import { addWorkers } from './workers-stack.js';

export const APPLICATION_PLANE: readonly StageExtension[] = [
  apiStage,
  addWorkers,
  lakeStage,
  addBackup,
  addSchedules,
  globalStage,
  addObservability,
  addCost,
];
