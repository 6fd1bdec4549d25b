/**
 * The API's Powertools logger, created once per process so warm invocations reuse it. Each
 * request gets a child carrying `requestId`, `tenantId` and (once routed) `operationId`.
 * Nothing here logs headers or bodies: the Authorization header and API keys never reach a log.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const apiLogger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'glaf-api' });

export interface RequestLogKeys {
  readonly requestId: string;
  readonly tenantId: string | null;
  readonly operationId?: string;
}

export function requestLogger(base: Logger, keys: RequestLogKeys): Logger {
  return base.createChild({ persistentKeys: { ...keys } });
}
