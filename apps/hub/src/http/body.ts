import type { IncomingMessage } from 'node:http';
import { AppError, ErrorCode } from '@consilium/errors';

/**
 * Reads a request body into memory, refusing (and stopping reading) as soon as it exceeds `maxBytes`.
 * The whole body is needed anyway: its SHA-256 is part of the request signature.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `Request body of ${declared} bytes exceeds the hub's limit of ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `Request body exceeds the hub's limit of ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks, total);
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}

/**
 * The body read above as a one-chunk stream for the fetch Request that tRPC reads. A Request built
 * from a Uint8Array copies it and keeps the copy while the procedure runs; 200 simultaneous 1.5 MB
 * uploads all queueing for their round's lock would hold that second copy each.
 */
export function bodyStream(body: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(body);
      controller.close();
    },
  });
}
