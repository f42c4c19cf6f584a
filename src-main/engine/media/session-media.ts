// The media fetcher of an open account: its homeserver and token, and its stored events (in
// clear when they were decrypted) as the source of attachment keys.
import type { AccountSession } from '../account/account-session.ts';
import { toItem } from '../timeline/decrypted-timeline.ts';
import { MediaFetcher } from './media-fetcher.ts';

export function mediaFetcherFor(
  session: Pick<AccountSession, 'db' | 'http'>,
  log: (level: 'warn', message: string) => void,
): MediaFetcher {
  return new MediaFetcher({
    server: {
      baseUrl: session.http.baseUrl,
      // The stored token is the current one: a refresh saves the new token before using it.
      accessToken: () => session.db.session.get()?.accessToken,
      // The session's fetch: the organization's certificate pins hold for media too.
      fetch: session.http.fetch,
    },
    eventContent: (roomId, eventId) => {
      const record = session.db.timeline.get(roomId, eventId);
      return record ? toItem(record).content : null;
    },
    log,
  });
}
