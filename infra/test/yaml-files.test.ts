import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyJson6902, parseImage, renderKustomization } from './kustomize.ts';
import { INFRA_DIR, listFiles, readYamlDocuments } from './repo.ts';

describe('YAML files under infra/', () => {
  const files = listFiles(INFRA_DIR).filter((f) => /\.ya?ml$/.test(f));

  it('finds the compose file and the Kubernetes manifests', () => {
    const relative = files.map((f) => path.relative(INFRA_DIR, f));
    expect(relative).toContain('compose.yaml');
    expect(relative).toContain(path.join('k8s', 'base', 'kustomization.yaml'));
    expect(relative).toContain(path.join('k8s', 'overlays', 'production', 'kustomization.yaml'));
  });

  it.each(files.map((f) => [path.relative(INFRA_DIR, f), f]))('%s parses (no errors, warnings or duplicate keys)', (_name, file) => {
    const docs = readYamlDocuments(file);
    expect(docs.length).toBeGreaterThan(0);
  });

  it('rejects a YAML file with a duplicate key (the check above can fail)', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'infra-yaml-')), 'dup.yaml');
    writeFileSync(file, 'a: 1\na: 2\n');
    expect(() => readYamlDocuments(file)).toThrow();
  });
});

describe('test kustomize renderer', () => {
  it('applies JSON 6902 add, replace, remove and test', () => {
    const doc = { metadata: { annotations: { a: '1' } }, list: [1, 2] };
    const out = applyJson6902(doc, [
      { op: 'test', path: '/list/0', value: 1 },
      { op: 'add', path: '/metadata/annotations/cert-manager.io~1cluster-issuer', value: 'x' },
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'replace', path: '/list/1', value: 20 },
      { op: 'remove', path: '/metadata/annotations/a' },
    ]);
    expect(out).toEqual({ metadata: { annotations: { 'cert-manager.io/cluster-issuer': 'x' } }, list: [1, 20, 3] });
    expect(doc.list).toEqual([1, 2]); // the input is not changed
  });

  it('refuses operations it cannot apply', () => {
    expect(() => applyJson6902({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(/test/);
    expect(() => applyJson6902({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }])).toThrow(/does not exist/);
    expect(() => applyJson6902({ a: 1 }, [{ op: 'move', from: '/a', path: '/b' }])).toThrow(/not supported/);
    expect(() => applyJson6902({ a: [1] }, [{ op: 'add', path: '/a/5', value: 2 }])).toThrow(/out of range/);
  });

  it('parses image references', () => {
    expect(parseImage('registry.example.org:5000/consilium/hub:0.1.0')).toEqual({ name: 'registry.example.org:5000/consilium/hub', tag: '0.1.0' });
    expect(parseImage('consilium/hub')).toEqual({ name: 'consilium/hub' });
    expect(parseImage('consilium/hub@sha256:abc')).toEqual({ name: 'consilium/hub', digest: 'sha256:abc' });
  });

  it('refuses a kustomization with a field it does not render', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(path.join(tmpdir(), 'infra-kustomize-'));
    writeFileSync(path.join(dir, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nconfigMapGenerator: []\n');
    expect(() => renderKustomization(dir)).toThrow(/configMapGenerator/);
  });
});
