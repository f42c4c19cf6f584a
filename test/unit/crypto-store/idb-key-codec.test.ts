import { describe, expect, it } from 'vitest';
import { decodeIdbKey, encodeIdbKey } from '../../../src-main/engine/crypto-store/idb-key-codec.ts';

describe('IndexedDB key codec', () => {
  it.each([
    0,
    -1.5,
    Number.MAX_SAFE_INTEGER,
    'session',
    '',
    'ünïcødé ✓',
    ['!room:x', 'sess', 3],
    [[1], ['a']],
  ])('round-trips %j', (key) => {
    expect(decodeIdbKey(encodeIdbKey(key))).toEqual(key);
  });

  it('round-trips dates and binary keys', () => {
    expect(decodeIdbKey(encodeIdbKey(new Date(1234)))).toEqual(new Date(1234));
    const bytes = new Uint8Array([1, 2, 255]);
    expect(new Uint8Array(decodeIdbKey(encodeIdbKey(bytes)) as ArrayBuffer)).toEqual(bytes);
  });

  it('gives equal bytes for equal keys and different bytes for different types', () => {
    expect(encodeIdbKey(['a', 1]).equals(encodeIdbKey(['a', 1]))).toBe(true);
    expect(encodeIdbKey('1').equals(encodeIdbKey(1))).toBe(false);
    expect(encodeIdbKey(['ab']).equals(encodeIdbKey(['a', 'b']))).toBe(false);
  });

  it('refuses values that are not keys, and corrupt encodings', () => {
    expect(() => encodeIdbKey({})).toThrow(TypeError);
    expect(() => encodeIdbKey(null)).toThrow(TypeError);
    expect(() => decodeIdbKey(Buffer.from([9]))).toThrow(RangeError);
    expect(() => decodeIdbKey(Buffer.concat([encodeIdbKey(1), Buffer.from([0])]))).toThrow(RangeError);
  });
});
