/**
 * What every stack of the platform shares: its configuration props, the permission boundary
 * on every role, and the cost tags (team, environment, tenant).
 */
import { Tags } from 'aws-cdk-lib';
import type { Stack, StackProps } from 'aws-cdk-lib';
import type { EnvironmentConfig } from '../../lib/config/app-config.js';
import { applyPermissionBoundary } from './permission-boundary.js';

export interface PlatformStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /** Silo tenant whose account this stack is deployed into. @default pool (control-plane account) */
  readonly tenantId?: string;
}

export function applyStackDefaults(stack: Stack, props: PlatformStackProps): void {
  applyPermissionBoundary(stack);
  Tags.of(stack).add('team', 'gl-agent-factory');
  Tags.of(stack).add('environment', props.config.name);
  Tags.of(stack).add('tenant', props.tenantId ?? 'pool');
}
