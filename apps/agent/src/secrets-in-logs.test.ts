import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formsOf, leaks, type Secret } from '@consilium/domain/testing';
import { startTestHub, type AgentTestHub } from '../test/test-hub.ts';
import { AgentFiles } from './agent-files.ts';
import { enrollCommand } from './commands/enroll.ts';
import { initCommand } from './commands/init.ts';
import { rotateKeyCommand } from './commands/rotate-key.ts';

/**
 * Enrolment, init and a key rotation with the agent's JSON logger capturing everything: no token,
 * private key (PEM, its base64 body, DER or raw seed) or secret share material may appear in a log
 * line, in what the commands print, or in the agent's log and transfer files.
 */
describe('secrets never reach the logs', { timeout: 120_000 }, () => {
  let hub: AgentTestHub;
  let dir: string;
  beforeAll(async () => {
    hub = await startTestHub();
    dir = await mkdtemp(path.join(tmpdir(), 'consilium-secrets-'));
  }, 60_000);
  afterAll(async () => {
    await hub?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds none after enroll + init + rotate-key (and would find one)', async () => {
    const lines: string[] = [];
    const capture = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        callback();
      },
    });
    const logger = pino({ level: 'trace' }, capture);
    const print = (line: string) => lines.push(line);
    const secrets = new Map<string, Secret>();

    const enrolled = new AgentFiles(path.join(dir, 'enrolled'));
    const enrolToken = await hub.issueToken('Enrolled Hospital');
    secrets.set('enrolment token (enroll)', enrolToken);
    await enrollCommand(enrolled, { hubUrl: hub.url, token: enrolToken, data: hub.csv }, print, logger);

    const initToken = await hub.issueToken('Initialised Hospital');
    secrets.set('enrolment token (init)', initToken);
    const initDir = path.join(dir, 'initialised');
    await initCommand({ hubUrl: hub.url, data: hub.csv, dir: initDir, token: initToken }, {}, { print, prompter: null, env: { CONSILIUM_AGENT_DIR: initDir, CONSILIUM_LOG_LEVEL: 'trace', CONSILIUM_POLL_MS: 1000 }, loggerFor: () => logger });
    const initialised = new AgentFiles(initDir);

    for (const files of [enrolled, initialised]) secrets.set(`identity key of ${files.root}`, await readFile(files.identityKey, 'utf8'));
    await rotateKeyCommand(initialised, {}, print, logger);
    secrets.set('identity key after rotation', await readFile(initialised.identityKey, 'utf8'));
    expect(secrets.get('identity key after rotation')).not.toBe(secrets.get(`identity key of ${initialised.root}`));

    // Secret share material, if any was made (none before a key ceremony; checked whenever it exists).
    for (const files of [enrolled, initialised]) {
      const studies = await readdir(path.join(files.root, 'studies')).catch(() => []);
      for (const study of studies) {
        for (const name of await readdir(path.join(files.root, 'studies', study))) {
          if (/^(secret-share|threshold-share|box-key)/.test(name)) {
            const bytes = await readFile(path.join(files.root, 'studies', study, name));
            const box = name.startsWith('box-key') ? (JSON.parse(bytes.toString('utf8')) as { privateKey: string }).privateKey : null;
            secrets.set(name, new Uint8Array(box === null ? bytes : Buffer.from(box, 'base64')));
          }
        }
      }
    }
    for (const files of [enrolled, initialised]) {
      for (const file of [files.log, files.transfers, files.config]) {
        lines.push(...(await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean));
      }
    }
    expect(lines.some((line) => line.includes('"msg":"identity key rotated"'))).toBe(true);
    expect(lines.some((line) => line.includes('"msg":"enrolled"'))).toBe(true);
    expect(leaks(lines, secrets)).toEqual([]);

    // The scan works: a logged key, in any of its forms, is caught.
    const pem = secrets.get('identity key after rotation') as string;
    for (const form of formsOf(pem)) {
      expect(leaks([JSON.stringify({ msg: 'oops', detail: form })], new Map([['key', pem]]))).not.toEqual([]);
    }
    expect(leaks(['{"token":"' + initToken + '"}'], new Map([['token', initToken]]))).not.toEqual([]);
  });
});
