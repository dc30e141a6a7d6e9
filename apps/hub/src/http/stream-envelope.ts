import type { ServerResponse } from 'node:http';
import type { StreamedDownload } from '@consilium/domain';
import { encodeEnvelopeHead, envelopeContentType, partLengthPrefix } from '@consilium/protocol';

/**
 * Sends a download as an envelope part by part: the same bytes as `encodeEnvelope(header, parts)`,
 * without ever holding every part (a round's submissions are hundreds of MB, fetched by each
 * decryptor). Waits for the socket to drain before reading more, and stops reading when the client
 * goes away. An error from the parts after the head is sent ends the response early (the caller
 * destroys it), so the client sees a short body rather than a wrong one.
 */
export async function sendEnvelopeStream(res: ServerResponse, download: StreamedDownload<object>): Promise<void> {
  const head = encodeEnvelopeHead(download.header, download.partCount);
  const length = head.byteLength + 4 * download.partCount + download.partBytes;
  res.writeHead(200, { 'content-type': envelopeContentType, 'content-length': length });
  if (!(await write(res, [head]))) return;
  for await (const part of download.parts) {
    // Leaving the loop early (client gone) closes the parts' reader.
    if (!(await write(res, [partLengthPrefix(part.byteLength), part]))) return;
  }
  res.end();
}

/** Writes the chunks in one go; false when the client has gone (nothing more should be written). */
async function write(res: ServerResponse, chunks: Uint8Array[]): Promise<boolean> {
  if (res.destroyed) return false;
  res.cork();
  let flowing = true;
  for (const chunk of chunks) flowing = res.write(chunk);
  res.uncork();
  // Backpressure: wait for the socket buffer to empty, or for the connection to close.
  if (!flowing && !res.destroyed) {
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  }
  return !res.destroyed;
}
