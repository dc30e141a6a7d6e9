import { generateIdentity } from '@consilium/protocol';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from './hash.ts';
import { auditManifestSignatureProblem, parseAuditExportManifest, signAuditExportManifest } from './manifest.ts';

const hub = generateIdentity();
const body = {
  type: 'consilium.audit-export' as const,
  version: 1 as const,
  format: 'ndjson' as const,
  exportedAt: '2025-03-01T00:00:00.000Z',
  filter: { action: 'study.failed' as const },
  chainHead: { seq: 0, hash: GENESIS_HASH },
  count: 0,
  first: null,
  last: null,
  file: { name: 'audit.ndjson', bytes: 0, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
};

describe('audit export manifest', () => {
  it('signs with the hub key, names that key, and verifies after a JSON round trip', () => {
    const manifest = signAuditExportManifest(body, hub.privateKeyPem);
    expect(manifest.publicKey).toBe(hub.publicKey);
    const parsed = parseAuditExportManifest(JSON.stringify(manifest, null, 2));
    expect(auditManifestSignatureProblem(parsed, hub.publicKey)).toBeNull();
  });

  it('does not depend on key order in the file (the signature covers canonical JSON)', () => {
    const manifest = signAuditExportManifest(body, hub.privateKeyPem);
    const reversed = Object.fromEntries(Object.entries(manifest).reverse());
    expect(auditManifestSignatureProblem(parseAuditExportManifest(JSON.stringify(reversed)), hub.publicKey)).toBeNull();
  });

  it('reports a changed field, another key, and a malformed signature', () => {
    const manifest = signAuditExportManifest(body, hub.privateKeyPem);
    expect(auditManifestSignatureProblem({ ...manifest, count: 1 }, hub.publicKey)).toMatch(/edited or signed by another key/);
    expect(auditManifestSignatureProblem(manifest, generateIdentity().publicKey)).toMatch(/names key .* expected/);
    expect(auditManifestSignatureProblem({ ...manifest, signature: 'AAAA' }, hub.publicKey)).toMatch(/64-byte/);
  });

  it('refuses a malformed manifest, naming the field', () => {
    expect(() => parseAuditExportManifest('{')).toThrow(/not valid JSON/);
    const manifest = signAuditExportManifest(body, hub.privateKeyPem);
    expect(() => parseAuditExportManifest(JSON.stringify({ ...manifest, count: -1 }))).toThrow(/count/);
    expect(() => parseAuditExportManifest(JSON.stringify({ ...manifest, extra: true }))).toThrow(/extra/);
  });
});
