// A room's stored events newest first, read in growing pages: most rooms answer from the first
// few events (the preview, the unread count of a room read recently), so none reads hundreds.
import type { AccountDatabase } from '../store/account-database.ts';
import type { TimelineEventRecord } from '../store/timeline-store.ts';

const FIRST_PAGE = 8;

export function* newestEvents(
  db: Pick<AccountDatabase, 'timeline'>,
  roomId: string,
  max: number,
): Generator<TimelineEventRecord> {
  let page = db.timeline.latest(roomId, Math.min(FIRST_PAGE, max));
  let read = 0;
  let size = FIRST_PAGE;
  while (page.length > 0) {
    for (let index = page.length - 1; index >= 0; index--) {
      const event = page[index];
      if (!event) continue;
      yield event;
      if (++read >= max) return;
    }
    const oldest = page[0];
    if (!oldest) return;
    size = Math.min(size * 4, max - read);
    page = db.timeline.before(roomId, oldest.ordering, size);
  }
}
