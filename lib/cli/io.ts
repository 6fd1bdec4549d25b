/** Small I/O helpers for the CLI: reading input files or stdin, and printing tables. */
import { readFile } from 'node:fs/promises';

export class CliInputError extends Error {}

/** Reads JSON from a file path, or from standard input when the path is `-`. */
export async function readJsonInput(source: string): Promise<unknown> {
  let text: string;
  try {
    text = source === '-' ? await readStdin() : await readFile(source, 'utf8');
  } catch (err) {
    throw new CliInputError(
      `Cannot read input '${source}': ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CliInputError(`Input '${source}' is not valid JSON: ${(err as Error).message}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Left-aligned plain-text table; cells are stringified and trimmed to `max` characters. */
export type Cell = string | number | boolean | null | undefined;

export function table(rows: readonly (readonly Cell[])[], header: readonly string[], max = 60): string {
  const cell = (v: Cell): string => {
    const s = v === null || v === undefined ? '' : String(v);
    return s.length > max ? `${s.slice(0, max - 1)}…` : s;
  };
  const all = [header.map(cell), ...rows.map((r) => r.map(cell))];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
