/**
 * `agent-factory serve` (and `npm start`): the local platform in the foreground. Prints the
 * URL, an admin token for the demo tenant and a curl command that runs an agent; Ctrl-C
 * (SIGINT) or SIGTERM closes the server and the embedded stores so the next start finds
 * every tenant, agent and execution as it was.
 */
import { startLocalPlatform, type LocalPlatform } from '../adapters/local/platform.js';
import type { Out } from './commands.js';

export interface ServeOptions {
  readonly port: number;
  readonly dataDir: string;
  readonly host?: string;
}

/** Lifetime of the printed token: a working day, so a newcomer is not interrupted. */
export const BANNER_TOKEN_TTL_SECONDS = 12 * 3600;

/** The one-line fuel-emissions request the banner's curl sends (also used by bench:api). */
export const DEMO_EXECUTION = {
  agent_id: 'fuel-emissions',
  mode: 'sync',
  input: {
    lines: [
      {
        fuel: 'diesel',
        quantity: 1000,
        unit: 'litres',
        period: { start: '2024-01-01', end: '2024-12-31' },
      },
    ],
  },
} as const;

export function banner(platform: LocalPlatform, token: string): string {
  const body = JSON.stringify(DEMO_EXECUTION);
  return [
    `GL Agent Factory is running at ${platform.url} (data in ${platform.dataDir})`,
    '',
    `Demo tenant '${platform.demo.slug}', admin ${platform.demo.adminEmail}. An admin token (valid 12 hours):`,
    '',
    `export TOKEN=${token}`,
    '',
    'Run the fuel-emissions agent:',
    '',
    `curl -s -X POST ${platform.url}/v1/executions -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '${body}'`,
    '',
    `More tokens: npx agent-factory token --tenant ${platform.demo.slug} --role developer` +
      (platform.dataDir === '.data' ? '' : ` --data-dir ${platform.dataDir}`),
    `API description: ${platform.url}/v1/openapi.json. Stop with Ctrl-C; data stays in ${platform.dataDir}/.`,
  ].join('\n');
}

/** Signals closer together than this are one Ctrl-C delivered twice. */
const DUPLICATE_SIGNAL_MS = 1_000;

/** Runs until SIGINT/SIGTERM; resolves with the exit code. */
export async function serveCommand(out: Out, opts: ServeOptions): Promise<number> {
  const platform = await startLocalPlatform({
    port: opts.port,
    dataDir: opts.dataDir,
    ...(opts.host ? { host: opts.host } : {}),
  });
  const token = await platform.mintToken({
    tenantId: platform.demo.tenantId,
    roles: ['admin'],
    sub: platform.demo.adminEmail,
    ttlSeconds: BANNER_TOKEN_TTL_SECONDS,
  });
  out.stdout(banner(platform, token));
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  out.stderr(`${signal}: stopping...`);
  // A second Ctrl-C while closing means "now": skip the clean shutdown. One Ctrl-C can arrive
  // twice: the terminal signals the whole process group and tsx relays its own copy when this
  // process has not confirmed receipt within ~30 ms (a loaded machine), so a SIGINT within
  // DUPLICATE_SIGNAL_MS of the first is the same keypress, not a second one.
  const firstAt = Date.now();
  const onSecond = () => {
    if (Date.now() - firstAt < DUPLICATE_SIGNAL_MS) return;
    process.exit(130);
  };
  process.on('SIGINT', onSecond);
  await platform.close();
  process.off('SIGINT', onSecond);
  out.stderr('stopped cleanly');
  return 0;
}
