/**
 * The one route table, served by the Lambda handler and the local server alike:
 * system routes (health, ready, OpenAPI), API keys, and the resource routes.
 */
import type { AnyRoute } from '../router.js';

import { agentRoutes } from './agents.js';
import { apiKeyRoutes } from './api-keys.js';
import { auditRoutes } from './audit.js';
import { batchRoutes } from './batches.js';
import { executionRoutes } from './executions.js';
import { factorRoutes } from './factors.js';
import { systemRoutes } from './system.js';
import { tenantRoutes } from './tenants.js';
import { usageRoutes } from './usage.js';
import { webhookRoutes } from './webhooks.js';

export const resourceRoutes: readonly AnyRoute[] = [
  ...tenantRoutes,
  ...agentRoutes,
  ...executionRoutes,
  ...factorRoutes,
  ...auditRoutes,
  ...usageRoutes,
  ...apiKeyRoutes,
  ...webhookRoutes,
  ...batchRoutes,
];

// The OpenAPI route documents the whole table, itself included, so it reads it lazily.
export const routes: readonly AnyRoute[] = [...systemRoutes(() => routes), ...resourceRoutes];
