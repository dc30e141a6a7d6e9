import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { auditEvents, type DatabaseHandle } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { generateIdentity, sha256Hex, type Identity } from '@consilium/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent } from './append.ts';
import type { AuditEventInput, AuditRecord } from './events.ts';
import { prepareAuditExport, produceAuditExport, signAuditExport, writeAuditExport } from './export.ts';
import { exportHeader, formatExportRecord, type AuditExportFormat } from './export-format.ts';
import { GENESIS_HASH, hashAuditRecord } from './hash.ts';
import { manifestPathFor, signAuditExportManifest } from './manifest.ts';
import { UNPINNED_KEY_PROBLEM, verifyAuditExportFile } from './verify-export.ts';

const FORMATS: AuditExportFormat[] = ['csv', 'ndjson'];
const studyA = randomUUID();
const studyB = randomUUID();
const site = randomUUID();
const T0 = Date.parse('2025-03-01T00:00:00.000Z');

/** 12 events an hour apart: studies A and B alternate, some at a site; payloads name the seq. */
function events(): AuditEventInput[] {
  return Array.from({ length: 12 }, (_, i): AuditEventInput => {
    const seq = i + 1;
    if (seq % 3 === 0) return { action: 'site.revoked', actor: 'admin:ops', studyId: studyA, siteId: site, payload: { siteName: `h${seq}`, reason: `reason-${seq}` } };
    return { action: 'study.failed', actor: seq % 2 ? 'hub' : 'cli', studyId: seq % 2 ? studyA : studyB, payload: { reason: `reason-${seq}` } };
  });
}

async function append(handle: DatabaseHandle, list: AuditEventInput[], start = T0): Promise<void> {
  for (const [i, event] of list.entries()) {
    await handle.db.transaction((tx) => appendAuditEvent(tx, event, new Date(start + i * 3_600_000)));
  }
}

/** The export's records split on the record separator (these events have no line breaks inside fields). */
function splitRecords(text: string, format: AuditExportFormat): { header: string; records: string[] } {
  const sep = format === 'csv' ? '\r\n' : '\n';
  const parts = text.split(sep).slice(0, -1).map((r) => r + sep);
  return format === 'csv' ? { header: parts[0]!, records: parts.slice(1) } : { header: '', records: parts };
}

for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`audit export on ${target.kind}`, () => {
    let handle: DatabaseHandle;
    let dir: string;
    let hub: Identity;
    let n = 0;

    beforeAll(async () => {
      handle = await target.create();
      dir = await mkdtemp(path.join(tmpdir(), 'consilium-audit-export-'));
      hub = generateIdentity();
      await append(handle, events());
    });
    afterAll(async () => {
      await handle?.close();
      await rm(dir, { recursive: true, force: true });
    });

    async function exportTo(format: AuditExportFormat, filter: unknown = {}, pageSize = 5) {
      const out = path.join(dir, `export-${n++}.${format}`);
      return writeAuditExport(handle.db, { format, filter, out, signingKeyPem: hub.privateKeyPem, pageSize });
    }
    const verify = (file: string, publicKey = hub.publicKey) => verifyAuditExportFile(file, { publicKey });
    /** With the key written in the manifest, explicitly trusted: proves only that file and manifest agree. */
    const verifyUnpinned = (file: string) => verifyAuditExportFile(file, { trustManifestKey: true });

    /** Rewrites the export's records (not its manifest): simulated tampering. */
    async function tamper(file: string, format: AuditExportFormat, edit: (records: string[]) => string[]): Promise<void> {
      const { header, records } = splitRecords(await readFile(file, 'utf8'), format);
      await writeFile(file, header + edit(records).join(''));
    }

    for (const format of FORMATS) {
      describe(format, () => {
        it('round trip: a complete export verifies as the whole chain, against a signed manifest', async () => {
          const { file, manifest, manifestFile } = await exportTo(format);
          expect(manifestFile).toBe(manifestPathFor(file));
          expect(manifest).toMatchObject({ format, count: 12, filter: {}, first: { seq: 1 }, last: { seq: 12 }, chainHead: { seq: 12 } });
          expect(manifest.file.sha256).toBe(sha256Hex(await readFile(file)));
          const result = await verify(file);
          expect(result).toMatchObject({ ok: true, count: 12, filtered: false, firstBad: null, problems: [], keySource: 'pinned', signatureCheckedWithPinnedKey: true, consistent: true });
        });

        it('writes the export and its manifest readable by the owner only, leaving no temporary file', async () => {
          const { file, manifestFile } = await exportTo(format);
          if (process.platform !== 'win32') {
            expect((await stat(file)).mode & 0o777).toBe(0o600);
            expect((await stat(manifestFile)).mode & 0o777).toBe(0o600);
          }
          expect((await readdir(dir)).filter((name) => name.endsWith('.partial'))).toEqual([]);
        });

        it('exports the same bytes whatever the page size', async () => {
          const a = await exportTo(format, {}, 1);
          const b = await exportTo(format, {}, 1000);
          expect(await readFile(a.file, 'utf8')).toBe(await readFile(b.file, 'utf8'));
        });

        it('names an event whose field was edited', async () => {
          const { file } = await exportTo(format);
          await tamper(file, format, (records) => records.map((r) => r.replace('reason-7', 'reason-X')));
          const result = await verify(file);
          expect(result.ok).toBe(false);
          expect(result.firstBad).toMatchObject({ seq: 7, line: format === 'csv' ? 8 : 7 });
          expect(result.firstBad?.reason).toMatch(/modified/);
          expect(result.problems.join()).toMatch(/changed after export/);
        });

        it('names a deleted event', async () => {
          const { file } = await exportTo(format);
          await tamper(file, format, (records) => records.filter((_, i) => i !== 4));
          expect((await verify(file)).firstBad).toMatchObject({ seq: 5, reason: expect.stringMatching(/missing/) });
        });

        it('detects events removed from the end', async () => {
          const { file } = await exportTo(format);
          await tamper(file, format, (records) => records.slice(0, -2));
          const result = await verify(file);
          expect(result.firstBad).toMatchObject({ seq: 11, line: null, reason: expect.stringMatching(/ends at event 10/) });
        });

        it('names reordered events', async () => {
          const { file } = await exportTo(format);
          await tamper(file, format, (records) => [...records.slice(0, 2), records[3]!, records[2]!, ...records.slice(4)]);
          const result = await verify(file);
          expect(result.ok).toBe(false);
          expect(result.firstBad?.seq).toBe(3);
        });

        it('rejects an edited manifest', async () => {
          const { file, manifestFile } = await exportTo(format);
          const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>;
          await writeFile(manifestFile, JSON.stringify({ ...manifest, exportedAt: '2020-01-01T00:00:00.000Z' }));
          const result = await verify(file);
          expect(result).toMatchObject({ ok: false, firstBad: null });
          expect(result.problems).toEqual([expect.stringMatching(/signature does not verify/)]);
        });

        it('rejects a manifest signed by another key, and an export checked with the wrong key', async () => {
          const { file } = await exportTo(format);
          const other = generateIdentity();
          const result = await verify(file, other.publicKey);
          expect(result.ok).toBe(false);
          expect(result.problems.join()).toMatch(/signed by another key/);
        });

        it('verifies with the key in the manifest only when told to, and says so', async () => {
          const { file } = await exportTo(format);
          expect(await verifyAuditExportFile(file)).toMatchObject({
            ok: false,
            consistent: true,
            keySource: 'manifest',
            signatureCheckedWithPinnedKey: false,
            firstBad: null,
            problems: [UNPINNED_KEY_PROBLEM],
          });
          expect(await verifyUnpinned(file)).toMatchObject({ ok: true, consistent: true, keySource: 'manifest', signatureCheckedWithPinnedKey: false, problems: [] });
        });

        it('catches a forger who re-chains the events and re-signs the manifest, when the hub key is pinned', async () => {
          const { file, manifest } = await exportTo(format);
          const forger = generateIdentity();
          // Rebuild the chain with event 4 changed: every hash is valid, every link holds.
          const records: AuditRecord[] = [];
          let prevHash = GENESIS_HASH;
          for (const [i, event] of events().entries()) {
            const payload = i === 3 ? { reason: 'nothing happened' } : event.payload;
            const unhashed = { seq: i + 1, occurredAt: new Date(T0 + i * 3_600_000), actor: event.actor, action: event.action, studyId: event.studyId ?? null, siteId: event.siteId ?? null, roundId: null, payload, prevHash };
            const record = { ...unhashed, hash: hashAuditRecord(unhashed) };
            records.push(record);
            prevHash = record.hash;
          }
          const text = exportHeader(format) + records.map((r) => formatExportRecord(format, r)).join('');
          await writeFile(file, text);
          const { signature: _signature, publicKey: _key, ...body } = manifest;
          const forged = signAuditExportManifest(
            { ...body, last: { seq: 12, hash: prevHash }, chainHead: { seq: 12, hash: prevHash }, file: { ...manifest.file, bytes: Buffer.byteLength(text), sha256: sha256Hex(text) } },
            forger.privateKeyPem,
          );
          await writeFile(manifestPathFor(file), JSON.stringify(forged));

          expect(await verifyUnpinned(file)).toMatchObject({ ok: true, keySource: 'manifest' });
          expect(await verifyAuditExportFile(file)).toMatchObject({ ok: false, consistent: true });
          const pinned = await verify(file);
          expect(pinned.ok).toBe(false);
          expect(pinned.problems).toEqual([expect.stringMatching(/signature does not verify.*expected/)]);
        });

        it('verifies a filtered export: each event is re-hashed and matches the filter', async () => {
          const { file, manifest } = await exportTo(format, { studyId: studyA.toUpperCase(), from: '2025-03-01T02:00:00Z', to: '2025-03-01T10:00:00.000Z' }, 2);
          // Study A: seqs 1, 3, 5, 6, 7, 9, 11, 12; hours 2..9 are seqs 3..10.
          expect(manifest).toMatchObject({ count: 5, filter: { studyId: studyA, from: '2025-03-01T02:00:00.000Z' }, first: { seq: 3 }, last: { seq: 9 } });
          expect(await verify(file)).toMatchObject({ ok: true, filtered: true, count: 5 });

          const bySite = await exportTo(format, { siteId: site, action: 'site.revoked', actor: 'admin:ops' });
          expect(bySite.manifest.count).toBe(4);
          expect(await verify(bySite.file)).toMatchObject({ ok: true, count: 4 });
        });

        it('filtered export: a deleted line is caught by the signed count, a field edit by the event hash', async () => {
          const deleted = await exportTo(format, { studyId: studyB });
          await tamper(deleted.file, format, (records) => records.filter((_, i) => i !== 1));
          const result = await verify(deleted.file);
          expect(result).toMatchObject({ ok: false, firstBad: null });
          expect(result.problems.join('\n')).toMatch(/holds 3 events but the manifest records 4/);

          const edited = await exportTo(format, { studyId: studyB });
          await tamper(edited.file, format, (records) => records.map((r) => r.replace('reason-4', 'reason-Y')));
          expect((await verify(edited.file)).firstBad).toMatchObject({ seq: 4, reason: expect.stringMatching(/modified/) });

          const swapped = await exportTo(format, { studyId: studyB });
          await tamper(swapped.file, format, (records) => [records[1]!, records[0]!, ...records.slice(2)]);
          expect((await verify(swapped.file)).firstBad).toMatchObject({ seq: 2, reason: expect.stringMatching(/out of order/) });
        });

        it('filtered export: an event of another study slipped in does not match the filter', async () => {
          const { file } = await exportTo(format, { studyId: studyB });
          const complete = splitRecords(await readFile((await exportTo(format)).file, 'utf8'), format).records;
          // Event 3 (study A) between events 2 and 4 of study B: links and hashes are all valid.
          await tamper(file, format, (records) => [records[0]!, complete[2]!, ...records.slice(1)]);
          expect((await verify(file)).firstBad).toMatchObject({ seq: 3, reason: expect.stringMatching(/does not match the export's filter/) });
        });
      });
    }

    it('refuses an invalid filter before writing anything', async () => {
      await expect(exportTo('csv', { studyId: 'not-a-uuid' })).rejects.toThrow(/studyId/);
      await expect(exportTo('csv', { action: 'study.frobnicated' })).rejects.toThrow(/action/);
      await expect(exportTo('csv', { from: '2025-02-01', to: '2025-01-01' })).rejects.toThrow(/before/);
      await expect(exportTo('csv', { colour: 'red' })).rejects.toThrow(/colour/);
    });

    it('a cut fixed at throughSeq gives the same bytes however the log grows, and its manifest, signed separately, verifies', async () => {
      const grown = await target.create();
      try {
        await append(grown, events());
        const filter = { studyId: studyA };
        const cut = await prepareAuditExport(grown.db, { filter, throughSeq: 8 });
        expect(cut.chainHead.seq).toBe(8);
        const produce = async () => {
          const chunks: Buffer[] = [];
          const totals = await produceAuditExport(grown.db, await prepareAuditExport(grown.db, { filter, throughSeq: 8 }), { format: 'ndjson', pageSize: 3 }, (c) => {
            chunks.push(c);
          });
          return { bytes: Buffer.concat(chunks), totals };
        };
        const before = await produce();
        await append(grown, events().slice(0, 4), T0 + 20 * 3_600_000);
        const after = await produce();
        expect(after.bytes.equals(before.bytes)).toBe(true);
        // The CLI's writer, with the same cut: the very same bytes.
        const out = path.join(dir, `cut-${n++}.ndjson`);
        await writeAuditExport(grown.db, { format: 'ndjson', filter, out, signingKeyPem: hub.privateKeyPem, throughSeq: 8 });
        expect((await readFile(out)).equals(before.bytes)).toBe(true);
        // A manifest signed from a second pass over the same cut (as the hub's manifest route does) verifies the first pass's file.
        const manifest = signAuditExport(cut, after.totals, { format: 'ndjson', fileName: 'cut.ndjson', exportedAt: new Date(), signingKeyPem: hub.privateKeyPem });
        const file = path.join(dir, `cut-${n++}.ndjson`);
        await writeFile(file, before.bytes);
        await writeFile(manifestPathFor(file), JSON.stringify(manifest));
        const result = await verify(file);
        expect(result.problems).toEqual([]);
        expect(result).toMatchObject({ ok: true, filtered: true, count: before.totals.count });
        expect(before.totals.last!.seq).toBeLessThanOrEqual(8);
        // Unfiltered, the cut is the chain 1..8 itself.
        const whole = await prepareAuditExport(grown.db, { throughSeq: 8 });
        const totals = await produceAuditExport(grown.db, whole, { format: 'csv' }, () => undefined);
        expect(totals).toMatchObject({ count: 8, first: { seq: 1 }, last: whole.chainHead });
        await expect(prepareAuditExport(grown.db, { throughSeq: 999 })).rejects.toThrow(/throughSeq 999 is beyond the chain head \(event 16\)/);
        expect((await prepareAuditExport(grown.db, { throughSeq: 0 })).chainHead).toEqual({ seq: 0, hash: GENESIS_HASH });
      } finally {
        await grown.close();
      }
    });
  });

  describe.skipIf(target.skipReason !== null)(`audit export of a tampered database on ${target.kind}`, () => {
    let handle: DatabaseHandle;
    let dir: string;
    const hub = generateIdentity();
    beforeAll(async () => {
      handle = await target.create();
      dir = await mkdtemp(path.join(tmpdir(), 'consilium-audit-export-'));
      await append(handle, events());
    });
    afterAll(async () => {
      await handle?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('refuses to write or sign an export, filtered or not, when an event was edited and its own hash recomputed', async () => {
      // Event 4 (study B) edited in place, its hash recomputed: it re-hashes correctly on its own,
      // only the link from event 5 (study A) breaks. A study-B export holds 4 but not 5.
      const k = 4;
      const [row] = await handle.db.select().from(auditEvents).where(eq(auditEvents.seq, k));
      const forged = { ...row!, payload: { reason: 'nothing happened' } };
      await handle.db.update(auditEvents).set({ payload: forged.payload, hash: hashAuditRecord(forged) }).where(eq(auditEvents.seq, k));

      for (const format of FORMATS) {
        for (const [name, filter] of [
          ['filtered', { studyId: studyB }],
          ['complete', {}],
        ] as const) {
          const out = path.join(dir, `${name}.${format}`);
          const exporting = writeAuditExport(handle.db, { format, filter, out, signingKeyPem: hub.privateKeyPem, pageSize: 2 });
          await expect(exporting, `${format} ${name}`).rejects.toMatchObject({ code: 'INVALID_DATA', details: { seq: k + 1 } });
          await expect(exporting).rejects.toThrow(/broken at event 5: event 5 does not link/);
        }
      }
      // Nothing left behind: no export, no manifest, no temporary file.
      expect(await readdir(dir)).toEqual([]);
    });

    it('refuses an export when an event of the filter is deleted', async () => {
      await handle.db.delete(auditEvents).where(eq(auditEvents.seq, 2));
      const exporting = writeAuditExport(handle.db, { format: 'csv', filter: { studyId: studyA }, out: path.join(dir, 'deleted.csv'), signingKeyPem: hub.privateKeyPem });
      await expect(exporting).rejects.toMatchObject({ code: 'INVALID_DATA', details: { seq: 2 } });
      expect(await readdir(dir)).toEqual([]);
    });
  });

  describe.skipIf(target.skipReason !== null)(`audit export of awkward values on ${target.kind}`, () => {
    let handle: DatabaseHandle;
    let dir: string;
    const hub = generateIdentity();
    beforeAll(async () => {
      handle = await target.create();
      dir = await mkdtemp(path.join(tmpdir(), 'consilium-audit-export-'));
    });
    afterAll(async () => {
      await handle?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('exports and verifies an empty log', async () => {
      for (const format of FORMATS) {
        const { file, manifest } = await writeAuditExport(handle.db, { format, out: path.join(dir, `empty.${format}`), signingKeyPem: hub.privateKeyPem });
        expect(manifest).toMatchObject({ count: 0, first: null, last: null, chainHead: { seq: 0, hash: GENESIS_HASH } });
        expect(await verifyAuditExportFile(file, { publicKey: hub.publicKey })).toMatchObject({ ok: true, count: 0 });
      }
    });

    it('round-trips commas, quotes, line breaks and non-ASCII in actors and payloads', async () => {
      const nasty = 'a,b "quoted" ""double"" \r\n crlf \n lf \r cr, ünïcødé ✓ 😀';
      await append(handle, [
        { action: 'study.failed', actor: `admin:${nasty}`, payload: { reason: nasty } },
        { action: 'site.revoked', actor: 'hub', payload: { siteName: '"', reason: ',' } },
        { action: 'admin.token_created', actor: '', payload: { label: '' } },
      ]);
      for (const format of FORMATS) {
        const { file } = await writeAuditExport(handle.db, { format, out: path.join(dir, `nasty.${format}`), signingKeyPem: hub.privateKeyPem });
        const text = await readFile(file, 'utf8');
        if (format === 'csv') expect(text).toContain('"{""reason"":""a,b \\""quoted\\"" ');
        expect(await verifyAuditExportFile(file, { publicKey: hub.publicKey })).toMatchObject({ ok: true, count: 3 });
      }
    });

    it('refuses a file that is not UTF-8', async () => {
      const { file } = await writeAuditExport(handle.db, { format: 'ndjson', out: path.join(dir, 'bytes.ndjson'), signingKeyPem: hub.privateKeyPem });
      await writeFile(file, Buffer.concat([await readFile(file), Buffer.from([0xff, 0xfe, 0x0a])]));
      const result = await verifyAuditExportFile(file, { publicKey: hub.publicKey });
      expect(result.firstBad).toMatchObject({ reason: 'the file is not valid UTF-8' });
    });

    it('names a malformed line', async () => {
      for (const format of FORMATS) {
        const { file } = await writeAuditExport(handle.db, { format, out: path.join(dir, `broken.${format}`), signingKeyPem: hub.privateKeyPem });
        const text = await readFile(file, 'utf8');
        await writeFile(file, text.replace(format === 'csv' ? /\r\n2,/ : /\n\{"seq":2,/, format === 'csv' ? '\r\nx2,' : '\n{"seq":2,"bogus":1,'));
        const result = await verifyAuditExportFile(file, { publicKey: hub.publicKey });
        // CSV: the first event's actor holds two line feeds, so event 2 starts on line 5.
        expect(result.firstBad).toMatchObject({ line: format === 'csv' ? 5 : 2, reason: expect.stringMatching(/malformed/) });
      }
    });
  });
}
