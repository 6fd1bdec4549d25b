/**
 * The CLI's commands as functions over an output sink, so tests call them in-process and
 * the `agent-factory` binary only parses arguments. Exit codes: 0 ok, 1 invalid input,
 * 2 usage or unknown names.
 */
import { allAgents, findAgent, runAgent } from '../agents/index.js';
import { DomainError } from '../domain/errors.js';
import { FactorCatalogue } from '../factors/catalogue.js';
import { table } from './io.js';

export interface Out {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const json = (v: unknown): string => JSON.stringify(v, null, 2);

export function listAgents(out: Out, opts: { json?: boolean }): number {
  const agents = allAgents();
  if (opts.json) {
    out.stdout(
      json(
        agents.map(({ id, version, kind, name, description }) => ({ id, version, kind, name, description })),
      ),
    );
  } else {
    out.stdout(
      table(
        agents.map((a) => [a.id, a.version, a.kind, a.name]),
        ['ID', 'VERSION', 'KIND', 'NAME'],
        80,
      ),
    );
  }
  return 0;
}

export async function runCommand(out: Out, agentId: string, input: unknown): Promise<number> {
  const agent = findAgent(agentId);
  if (!agent) {
    out.stderr(
      json({ ok: false, error: `Unknown agent '${agentId}'`, allowed: allAgents().map((a) => a.id) }),
    );
    return 2;
  }
  const result = await runAgent(agent, input, { factors: FactorCatalogue.builtin() });
  if (!result.ok) {
    out.stderr(json({ ok: false, agent: agent.id, issues: result.issues }));
    return 1;
  }
  out.stdout(json(result.output));
  return 0;
}

export function searchFactors(out: Out, text: string, opts: { json?: boolean; limit?: number }): number {
  const hits = FactorCatalogue.builtin().search(text, opts.limit ?? 50);
  if (opts.json) {
    out.stdout(json(hits));
  } else if (hits.length === 0) {
    out.stderr(`No factor matches '${text}'.`);
  } else {
    out.stdout(
      table(
        hits.map((f) => [
          f.id,
          f.value,
          `${f.valueUnit}/${f.unit}`,
          f.validFrom,
          f.validTo ?? 'open',
          f.name,
        ]),
        ['ID', 'VALUE', 'UNIT', 'FROM', 'TO', 'NAME'],
        70,
      ),
    );
  }
  return hits.length === 0 ? 1 : 0;
}

export function diffFactors(
  out: Out,
  source: string,
  from: string,
  to: string,
  opts: { json?: boolean },
): number {
  try {
    const d = FactorCatalogue.builtin().diff(source, from, to);
    if (opts.json) {
      out.stdout(json(d));
      return 0;
    }
    const lines = [
      `${d.source} ${d.from} -> ${d.to}: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed, ${d.unchanged} unchanged`,
    ];
    if (d.changed.length > 0) {
      lines.push(
        '',
        table(
          d.changed.map((c) => [
            c.key,
            c.before.value,
            c.after.value,
            c.percentChange === null ? 'n/a' : `${c.percentChange}%`,
          ]),
          ['CHANGED', d.from, d.to, 'CHANGE'],
          80,
        ),
      );
    }
    if (d.added.length > 0)
      lines.push(
        '',
        table(
          d.added.map((f) => [f.id, f.value]),
          ['ADDED', 'VALUE'],
          80,
        ),
      );
    if (d.removed.length > 0)
      lines.push(
        '',
        table(
          d.removed.map((f) => [f.id, f.value]),
          ['REMOVED', 'VALUE'],
          80,
        ),
      );
    out.stdout(lines.join('\n'));
    return 0;
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    out.stderr(err.message);
    return 2;
  }
}
