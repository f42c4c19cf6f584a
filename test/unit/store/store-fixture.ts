// Shared setup for the store tests: a temp profile folder, a key, and file fingerprints.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountDatabase } from '../../../src-main/engine/store/account-database.ts';
import type { RoomRecord } from '../../../src-main/engine/store/room-store.ts';
import type { TimelineEventInput } from '../../../src-main/engine/store/timeline-store.ts';

export const KEY_SOURCE = 'the test keyring';

export interface Profile {
  dir: string;
  path: string;
  key: Buffer;
  /** Opens with a copy of the key (open() zeroes what it is given). */
  open(key?: Buffer): AccountDatabase;
  cleanup(): void;
}

export function makeProfile(): Profile {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-store-'));
  const path = join(dir, 'account.db');
  const key = randomBytes(32);
  return {
    dir,
    path,
    key,
    open: (other?: Buffer) =>
      AccountDatabase.open({ path, key: Buffer.from(other ?? key), keySource: KEY_SOURCE, lockWaitMs: 200 }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Name → SHA-256 of every file in the folder: equal before and after means untouched. */
export function fingerprint(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of readdirSync(dir).sort())
    result[name] = createHash('sha256')
      .update(readFileSync(join(dir, name)))
      .digest('hex');
  return result;
}

export function room(roomId: string, overrides: Partial<RoomRecord> = {}): RoomRecord {
  return {
    roomId,
    membership: 'join',
    displayName: `Room ${roomId}`,
    name: null,
    canonicalAlias: null,
    topic: null,
    avatarUrl: null,
    isDirect: false,
    isEncrypted: false,
    inviter: null,
    heroes: null,
    joinedMemberCount: 2,
    invitedMemberCount: 0,
    notificationCount: 0,
    highlightCount: 0,
    lastActivity: 0,
    ...overrides,
  };
}

export function message(
  eventId: string,
  body: string,
  overrides: Partial<TimelineEventInput> = {},
): TimelineEventInput {
  return {
    eventId,
    sender: '@bob:example.org',
    type: 'm.room.message',
    originServerTs: 1_700_000_000_000,
    content: { msgtype: 'm.text', body },
    decryption: 'none',
    ...overrides,
  };
}

/** Catches what `work` throws, for asserting on typed errors. */
export function thrownBy(work: () => unknown): Error & { code?: string } {
  try {
    work();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a failure');
}
