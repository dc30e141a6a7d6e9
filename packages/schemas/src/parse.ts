import { AppError, ErrorCode } from '@consilium/errors';
import type { z } from 'zod';

/** One problem found while validating input, located by a dotted path such as `data.columns[2].range`. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Formats a zod issue path the way people read it: `columns[2].range`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/**
 * Parses `input` with `schema`, or throws an INVALID_INPUT AppError whose message names every bad
 * field (`what: path: message; ...`) and whose details carry the list of issues.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = issuesOf(result.error);
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new AppError(ErrorCode.INVALID_INPUT, `Invalid ${what}: ${summary}`, { details: { issues } });
}
