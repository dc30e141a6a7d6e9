import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { accessPolicyMarkdown } from './access-policy-markdown.ts';

const DOC = path.join(import.meta.dirname, '..', '..', '..', 'docs', 'access-control.md');
const START = '<!-- access-policy:start (generated from packages/api/src/access-policy.ts; a test keeps it equal) -->';
const END = '<!-- access-policy:end -->';

describe('docs/access-control.md', () => {
  it('shows the access policy exactly as the hub enforces it', () => {
    const doc = readFileSync(DOC, 'utf8');
    const start = doc.indexOf(START);
    const end = doc.indexOf(END);

    expect(start, `the document needs the line ${START}`).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    // On a mismatch, the expected text below is what to paste between the markers.
    expect(doc.slice(start + START.length, end).trim()).toBe(accessPolicyMarkdown());
  });
});
