/**
 * One measured synth, in its own process (bench:synth spawns it): the prod app with N silo
 * tenants, bundling off as in the tests, cdk-nag on or off. Prints one JSON line.
 *   tsx test/bench/synth-run.ts <siloTenants> <nag: on|off>
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

// As test/stacks/setup.ts: no esbuild run, no CloudFormation schema validation.
process.env.CDK_CONTEXT_JSON = JSON.stringify({ 'aws:cdk:bundling-stacks': [] });
process.env.CDK_VALIDATION = 'false';

const tenants = Number(process.argv[2] ?? 0);
const nag = process.argv[3] === 'on';

const t0 = performance.now();
const { App, Validations } = await import('aws-cdk-lib');
const { AwsSolutionsChecks } = await import('cdk-nag');
const { addEnvironment } = await import('../../stacks/app-stage.js');
const { APPLICATION_PLANE } = await import('../../stacks/application-plane.js');
const { withSilos } = await import('../stacks/helpers.js');
const t1 = performance.now();

const silos = Array.from({ length: tenants }, (_, i) => {
  const hex = (i + 1).toString(16).padStart(8, '0');
  return {
    tenantId: `${hex}-0000-4000-8000-${hex.padStart(12, '0')}`,
    account: String(100000000000 + i + 1),
    homeRegion: i % 2 === 0 ? 'eu-west-1' : 'eu-central-1',
  };
});
const outdir = mkdtempSync(join(tmpdir(), 'glaf-synth-'));
try {
  const constructCpu = process.cpuUsage();
  const app = new App({ outdir });
  addEnvironment(app, withSilos('prod', silos), APPLICATION_PLANE);
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const t2 = performance.now();
  const built = process.cpuUsage(constructCpu);
  const cpu = process.cpuUsage();
  const assembly = app.synth();
  const t3 = performance.now();
  const used = process.cpuUsage(cpu);
  console.log(
    JSON.stringify({
      tenants,
      nag,
      stacks:
        assembly.stacks.length +
        assembly.nestedAssemblies.reduce((n, a) => n + a.nestedAssembly.stacks.length, 0),
      importMs: Math.round(t1 - t0),
      constructMs: Math.round(t2 - t1),
      constructCpuMs: Math.round((built.user + built.system) / 1000),
      synthMs: Math.round(t3 - t2),
      // CPU time of the synth (all threads): steadier than wall time on a shared machine.
      synthCpuMs: Math.round((used.user + used.system) / 1000),
    }),
  );
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
