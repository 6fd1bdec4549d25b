/**
 * The worker container image (stacks/assets/worker/Dockerfile), built for arm64 from the
 * repository root. The build context is an allow-list: everything is excluded except what the
 * Dockerfile copies. Synth fingerprints and stages the context into cdk.out, so without it
 * synth would walk and copy node_modules (hundreds of MB), .data, cdk.out and the tests, and
 * the image hash would change whenever a local database file did.
 */
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IgnoreMode } from 'aws-cdk-lib';
import { REPO_ROOT } from './platform-function.js';

export const WORKER_DOCKERFILE = 'stacks/assets/worker/Dockerfile';

/** The only paths of the repository in the build context (Docker ignore syntax: `!` re-includes). */
export const WORKER_IMAGE_CONTEXT = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'bin',
  'lib',
  WORKER_DOCKERFILE,
] as const;

/** `*` drops every top-level entry; each allowed path is re-included. */
export const WORKER_IMAGE_EXCLUDE: readonly string[] = [
  '*',
  ...WORKER_IMAGE_CONTEXT.map((p) => `!${p}`),
  // Inside the allowed directories: local data and editor or test leftovers never ship.
  '**/.data',
  '**/*.test.ts',
  '**/node_modules',
];

export function workerImage(): ecs.ContainerImage {
  return ecs.ContainerImage.fromAsset(REPO_ROOT, {
    file: WORKER_DOCKERFILE,
    platform: ecrAssets.Platform.LINUX_ARM64,
    exclude: [...WORKER_IMAGE_EXCLUDE],
    ignoreMode: IgnoreMode.DOCKER,
  });
}
