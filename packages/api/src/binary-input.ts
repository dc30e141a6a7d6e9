import { AppError, ErrorCode } from '@consilium/errors';
import { octetInputParser } from '@trpc/server/http';

/** Binary (application/octet-stream) procedure input: ciphertexts never travel as base64 JSON. */
export const binaryInput = octetInputParser;

/** Reads a binary input stream into one buffer, refusing more than `maxBytes`. */
export async function readBinaryInput(stream: ReadableStream, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = (await reader.read()) as { done: boolean; value: unknown };
    if (done) break;
    if (!(value instanceof Uint8Array)) throw new AppError(ErrorCode.INVALID_INPUT, 'Expected a binary (application/octet-stream) body');
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `Upload exceeds the hub's limit of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  // The hub hands over the body it already read as one chunk: use it rather than hold a second
  // copy while the upload waits for its round (200 simultaneous uploads wait together).
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
