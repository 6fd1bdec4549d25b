/** The one way a zod failure becomes the domain's {path, message} issues. */
import type { z } from 'zod';
import { ValidationError, type Issue } from './errors.js';

export function zodIssues(error: z.ZodError): Issue[] {
  return error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(root)',
    message: i.message,
  }));
}

/** Parses or throws a ValidationError listing every issue; `what` names the thing in the message. */
export function parseOrThrow<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issues = zodIssues(r.error);
  throw new ValidationError(
    issues,
    `Invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
  );
}
