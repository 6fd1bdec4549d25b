/**
 * The CDK app: `npx cdk synth -c env=<dev|staging|prod>` (default dev). Builds every stage of
 * the selected environment from the validated configuration in lib/config; no lookups, so
 * synth runs offline without credentials. cdk-nag AwsSolutions checks run as a validation
 * plugin on synth (report: cdk.out/policy-validation-report.json).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { selectEnvironment } from '../lib/config/app-config.js';
import { ENVIRONMENTS } from '../lib/config/environments.js';
import { addEnvironment } from '../stacks/app-stage.js';
import { APPLICATION_PLANE } from '../stacks/application-plane.js';

const app = new App();
const config = selectEnvironment(ENVIRONMENTS, app.node.tryGetContext('env'));
addEnvironment(app, config, APPLICATION_PLANE);
if (app.node.tryGetContext('nag') !== 'off') Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
