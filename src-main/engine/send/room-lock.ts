// One task at a time per room: key sharing for a room must not interleave with itself (two
// shareRoomKey passes would each create and send a session).
export class RoomLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(roomId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(roomId) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.#tails.set(roomId, tail);
    void tail.then(() => {
      if (this.#tails.get(roomId) === tail) this.#tails.delete(roomId);
    });
    return next;
  }
}
