// Which users the crypto layer must track: members of encrypted rooms, whose device lists the
// server then reports in every sync (device_lists.changed). For now the joined members the
// sync responses show; issue 4's send pipeline adds invited members and full member lists.
import type { SyncBatch } from '../sync/sync-batch.ts';

export class EncryptedRoomMembers {
  readonly #encryptedRooms = new Set<string>();
  readonly #tracked = new Set<string>();

  /** Rooms known to be encrypted from elsewhere (the stored room list at start). */
  markEncrypted(roomIds: Iterable<string>): void {
    for (const roomId of roomIds) this.#encryptedRooms.add(roomId);
  }

  isEncrypted(roomId: string): boolean {
    return this.#encryptedRooms.has(roomId);
  }

  /** Users to start tracking: not tracked yet, and given to the machine by the caller. */
  untracked(users: Iterable<string>): string[] {
    const fresh: string[] = [];
    for (const userId of users) {
      if (this.#tracked.has(userId)) continue;
      this.#tracked.add(userId);
      fresh.push(userId);
    }
    return fresh;
  }

  /** Notes the rooms this batch shows encrypted and returns the joined members not tracked yet. */
  newMembers(batch: SyncBatch): string[] {
    const members: string[] = [];
    for (const room of batch.rooms) {
      // Encryption can never be turned off, so a room once seen encrypted stays in the set.
      if (room.state.some((event) => event.type === 'm.room.encryption' && event.stateKey === '')) {
        this.#encryptedRooms.add(room.roomId);
      }
      if (!this.#encryptedRooms.has(room.roomId)) continue;
      for (const event of room.state) {
        if (event.type === 'm.room.member' && event.content.membership === 'join')
          members.push(event.stateKey);
      }
    }
    return this.untracked(members);
  }
}
