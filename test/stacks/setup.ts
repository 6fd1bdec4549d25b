/**
 * Vitest setup for CDK apps built in tests (read by `App` at construction and at synth):
 * - an empty bundling-stacks list: every NodejsFunction gets a placeholder asset, so no
 *   esbuild run and no Docker during unit tests (`cdk synth` bundles for real);
 * - CDK_VALIDATION=false: the built-in CloudFormation schema validation costs ~10 s per synth
 *   and only warns; `cdk synth` still runs it. cdk-nag is run by the tests themselves.
 */
process.env.CDK_CONTEXT_JSON = JSON.stringify({ 'aws:cdk:bundling-stacks': [] });
process.env.CDK_VALIDATION = 'false';
