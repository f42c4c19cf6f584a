// A canonical byte encoding of IndexedDB keys (number, Date, string, binary, array), so equal
// keys give equal bytes and can be a SQLite primary key. Not order-preserving: the journal
// only looks keys up, it never scans ranges.

const NUMBER = 1;
const DATE = 2;
const STRING = 3;
const BINARY = 4;
const ARRAY = 5;

export type IdbKey = number | string | Date | ArrayBuffer | ArrayBufferView | IdbKey[];

function writeParts(key: unknown, parts: Buffer[]): void {
  if (typeof key === 'number') {
    const part = Buffer.alloc(9);
    part[0] = NUMBER;
    part.writeDoubleBE(key, 1);
    parts.push(part);
  } else if (typeof key === 'string') {
    const text = Buffer.from(key, 'utf8');
    const head = Buffer.alloc(5);
    head[0] = STRING;
    head.writeUInt32BE(text.length, 1);
    parts.push(head, text);
  } else if (key instanceof Date) {
    const part = Buffer.alloc(9);
    part[0] = DATE;
    part.writeDoubleBE(key.getTime(), 1);
    parts.push(part);
  } else if (key instanceof ArrayBuffer || ArrayBuffer.isView(key)) {
    const bytes =
      key instanceof ArrayBuffer ? Buffer.from(key) : Buffer.from(key.buffer, key.byteOffset, key.byteLength);
    const head = Buffer.alloc(5);
    head[0] = BINARY;
    head.writeUInt32BE(bytes.length, 1);
    parts.push(head, Buffer.from(bytes));
  } else if (Array.isArray(key)) {
    const head = Buffer.alloc(5);
    head[0] = ARRAY;
    head.writeUInt32BE(key.length, 1);
    parts.push(head);
    for (const item of key) writeParts(item, parts);
  } else {
    throw new TypeError('Not a valid IndexedDB key');
  }
}

export function encodeIdbKey(key: unknown): Buffer {
  const parts: Buffer[] = [];
  writeParts(key, parts);
  return Buffer.concat(parts);
}

function read(bytes: Buffer, offset: number): [IdbKey, number] {
  const tag = bytes[offset];
  switch (tag) {
    case NUMBER:
      return [bytes.readDoubleBE(offset + 1), offset + 9];
    case DATE:
      return [new Date(bytes.readDoubleBE(offset + 1)), offset + 9];
    case STRING: {
      const length = bytes.readUInt32BE(offset + 1);
      const start = offset + 5;
      return [bytes.toString('utf8', start, start + length), start + length];
    }
    case BINARY: {
      const length = bytes.readUInt32BE(offset + 1);
      const start = offset + 5;
      const copy = new Uint8Array(length);
      copy.set(bytes.subarray(start, start + length));
      return [copy.buffer, start + length];
    }
    case ARRAY: {
      const count = bytes.readUInt32BE(offset + 1);
      let position = offset + 5;
      const items: IdbKey[] = [];
      for (let i = 0; i < count; i++) {
        const [item, next] = read(bytes, position);
        items.push(item);
        position = next;
      }
      return [items, position];
    }
    default:
      throw new RangeError('Corrupt IndexedDB key encoding');
  }
}

export function decodeIdbKey(bytes: Buffer): IdbKey {
  const [key, end] = read(bytes, 0);
  if (end !== bytes.length) throw new RangeError('Corrupt IndexedDB key encoding');
  return key;
}
