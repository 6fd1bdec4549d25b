/**
 * The region's customer-managed keys, in a stack of their own so they exist before anything
 * that names them from another region (DynamoDB replicas, the Aurora secondary).
 */
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { KmsKeys } from './constructs/kms-keys.js';
import { applyStackDefaults } from './constructs/stack-defaults.js';
import type { PlatformStackProps } from './constructs/stack-defaults.js';

export class KeysStack extends Stack {
  readonly keys: KmsKeys;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    applyStackDefaults(this, props);
    this.keys = new KmsKeys(this, 'Keys', { envName: props.config.name, retain: props.config.protectData });
  }
}
