import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@consilium/errors';
import { describe, expect, it } from 'vitest';
import { BOX_OVERHEAD_BYTES, BOX_VERSION, generateBoxKeyPair, openBox, sealBox } from './box.ts';
import { catchAppError } from './test-utils.ts';

const recipient = generateBoxKeyPair();
const aad = new TextEncoder().encode('consilium/dealt-share/v1\nceremony\ndealer\nrecipient');
const message = new Uint8Array(randomBytes(65_616));
const sealed = sealBox(recipient.publicKey, message, aad);

/** A copy of `bytes` with the byte at `index` flipped. */
function flipped(bytes: Uint8Array, index: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[index]! ^= 0x01;
  return copy;
}

describe('sealed boxes', () => {
  it('round-trip, adding 61 bytes: version, ephemeral key, nonce and tag', () => {
    expect(recipient.publicKey).toHaveLength(32);
    expect(recipient.privateKey).toHaveLength(32);
    expect(sealed).toHaveLength(message.length + BOX_OVERHEAD_BYTES);
    expect(BOX_OVERHEAD_BYTES).toBe(61);
    expect(sealed[0]).toBe(BOX_VERSION);
    expect(openBox(recipient.privateKey, sealed, aad)).toEqual(message);
    const empty = sealBox(recipient.publicKey, new Uint8Array(0), new Uint8Array(0));
    expect(openBox(recipient.privateKey, empty, new Uint8Array(0))).toEqual(new Uint8Array(0));
  });

  it('are fresh every time: a new ephemeral key and nonce per box', () => {
    const again = sealBox(recipient.publicKey, message, aad);
    expect(again.subarray(1, 33)).not.toEqual(sealed.subarray(1, 33));
    expect(again.subarray(33, 45)).not.toEqual(sealed.subarray(33, 45));
    expect(openBox(recipient.privateKey, again, aad)).toEqual(message);
  });

  it('do not open with another private key', () => {
    const other = generateBoxKeyPair();
    catchAppError(() => openBox(other.privateKey, sealed, aad), ErrorCode.INVALID_CIPHERTEXT);
  });

  it('do not open with other aad: a box replayed for another dealer, recipient or ceremony', () => {
    catchAppError(() => openBox(recipient.privateKey, sealed, new TextEncoder().encode('consilium/dealt-share/v1\nceremony\ndealer\nsomeone else')), ErrorCode.INVALID_CIPHERTEXT);
    catchAppError(() => openBox(recipient.privateKey, sealed, new Uint8Array(0)), ErrorCode.INVALID_CIPHERTEXT);
  });

  it('do not open when any part was changed: version, ephemeral key, nonce, ciphertext or tag', () => {
    const error = catchAppError(() => openBox(recipient.privateKey, flipped(sealed, 0), aad), ErrorCode.INVALID_CIPHERTEXT);
    expect(error.message).toMatch(/version is 0, expected 1/);
    for (const index of [1, 20, 32, 33, 44, 45, 1000, sealed.length - 17, sealed.length - 16, sealed.length - 1]) {
      const tampered = catchAppError(() => openBox(recipient.privateKey, flipped(sealed, index), aad), ErrorCode.INVALID_CIPHERTEXT);
      expect(tampered.message, `byte ${index}`).toMatch(/could not be opened/);
    }
  });

  it('do not open when truncated or extended', () => {
    for (const length of [0, 1, 45, 60]) {
      const error = catchAppError(() => openBox(recipient.privateKey, sealed.subarray(0, length), aad), ErrorCode.INVALID_CIPHERTEXT);
      expect(error.message).toMatch(/truncated/);
    }
    catchAppError(() => openBox(recipient.privateKey, sealed.subarray(0, 61), aad), ErrorCode.INVALID_CIPHERTEXT);
    catchAppError(() => openBox(recipient.privateKey, sealed.subarray(0, sealed.length - 1), aad), ErrorCode.INVALID_CIPHERTEXT);
    catchAppError(() => openBox(recipient.privateKey, Uint8Array.of(...sealed.subarray(0, 100), 0), aad), ErrorCode.INVALID_CIPHERTEXT);
  });

  it('refuse keys of the wrong size and weak public keys', () => {
    catchAppError(() => sealBox(recipient.publicKey.subarray(1), message, aad), ErrorCode.INVALID_INPUT);
    catchAppError(() => openBox(new Uint8Array(31), sealed, aad), ErrorCode.INVALID_INPUT);
    // The all-zero point has small order: the shared secret would be zero whatever the private key.
    const weak = catchAppError(() => sealBox(new Uint8Array(32), message, aad), ErrorCode.INVALID_INPUT);
    expect(weak.message).toMatch(/small-order/);
    const zeroEphemeral = new Uint8Array(sealed);
    zeroEphemeral.fill(0, 1, 33);
    catchAppError(() => openBox(recipient.privateKey, zeroEphemeral, aad), ErrorCode.INVALID_CIPHERTEXT);
    catchAppError(() => sealBox(recipient.publicKey, 'text' as unknown as Uint8Array, aad), ErrorCode.INVALID_INPUT);
  });
});
