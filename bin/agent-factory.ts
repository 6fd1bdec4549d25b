/**
 * `agent-factory`: the project's CLI. Commands live in lib/cli so tests run them in-process;
 * this file only maps arguments to them.
 */
import { Command, InvalidArgumentError } from 'commander';
import { CliInputError, readJsonInput } from '../lib/cli/io.js';
import { diffFactors, listAgents, runCommand, searchFactors, type Out } from '../lib/cli/commands.js';
import { serveCommand } from '../lib/cli/serve.js';
import { tokenCommand } from '../lib/cli/token.js';

const out: Out = {
  stdout: (t) => process.stdout.write(`${t}\n`),
  stderr: (t) => process.stderr.write(`${t}\n`),
};

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

function finish(code: number): void {
  process.exitCode = code;
}

const program = new Command('agent-factory')
  .description('GL Agent Factory: climate-compliance calculation agents')
  .showHelpAfterError();

program
  .command('agents')
  .description('list the agents this platform ships')
  .option('--json', 'machine-readable output')
  .action((opts: { json?: boolean }) => finish(listAgents(out, opts)));

program
  .command('run')
  .description('run an agent on a JSON input and print the result with its provenance')
  .argument('<agent>', 'agent id (see `agents`)')
  .requiredOption('-i, --input <file>', "JSON input file, or '-' for standard input")
  .action(async (agent: string, opts: { input: string }) => {
    try {
      finish(await runCommand(out, agent, await readJsonInput(opts.input)));
    } catch (err) {
      if (!(err instanceof CliInputError)) throw err;
      out.stderr(JSON.stringify({ ok: false, issues: [{ path: '(input)', message: err.message }] }, null, 2));
      finish(1);
    }
  });

const factors = program.command('factors').description('search and compare the emission-factor catalogue');
factors
  .command('search')
  .description('find factors whose id, name, source or citation contain every word')
  .argument('<text...>', 'words to search for')
  .option('--json', 'machine-readable output')
  .option('--limit <n>', 'most results', positiveInt, 50)
  .action((words: string[], opts: { json?: boolean; limit: number }) =>
    finish(searchFactors(out, words.join(' '), opts)),
  );
factors
  .command('diff')
  .description('compare two versions of a source (added, removed, changed with percent change)')
  .argument('<source>', 'e.g. DESNZ')
  .argument('<from>', 'older dataset version, e.g. 2023')
  .argument('<to>', 'newer dataset version, e.g. 2024')
  .option('--json', 'machine-readable output')
  .action((source: string, from: string, to: string, opts: { json?: boolean }) =>
    finish(diffFactors(out, source, from, to, opts)),
  );

const port = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port, 0-65535');
  return n;
};

program
  .command('serve')
  .description('run the whole platform locally (API, embedded stores, token issuer); Ctrl-C stops it')
  .option('--port <n>', 'port to listen on (0 = any free port)', port, 3000)
  .option('--host <address>', 'interface to listen on', '127.0.0.1')
  .option('--data-dir <dir>', 'where the embedded database, DynamoDB and issuer keys live', '.data')
  .action(async (opts: { port: number; host: string; dataDir: string }) =>
    finish(await serveCommand(out, opts)),
  );

program
  .command('token')
  .description('mint an access token from the local issuer (for the platform served from --data-dir)')
  .option('--tenant <slug>', 'tenant slug or id, e.g. demo')
  .option('--role <role>', 'admin, developer, operator or viewer', 'admin')
  .option('--platform-admin', 'add the platform_admin claim (tenant onboarding and management)')
  .option('--ttl <seconds>', 'lifetime in seconds', positiveInt, 3600)
  .option('--data-dir <dir>', 'data directory of the local platform', '.data')
  .action(
    async (opts: { tenant?: string; role: string; platformAdmin?: boolean; ttl: number; dataDir: string }) =>
      finish(
        await tokenCommand(out, {
          ...(opts.tenant ? { tenant: opts.tenant } : {}),
          role: opts.role,
          platformAdmin: opts.platformAdmin ?? false,
          ttlSeconds: opts.ttl,
          dataDir: opts.dataDir,
        }),
      ),
  );

program
  .command('worker')
  .description(
    'run the queue worker (Fargate entry): weighted P0..P3 long polling; SIGTERM drains within 30 s',
  )
  .option('--concurrency <n>', 'executions handled at once', positiveInt, 4)
  .action(async (opts: { concurrency: number }) => {
    // Loaded on demand so other commands do not pay for the AWS SDK clients.
    const { workerCommand } = await import('../lib/cli/worker.js');
    finish(await workerCommand(out, { concurrency: opts.concurrency }));
  });

program
  .command('redrive')
  .description('move dead-lettered messages back to their queue (P0, P1, P2, P3, batch or all)')
  .argument('[queue]', 'which queue', 'all')
  .action(async (queue: string) => {
    const { redriveCommand } = await import('../lib/cli/redrive.js');
    finish(await redriveCommand(out, queue));
  });

const jobs = program.command('jobs').description('the scheduled jobs (EventBridge Scheduler in AWS)');
jobs
  .command('run')
  .description('run one scheduled job on the local data (stop `npm start` first)')
  .argument('<job>', 'factor-sync, execution-archive, audit-export, metrics-aggregation or regulatory-report')
  .option('--at <iso>', 'the scheduled time the run stands for (its window ends before it)')
  .option('--data-dir <dir>', 'data directory of the local platform', '.data')
  .action(async (job: string, opts: { at?: string; dataDir: string }) => {
    // Loaded on demand so other commands do not load the job services.
    const { jobsRunCommand } = await import('../lib/cli/jobs.js');
    finish(await jobsRunCommand(out, job, opts));
  });

program
  .command('query')
  .description(
    'run a named lake query (or one SELECT) over <data-dir>/lake with DuckDB, as one tenant sees it',
  )
  .argument('<name|sql>', 'a named query (e.g. emissions_by_scope_month) or a SELECT over the lake tables')
  .option('--tenant <slug>', 'tenant slug or id whose rows to query')
  .option('--all-tenants', "platform admin: every tenant's rows (explicit, never the default)")
  .option('--format <format>', 'table, csv or json', 'table')
  .option('--data-dir <dir>', 'data directory of the local platform', '.data')
  .action(
    async (
      query: string,
      opts: { tenant?: string; allTenants?: boolean; format: string; dataDir: string },
    ) => {
      // Loaded on demand so other commands do not load DuckDB.
      const { queryCommand } = await import('../lib/cli/query.js');
      finish(await queryCommand(out, query, opts));
    },
  );

await program.parseAsync(process.argv);
