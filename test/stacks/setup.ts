/**
 * Vitest setup: CDK apps built in tests bundle no Lambda code (no esbuild run, no Docker).
 * `App` reads CDK_CONTEXT_JSON at construction; an empty bundling-stacks list makes every
 * NodejsFunction use a placeholder asset. The real bundle check is a separate script.
 */
process.env.CDK_CONTEXT_JSON = JSON.stringify({ 'aws:cdk:bundling-stacks': [] });
