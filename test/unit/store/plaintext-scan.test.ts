// Nothing written to the store is readable on disk: known message text (and the access token)
// is searched for in every file of the profile folder, while the database is open (the WAL holds
// the recent writes) and after it is closed.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeProfile, message, room, type Profile } from './store-fixture.ts';

const SECRET_TEXT = 'the eagle lands at midnight 7f3a9c';
const SECRET_TOKEN = 'syt_YWxpY2U_knownAccessToken_4242';

/** The names of files in `dir` that contain `needle` as UTF-8, UTF-16LE or in JSON-escaped form. */
function filesContaining(dir: string, needle: string): string[] {
  const forms = [
    Buffer.from(needle, 'utf8'),
    Buffer.from(needle, 'utf16le'),
    Buffer.from(JSON.stringify(needle), 'utf8'),
  ];
  return readdirSync(dir).filter((name) => {
    const bytes = readFileSync(join(dir, name));
    return forms.some((form) => bytes.includes(form));
  });
}

describe('no plaintext on disk', () => {
  let profile: Profile;
  beforeEach(() => {
    profile = makeProfile();
  });
  afterEach(() => profile.cleanup());

  it('the scan finds text when it is there (control)', () => {
    writeFileSync(join(profile.dir, 'control.txt'), `prefix ${SECRET_TEXT} suffix`);
    expect(filesContaining(profile.dir, SECRET_TEXT)).toEqual(['control.txt']);
  });

  it('message text, decrypted text, queued text and the token are not in the db, WAL or any other file', () => {
    const db = profile.open();
    db.session.save({
      homeserver: 'https://x',
      userId: '@alice:x',
      deviceId: 'D',
      accessToken: SECRET_TOKEN,
      createdAt: 1,
    });
    db.rooms.upsertMany([room('!r:x')]);
    for (let i = 0; i < 50; i += 1)
      db.timeline.appendBatch('!r:x', [
        message(`$plain${i}`, `${SECRET_TEXT} #${i}`),
        message(`$enc${i}`, '', {
          type: 'm.room.encrypted',
          content: { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'AwgA' },
          decryption: 'decrypted',
          decrypted: { type: 'm.room.message', content: { body: `${SECRET_TEXT} (decrypted) #${i}` } },
        }),
      ]);
    db.outgoing.enqueue({
      txnId: 't',
      roomId: '!r:x',
      eventType: 'm.room.message',
      content: { body: SECRET_TEXT },
    });

    const files = readdirSync(profile.dir);
    expect(files).toContain('account.db-wal');
    expect(filesContaining(profile.dir, SECRET_TEXT)).toEqual([]);
    expect(filesContaining(profile.dir, SECRET_TOKEN)).toEqual([]);

    db.close();
    expect(filesContaining(profile.dir, SECRET_TEXT)).toEqual([]);
    expect(filesContaining(profile.dir, SECRET_TOKEN)).toEqual([]);

    // Still readable through the key.
    const reopened = profile.open();
    expect(reopened.timeline.latest('!r:x', 1)[0]?.decrypted).toMatchObject({
      content: { body: `${SECRET_TEXT} (decrypted) #49` },
    });
    reopened.close();
  });
});
