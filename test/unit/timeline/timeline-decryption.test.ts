// Background decryption of stored events, with real OlmMachines in memory and a real account
// database: a sender machine encrypts, the receiver gets room keys by import (or not yet).
import {
  DeviceId,
  EncryptionSettings,
  OlmMachine,
  RoomId,
  UserId,
  type RoomKeyInfo,
} from '@matrix-org/matrix-sdk-crypto-wasm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadCryptoWasm } from '../../../src-main/engine/crypto/crypto-wasm.ts';
import type { AccountDatabase } from '../../../src-main/engine/store/account-database.ts';
import type { TimelineEventInput } from '../../../src-main/engine/store/timeline-store.ts';
import { readTimeline } from '../../../src-main/engine/timeline/decrypted-timeline.ts';
import {
  TimelineDecryption,
  type DecryptionMachine,
} from '../../../src-main/engine/timeline/timeline-decryption.ts';
import { makeProfile, room, type Profile } from '../store/store-fixture.ts';

const ROOM_A = '!a:x';
const ROOM_B = '!b:x';

let sender: OlmMachine;
const cleanup: (() => void | Promise<void>)[] = [];

beforeAll(async () => {
  await loadCryptoWasm();
  sender = await OlmMachine.initialize(new UserId('@bob:x'), new DeviceId('BOBDEVICE'));
});

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

let counter = 0;

/** Encrypts a text in the sender's current session of the room; `fresh` starts a new session. */
async function encrypted(roomId: string, body: string, fresh = false): Promise<TimelineEventInput> {
  if (fresh) await sender.invalidateGroupSession(new RoomId(roomId));
  await sender.shareRoomKey(new RoomId(roomId), [], new EncryptionSettings());
  const content = await sender.encryptRoomEvent(
    new RoomId(roomId),
    'm.room.message',
    JSON.stringify({ msgtype: 'm.text', body }),
  );
  counter += 1;
  return {
    eventId: `$e${counter}`,
    sender: '@bob:x',
    type: 'm.room.encrypted',
    originServerTs: counter,
    content: JSON.parse(content) as Record<string, unknown>,
    decryption: 'pending',
  };
}

function sessionOf(event: TimelineEventInput): string {
  return String(event.content.session_id);
}

/** Imports the sender's keys of the given megolm sessions into `machine`. */
async function importKeys(machine: OlmMachine, sessionIds: string[]): Promise<void> {
  const exported = await sender.exportRoomKeys((session) => sessionIds.includes(session.sessionId));
  await machine.importExportedRoomKeys(exported, () => {});
}

interface Receiver {
  machine: OlmMachine;
  calls: string[];
  recording: DecryptionMachine;
}

async function receiver(): Promise<Receiver> {
  counter += 1;
  const machine = await OlmMachine.initialize(new UserId('@alice:x'), new DeviceId(`ALICE${counter}`));
  cleanup.push(() => machine.close());
  const calls: string[] = [];
  return {
    machine,
    calls,
    recording: {
      decryptRoomEvent: (json, roomId, settings) => {
        calls.push((JSON.parse(json) as { event_id: string }).event_id);
        return machine.decryptRoomEvent(json, roomId, settings);
      },
      registerRoomKeyUpdatedCallback: (callback: (keys: RoomKeyInfo[]) => Promise<void>) =>
        machine.registerRoomKeyUpdatedCallback(callback),
    },
  };
}

function database(): { profile: Profile; db: AccountDatabase } {
  const profile = makeProfile();
  const db = profile.open();
  db.rooms.upsertMany([room(ROOM_A), room(ROOM_B)]);
  cleanup.push(() => profile.cleanup());
  cleanup.push(() => {
    if (db.isOpen) db.close();
  });
  return { profile, db };
}

function service(db: AccountDatabase, machine: DecryptionMachine, batchSize?: number): TimelineDecryption {
  const decryption = new TimelineDecryption({
    db,
    machine,
    log: () => {},
    ...(batchSize ? { batchSize } : {}),
  });
  cleanup.push(() => decryption.stop());
  return decryption;
}

describe('TimelineDecryption', () => {
  it('decrypts the newest event of each room first, then the rest, and stores the clear event', async () => {
    const { db } = database();
    const a = [await encrypted(ROOM_A, 'a1'), await encrypted(ROOM_A, 'a2'), await encrypted(ROOM_A, 'a3')];
    const b = [await encrypted(ROOM_B, 'b1'), await encrypted(ROOM_B, 'b2')];
    db.timeline.appendBatch(ROOM_A, a);
    db.timeline.appendBatch(ROOM_B, b);
    const alice = await receiver();
    await importKeys(alice.machine, [sessionOf(a[0]!), sessionOf(b[0]!)]);

    const decryption = service(db, alice.recording, 2);
    decryption.start();
    await decryption.whenIdle();

    expect(new Set(alice.calls.slice(0, 2))).toEqual(new Set([a[2]!.eventId, b[1]!.eventId]));
    expect(alice.calls).toHaveLength(5);
    expect(decryption.decryptCalls).toBe(5);
    const stored = db.timeline.get(ROOM_A, a[0]!.eventId);
    expect(stored).toMatchObject({
      decryption: 'decrypted',
      decrypted: {
        type: 'm.room.message',
        content: { msgtype: 'm.text', body: 'a1' },
        shield: { color: 'grey', code: 'authenticity_not_guaranteed' },
        senderCurve25519: expect.any(String),
      },
    });
    expect(readTimeline(db, ROOM_A, 10).map((item) => item.content.body)).toEqual(['a1', 'a2', 'a3']);
    expect(readTimeline(db, ROOM_B, 10)[0]).toMatchObject({
      type: 'm.room.message',
      encrypted: true,
      decryption: 'decrypted',
      shield: { color: 'grey' },
    });
  });

  it('decrypts a room the person opened before the older events of other rooms', async () => {
    const { db } = database();
    const a = [
      await encrypted(ROOM_A, 'a1', true),
      await encrypted(ROOM_A, 'a2'),
      await encrypted(ROOM_A, 'a3'),
    ];
    const b = [
      await encrypted(ROOM_B, 'b1', true),
      await encrypted(ROOM_B, 'b2'),
      await encrypted(ROOM_B, 'b3'),
    ];
    // Room B's events were stored last, so without a priority they would go first.
    db.timeline.appendBatch(ROOM_A, a);
    db.timeline.appendBatch(ROOM_B, b);
    const alice = await receiver();
    await importKeys(alice.machine, [sessionOf(a[0]!), sessionOf(b[0]!)]);

    const decryption = service(db, alice.recording, 1);
    decryption.prioritize(ROOM_A);
    decryption.start();
    await decryption.whenIdle();

    expect(new Set(alice.calls.slice(0, 2))).toEqual(new Set([a[2]!.eventId, b[2]!.eventId]));
    expect(alice.calls.slice(2)).toEqual([a[1]!.eventId, a[0]!.eventId, b[1]!.eventId, b[0]!.eventId]);
  });

  it('decrypts an event once, ever: not again on a kick, nor after a restart', async () => {
    const { profile, db } = database();
    const event = await encrypted(ROOM_A, 'once', true);
    db.timeline.appendBatch(ROOM_A, [event]);
    const alice = await receiver();
    await importKeys(alice.machine, [sessionOf(event)]);

    const first = service(db, alice.recording);
    first.start();
    await first.whenIdle();
    first.kick();
    await first.whenIdle();
    expect(first.decryptCalls).toBe(1);
    await first.stop();
    db.close();

    const reopened = profile.open();
    cleanup.push(() => reopened.close());
    const second = service(reopened, alice.recording);
    second.start();
    await second.whenIdle();
    expect(second.decryptCalls).toBe(0);
    expect(readTimeline(reopened, ROOM_A, 1)[0]).toMatchObject({ content: { body: 'once' } });
  });

  it('stores a failure with its reason and no plaintext, then decrypts when the key arrives', async () => {
    const { db } = database();
    const event = await encrypted(ROOM_A, 'late key', true);
    db.timeline.appendBatch(ROOM_A, [event]);
    const alice = await receiver();
    const decryption = service(db, alice.recording);
    decryption.start();
    await decryption.whenIdle();

    const failed = db.timeline.get(ROOM_A, event.eventId);
    expect(failed).toMatchObject({
      decryption: 'failed',
      decrypted: { reason: 'missing_room_key', message: expect.any(String) },
    });
    expect(JSON.stringify(failed?.decrypted)).not.toContain('late key');
    expect(readTimeline(db, ROOM_A, 1)[0]).toMatchObject({
      content: {},
      failure: { reason: 'missing_room_key' },
    });

    await importKeys(alice.machine, [sessionOf(event)]);
    await vi_waitFor(() => db.timeline.get(ROOM_A, event.eventId)?.decryption === 'decrypted');
    expect(readTimeline(db, ROOM_A, 1)[0]).toMatchObject({ content: { body: 'late key' } });
    expect(decryption.decryptCalls).toBe(2);
  });

  it('retries only the events of the megolm session whose key arrived', async () => {
    const { db } = database();
    const first = await encrypted(ROOM_A, 'session one', true);
    const second = await encrypted(ROOM_A, 'session two', true);
    const third = await encrypted(ROOM_A, 'session two again');
    const other = await encrypted(ROOM_B, 'session three', true);
    db.timeline.appendBatch(ROOM_A, [first, second, third]);
    db.timeline.appendBatch(ROOM_B, [other]);
    const alice = await receiver();
    const decryption = service(db, alice.recording);
    decryption.start();
    await decryption.whenIdle();
    expect(alice.calls).toHaveLength(4);

    alice.calls.length = 0;
    await importKeys(alice.machine, [sessionOf(second)]);
    await vi_waitFor(() => db.timeline.get(ROOM_A, second.eventId)?.decryption === 'decrypted');
    await decryption.whenIdle();
    expect(new Set(alice.calls)).toEqual(new Set([second.eventId, third.eventId]));
    expect(alice.calls).toHaveLength(2);
    expect(db.timeline.get(ROOM_A, third.eventId)?.decryption).toBe('decrypted');
    expect(db.timeline.get(ROOM_A, first.eventId)?.decryption).toBe('failed');
    expect(db.timeline.get(ROOM_B, other.eventId)?.decryption).toBe('failed');
  });

  it('retries at start what failed for want of a key that arrived while it was stopped', async () => {
    const { db } = database();
    const event = await encrypted(ROOM_A, 'while stopped', true);
    const more = [await encrypted(ROOM_A, 'and this'), await encrypted(ROOM_A, 'and that')];
    db.timeline.appendBatch(ROOM_A, [event, ...more]);
    const alice = await receiver();
    const before = service(db, alice.recording);
    before.start();
    await before.whenIdle();
    await before.stop();
    expect(db.timeline.get(ROOM_A, event.eventId)?.decryption).toBe('failed');

    // The key comes with nobody listening.
    await importKeys(alice.machine, [sessionOf(event)]);
    expect(db.timeline.get(ROOM_A, event.eventId)?.decryption).toBe('failed');

    // A page at a time.
    const after = service(db, alice.recording, 2);
    after.start();
    await after.whenIdle();
    expect(readTimeline(db, ROOM_A, 10).map((item) => item.content.body)).toEqual([
      'while stopped',
      'and this',
      'and that',
    ]);
    expect(after.decryptCalls).toBe(3);
  });

  it('stores an event of the wrong shape as failed (malformed) and goes on', async () => {
    const { db } = database();
    const good = await encrypted(ROOM_A, 'fine', true);
    db.timeline.appendBatch(ROOM_A, [
      { ...good, eventId: '$bad', content: { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 7 } },
      good,
    ]);
    const alice = await receiver();
    await importKeys(alice.machine, [sessionOf(good)]);
    const decryption = service(db, alice.recording);
    decryption.start();
    await decryption.whenIdle();
    expect(db.timeline.get(ROOM_A, '$bad')).toMatchObject({
      decryption: 'failed',
      decrypted: { reason: 'malformed' },
    });
    expect(db.timeline.get(ROOM_A, good.eventId)?.decryption).toBe('decrypted');
  });

  it('stops cleanly: the batch in hand is written and nothing runs afterwards', async () => {
    const { db } = database();
    const events = [];
    for (let i = 0; i < 6; i++) events.push(await encrypted(ROOM_A, `m${i}`, i === 0));
    db.timeline.appendBatch(ROOM_A, events);
    const alice = await receiver();
    await importKeys(alice.machine, [sessionOf(events[0]!)]);
    const decryption = service(db, alice.recording, 1);
    decryption.start();
    await decryption.stop();
    const calls = decryption.decryptCalls;
    const written = events.filter((e) => db.timeline.get(ROOM_A, e.eventId)?.decryption === 'decrypted');
    expect(written).toHaveLength(calls);
    expect(calls).toBeLessThan(events.length);

    decryption.kick();
    decryption.start();
    await decryption.whenIdle();
    expect(decryption.decryptCalls).toBe(calls);
    db.close();
  });
});

/** Polls until `done` holds (the room key callback runs on the machine's schedule). */
async function vi_waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (done()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition never held');
}
