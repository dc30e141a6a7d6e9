/**
 * A small kustomize renderer for the features infra/k8s uses, so that the manifests are rendered
 * and checked offline, without kubectl. It is strict: a kustomization field, patch operation or
 * patch target it does not know is an error (never silently ignored), so an overlay cannot drift
 * into features that these tests would not see.
 *
 * Supported: resources (files and directories holding a kustomization.yaml), namespace, images
 * (name → newName / newTag / digest), replicas (name → count) and patches given as a file of
 * JSON 6902 operations (add, remove, replace, test) with a target (group, version, kind, name).
 */
import path from 'node:path';
import { isDirectory, isRecord, readYaml, readYamlDocuments } from './repo.ts';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'replicas', 'patches']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass', 'IngressClass', 'PriorityClass']);
const WORKLOADS_WITH_REPLICAS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

export function renderKustomization(dir: string): K8sObject[] {
  const file = path.join(dir, 'kustomization.yaml');
  const k = readYaml(file);
  if (!isRecord(k)) throw new Error(`${file}: not a mapping`);
  if (k.apiVersion !== 'kustomize.config.k8s.io/v1beta1' || k.kind !== 'Kustomization') throw new Error(`${file}: expected apiVersion kustomize.config.k8s.io/v1beta1, kind Kustomization`);
  for (const field of Object.keys(k)) if (!SUPPORTED_FIELDS.has(field)) throw new Error(`${file}: field "${field}" is not supported by the test renderer`);

  let objects: K8sObject[] = [];
  for (const resource of asArray(k.resources, `${file}: resources`)) {
    if (typeof resource !== 'string') throw new Error(`${file}: resources entries must be paths`);
    const target = path.resolve(dir, resource);
    if (isDirectory(target)) objects.push(...renderKustomization(target));
    else objects.push(...readYamlDocuments(target).map((doc) => asObject(doc, target)));
  }
  const ids = new Set<string>();
  for (const o of objects) {
    const id = objectId(o);
    if (ids.has(id)) throw new Error(`${file}: ${id} is defined twice`);
    ids.add(id);
  }

  for (const patch of asArray(k.patches, `${file}: patches`)) {
    if (!isRecord(patch) || typeof patch.path !== 'string' || !isRecord(patch.target)) throw new Error(`${file}: each patch needs a path and a target`);
    for (const field of Object.keys(patch)) if (field !== 'path' && field !== 'target') throw new Error(`${file}: patch field "${field}" is not supported`);
    const patchFile = path.resolve(dir, patch.path);
    const ops = readYaml(patchFile);
    if (!Array.isArray(ops)) throw new Error(`${patchFile}: a JSON 6902 patch is a list of operations`);
    const target = patch.target;
    for (const field of Object.keys(target)) if (!['group', 'version', 'kind', 'name'].includes(field)) throw new Error(`${file}: patch target field "${field}" is not supported`);
    const matches = objects.filter((o) => targetMatches(o, target));
    if (matches.length === 0) throw new Error(`${file}: patch ${patch.path} matches no object`);
    objects = objects.map((o) => (matches.includes(o) ? applyJson6902(o, ops, patchFile) : o));
  }

  for (const entry of asArray(k.images, `${file}: images`)) {
    if (!isRecord(entry) || typeof entry.name !== 'string') throw new Error(`${file}: images entries need a name`);
    for (const field of Object.keys(entry)) if (!['name', 'newName', 'newTag', 'digest'].includes(field)) throw new Error(`${file}: images field "${field}" is not supported`);
    let used = false;
    for (const container of objects.flatMap(podContainers)) {
      const ref = parseImage(container.image);
      if (ref.name !== entry.name) continue;
      used = true;
      const name = typeof entry.newName === 'string' ? entry.newName : ref.name;
      const tag = entry.newTag === undefined ? ref.tag : (typeof entry.newTag === 'number' ? String(entry.newTag) : (entry.newTag as string));
      const digest = typeof entry.digest === 'string' ? entry.digest : ref.digest;
      container.image = `${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
    }
    if (!used) throw new Error(`${file}: image ${entry.name} is used by no container`);
  }

  for (const entry of asArray(k.replicas, `${file}: replicas`)) {
    if (!isRecord(entry) || typeof entry.name !== 'string' || typeof entry.count !== 'number') throw new Error(`${file}: replicas entries need a name and a count`);
    const workloads = objects.filter((o) => WORKLOADS_WITH_REPLICAS.has(o.kind) && o.metadata.name === entry.name);
    if (workloads.length === 0) throw new Error(`${file}: replicas: no workload named ${entry.name}`);
    for (const w of workloads) (w.spec as Record<string, unknown>).replicas = entry.count;
  }

  if (k.namespace !== undefined) {
    if (typeof k.namespace !== 'string') throw new Error(`${file}: namespace must be a string`);
    for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
  }
  return objects;
}

export function objectId(o: K8sObject): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function asArray(value: unknown, what: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${what} must be a list`);
  return value;
}

function asObject(doc: unknown, file: string): K8sObject {
  if (!isRecord(doc) || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string' || !isRecord(doc.metadata) || typeof doc.metadata.name !== 'string') {
    throw new Error(`${file}: every document needs apiVersion, kind and metadata.name`);
  }
  return doc as K8sObject;
}

function targetMatches(o: K8sObject, target: Record<string, unknown>): boolean {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  if (target.kind !== undefined && target.kind !== o.kind) return false;
  if (target.name !== undefined && target.name !== o.metadata.name) return false;
  if (target.group !== undefined && target.group !== group) return false;
  if (target.version !== undefined && target.version !== version) return false;
  return true;
}

export interface Container {
  name: string;
  image: string;
  [field: string]: unknown;
}

/** The pod template of a workload (Deployment, StatefulSet, Job…), or undefined. */
export function podSpec(o: K8sObject): Record<string, unknown> | undefined {
  const spec = o.spec;
  if (!isRecord(spec)) return undefined;
  const template = o.kind === 'CronJob' && isRecord(spec.jobTemplate) && isRecord(spec.jobTemplate.spec) ? spec.jobTemplate.spec.template : spec.template;
  return isRecord(template) && isRecord(template.spec) ? template.spec : undefined;
}

/** Every container and init container of a workload's pod template. */
export function podContainers(o: K8sObject): Container[] {
  const spec = podSpec(o);
  if (!spec) return [];
  return [...((spec.initContainers as Container[] | undefined) ?? []), ...((spec.containers as Container[] | undefined) ?? [])];
}

export function parseImage(image: string): { name: string; tag?: string; digest?: string } {
  const [withoutDigest, digest] = image.split('@') as [string, string | undefined];
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const hasTag = colon > slash;
  return { name: hasTag ? withoutDigest.slice(0, colon) : withoutDigest, ...(hasTag ? { tag: withoutDigest.slice(colon + 1) } : {}), ...(digest ? { digest } : {}) };
}

/** Applies JSON 6902 operations to a copy of `doc`. */
export function applyJson6902<T>(doc: T, ops: unknown[], where = 'patch'): T {
  const result = structuredClone(doc) as unknown;
  for (const op of ops) {
    if (!isRecord(op) || typeof op.op !== 'string' || typeof op.path !== 'string') throw new Error(`${where}: each operation needs op and path`);
    const opPath = op.path;
    const tokens = parsePointer(opPath, where);
    const last = tokens.pop();
    if (last === undefined) throw new Error(`${where}: cannot ${op.op} the whole document`);
    const parent = tokens.reduce<unknown>((node, token) => child(node, token, `${where}: ${opPath}`), result);
    switch (op.op) {
      case 'add':
        if (!('value' in op)) throw new Error(`${where}: add ${op.path} needs a value`);
        if (Array.isArray(parent)) {
          const index = last === '-' ? parent.length : arrayIndex(parent, last, true, `${where}: ${op.path}`);
          parent.splice(index, 0, structuredClone(op.value));
        } else if (isRecord(parent)) parent[last] = structuredClone(op.value);
        else throw new Error(`${where}: add ${op.path}: parent is not a container`);
        break;
      case 'replace':
      case 'remove':
      case 'test': {
        if (op.op !== 'remove' && !('value' in op)) throw new Error(`${where}: ${op.op} ${op.path} needs a value`);
        const current = child(parent, last, `${where}: ${op.path}`);
        if (op.op === 'test') {
          if (JSON.stringify(current) !== JSON.stringify(op.value)) throw new Error(`${where}: test ${op.path} failed`);
        } else if (Array.isArray(parent)) {
          const index = arrayIndex(parent, last, false, `${where}: ${op.path}`);
          if (op.op === 'remove') parent.splice(index, 1);
          else parent[index] = structuredClone(op.value);
        } else if (isRecord(parent)) {
          if (op.op === 'remove') delete parent[last];
          else parent[last] = structuredClone(op.value);
        }
        break;
      }
      default:
        throw new Error(`${where}: operation "${op.op}" is not supported by the test renderer`);
    }
  }
  return result as T;
}

function parsePointer(pointer: string, where: string): string[] {
  if (!pointer.startsWith('/')) throw new Error(`${where}: "${pointer}" is not a JSON pointer`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function child(node: unknown, token: string, where: string): unknown {
  if (Array.isArray(node)) return node[arrayIndex(node, token, false, where)];
  if (isRecord(node) && Object.hasOwn(node, token)) return node[token];
  throw new Error(`${where}: "${token}" does not exist`);
}

function arrayIndex(array: unknown[], token: string, forInsert: boolean, where: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new Error(`${where}: "${token}" is not an array index`);
  const index = Number(token);
  if (index > array.length || (!forInsert && index === array.length)) throw new Error(`${where}: index ${index} is out of range`);
  return index;
}
