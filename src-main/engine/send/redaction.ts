// message.redact: removes an event with PUT /rooms/{roomId}/redact/{eventId}/{txnId}. Our own
// events always; other people's only with the room's power to redact (checked first for a
// clear refusal; the server checks again). The redaction comes back through sync, where the
// timeline applies it.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { EngineError } from '../errors.ts';
import { MatrixApiError } from '../http/matrix-api-error.ts';
import type { MatrixHttp } from '../http/matrix-http.ts';
import type { AccountDatabase } from '../store/account-database.ts';
import { canRedactOthers } from '../timeline/redactions.ts';
import { isRedacted } from '../timeline/relations.ts';

const redactResponse = z.looseObject({ event_id: z.string().optional() });

export interface RedactionContext {
  db: AccountDatabase;
  http: Pick<MatrixHttp, 'request'>;
  userId: string;
}

export async function redactEvent(
  context: RedactionContext,
  roomId: string,
  eventId: string,
  reason?: string,
): Promise<null> {
  const { db, http, userId } = context;
  const target = db.timeline.get(roomId, eventId);
  if (!target) throw new EngineError('event_not_found', 'That event is not in this room’s timeline');
  if (isRedacted(target)) return null;
  if (target.sender !== userId && !canRedactOthers(db, roomId, userId))
    throw new EngineError('forbidden', 'You cannot remove other people’s messages in this room');
  const enc = encodeURIComponent;
  const txnId = `tessera-redact-${Date.now()}-${randomBytes(8).toString('hex')}`;
  try {
    // The transaction id makes a retried request the same redaction.
    await http.request(
      'PUT',
      `/_matrix/client/v3/rooms/${enc(roomId)}/redact/${enc(eventId)}/${enc(txnId)}`,
      {
        schema: redactResponse,
        body: reason === undefined ? {} : { reason },
        retries: 2,
      },
    );
  } catch (error) {
    if (error instanceof MatrixApiError && (error.errcode === 'M_FORBIDDEN' || error.status === 403))
      throw new EngineError('forbidden', 'The server does not allow you to remove this event', {
        cause: error,
      });
    if (error instanceof MatrixApiError && error.status === 404)
      throw new EngineError('event_not_found', 'The server does not know that event', { cause: error });
    throw error;
  }
  return null;
}
