import { AppError, ErrorCode } from '@consilium/errors';

/**
 * The binary envelope that carries payloads (ciphertexts, key shares, decryption shares) between
 * agent and hub as raw bytes — never base64 inside JSON. Layout, all integers little-endian:
 *
 *     "CSLM"           4 bytes   magic
 *     version          u8        1
 *     headerLength     u32
 *     header           headerLength bytes of UTF-8 JSON
 *     partCount        u32
 *     partCount × (length u32, length bytes)
 *
 * and nothing after the last part. The hub decodes bytes from the network, so decoding checks
 * every length against both the buffer and the caller's limits before using it.
 */

/** The HTTP Content-Type of an envelope body. */
export const envelopeContentType = 'application/x-consilium-envelope';

const MAGIC = Uint8Array.from([0x43, 0x53, 0x4c, 0x4d]);
const VERSION = 1;
const U32_MAX = 0xffff_ffff;

/** Size limits applied while decoding; every field is a byte or part count. */
export interface EnvelopeLimits {
  /** Largest accepted JSON header. */
  maxHeaderBytes: number;
  /** Most parts accepted. */
  maxParts: number;
  /** Largest accepted single part. */
  maxPartBytes: number;
  /**
   * Largest accepted envelope. The hub should also stop reading a request body beyond this before
   * buffering it; the check here is the backstop.
   */
  maxTotalBytes: number;
}

/** A decoded envelope. */
export interface DecodedEnvelope {
  /**
   * The parsed JSON header, unvalidated: the caller knows what header it expects and must check it
   * (with its zod schema, e.g. parseOrThrow from @consilium/schemas) before trusting any field.
   */
  header: unknown;
  /** The parts, as views into the decoded buffer (not copies): keep or copy them, don't mutate the input. */
  parts: Uint8Array[];
}

/**
 * Encodes a JSON header and binary parts into one envelope. Throws INVALID_INPUT when the header
 * does not serialise to JSON, and PAYLOAD_TOO_LARGE when a length does not fit the u32 fields.
 */
export function encodeEnvelope(header: object, parts: readonly Uint8Array[]): Uint8Array {
  let json: string | undefined;
  try {
    json = JSON.stringify(header);
  } catch (cause) {
    throw new AppError(ErrorCode.INVALID_INPUT, `Envelope header is not JSON-serialisable: ${String(cause)}`, { cause });
  }
  if (json === undefined) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'Envelope header is not JSON-serialisable: it serialises to nothing.');
  }
  // No u32 check for the header or the part count: a JS string or array cannot exceed them.
  const headerBytes = Buffer.from(json, 'utf8');
  let total = MAGIC.length + 1 + 4 + headerBytes.length + 4;
  for (const [index, part] of parts.entries()) {
    if (part.byteLength > U32_MAX) {
      throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `Envelope part ${index} is ${part.byteLength} bytes; a part holds at most ${U32_MAX} bytes.`);
    }
    total += 4 + part.byteLength;
  }

  // A fresh, exactly-sized array rather than Buffer.allocUnsafe: small unsafe Buffers are views of
  // a shared pool, and a caller sending `result.buffer` would send unrelated memory with it.
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  let offset = MAGIC.length;
  view.setUint8(offset, VERSION);
  offset += 1;
  view.setUint32(offset, headerBytes.length, true);
  offset += 4;
  out.set(headerBytes, offset);
  offset += headerBytes.length;
  view.setUint32(offset, parts.length, true);
  offset += 4;
  for (const part of parts) {
    view.setUint32(offset, part.byteLength, true);
    offset += 4;
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/**
 * The bytes of an envelope up to its first part: magic, version, header and part count. With
 * `partLengthPrefix` for each part, it lets a writer stream an envelope to a file part by part
 * (the agent does for large updates) and produce exactly what encodeEnvelope would.
 */
export function encodeEnvelopeHead(header: object, partCount: number): Uint8Array {
  if (!Number.isInteger(partCount) || partCount < 0 || partCount > U32_MAX) {
    throw new AppError(ErrorCode.INVALID_INPUT, `An envelope holds 0 to ${U32_MAX} parts; got ${partCount}`);
  }
  const full = encodeEnvelope(header, []);
  new DataView(full.buffer, full.byteOffset, full.byteLength).setUint32(full.byteLength - 4, partCount, true);
  return full;
}

/** The u32 length that precedes each part in an envelope. */
export function partLengthPrefix(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > U32_MAX) {
    throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `An envelope part holds at most ${U32_MAX} bytes; got ${length}`);
  }
  const prefix = new Uint8Array(4);
  new DataView(prefix.buffer).setUint32(0, length, true);
  return prefix;
}

// fatal: invalid UTF-8 is an error, not U+FFFD. ignoreBOM: keep a BOM so JSON.parse rejects it
// rather than the decoder silently dropping it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function invalid(message: string, offset: number): AppError {
  return new AppError(ErrorCode.INVALID_INPUT, message, { details: { offset } });
}

function tooLarge(message: string, offset: number, limit: number): AppError {
  return new AppError(ErrorCode.PAYLOAD_TOO_LARGE, message, { details: { offset, limit } });
}

/**
 * Limits come from the hub's own configuration. A NaN or negative limit would make every `>`
 * comparison false and switch the check off, so it is refused — as INTERNAL, because it is the
 * hub's bug, not the sender's.
 */
function checkLimits(limits: EnvelopeLimits): void {
  for (const name of ['maxHeaderBytes', 'maxParts', 'maxPartBytes', 'maxTotalBytes'] as const) {
    const value = limits[name];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new AppError(ErrorCode.INTERNAL, `Envelope limit ${name} must be a non-negative integer, got ${String(value)}.`);
    }
  }
}

/**
 * Decodes an envelope from untrusted bytes. Throws PAYLOAD_TOO_LARGE when a declared or actual
 * size exceeds `limits`, and INVALID_INPUT for anything malformed — wrong magic or version,
 * truncation, lengths beyond the buffer, invalid UTF-8 or JSON in the header, trailing bytes —
 * naming the byte offset where it was found. The header is returned unvalidated (see DecodedEnvelope).
 */
export function decodeEnvelope(bytes: Uint8Array, limits: EnvelopeLimits): DecodedEnvelope {
  checkLimits(limits);
  const size = bytes.byteLength;
  if (size > limits.maxTotalBytes) {
    throw tooLarge(`Envelope is ${size} bytes; the limit is ${limits.maxTotalBytes}.`, 0, limits.maxTotalBytes);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, size);
  let offset = 0;
  const need = (count: number, what: string): void => {
    if (size - offset < count) {
      throw invalid(`Envelope is truncated: ${what} needs ${count} bytes at byte ${offset}, but only ${size - offset} remain.`, offset);
    }
  };
  const readU32 = (what: string): number => {
    need(4, what);
    const value = view.getUint32(offset, true);
    offset += 4;
    return value;
  };

  need(MAGIC.length + 1, 'the magic and version');
  if (!MAGIC.every((byte, i) => bytes[i] === byte)) {
    const found = Buffer.from(bytes.subarray(0, MAGIC.length)).toString('hex');
    throw invalid(`Not a Consilium envelope: expected magic "CSLM" (43534c4d) at byte 0, found ${found}.`, 0);
  }
  offset = MAGIC.length;
  const version = view.getUint8(offset);
  if (version !== VERSION) {
    throw invalid(`Unsupported envelope version ${version} at byte ${offset}; this build reads version ${VERSION}.`, offset);
  }
  offset += 1;

  const headerLengthAt = offset;
  const headerLength = readU32('the header length');
  if (headerLength > limits.maxHeaderBytes) {
    throw tooLarge(
      `Envelope header length at byte ${headerLengthAt} is ${headerLength} bytes; the limit is ${limits.maxHeaderBytes}.`,
      headerLengthAt,
      limits.maxHeaderBytes,
    );
  }
  need(headerLength, 'the header');
  const headerAt = offset;
  const where = `the ${headerLength}-byte header at byte ${headerAt}`;
  let text: string;
  try {
    text = utf8.decode(bytes.subarray(headerAt, headerAt + headerLength));
  } catch {
    throw invalid(`Envelope is malformed: ${where} is not valid UTF-8.`, headerAt);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (cause) {
    throw invalid(`Envelope is malformed: ${where} is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`, headerAt);
  }
  offset += headerLength;

  const countAt = offset;
  const partCount = readU32('the part count');
  if (partCount > limits.maxParts) {
    throw tooLarge(`Envelope declares ${partCount} parts at byte ${countAt}; the limit is ${limits.maxParts}.`, countAt, limits.maxParts);
  }
  // Each part needs at least its 4-byte length, so an impossible count fails before any looping.
  if (partCount * 4 > size - offset) {
    throw invalid(
      `Envelope is truncated: ${partCount} parts declared at byte ${countAt} need at least ${partCount * 4} bytes, but only ${size - offset} remain.`,
      countAt,
    );
  }

  const parts: Uint8Array[] = [];
  for (let index = 0; index < partCount; index += 1) {
    const lengthAt = offset;
    const length = readU32(`the length of part ${index}`);
    if (length > limits.maxPartBytes) {
      throw tooLarge(
        `Envelope part ${index} declares ${length} bytes at byte ${lengthAt}; the limit is ${limits.maxPartBytes}.`,
        lengthAt,
        limits.maxPartBytes,
      );
    }
    need(length, `part ${index}`);
    parts.push(bytes.subarray(offset, offset + length));
    offset += length;
  }

  if (offset !== size) {
    throw invalid(`Envelope has ${size - offset} trailing bytes after the last part, starting at byte ${offset}.`, offset);
  }
  return { header, parts };
}
