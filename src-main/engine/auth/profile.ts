// The signed-in user's own display name, shown beside the room list.
import { z } from 'zod';
import type { MatrixHttp } from '../http/matrix-http.ts';

const displayNameSchema = z.looseObject({ displayname: z.string().nullish() });

/** Best effort: a missing profile or a failing server leaves the name unknown, never the sign-in. */
export async function fetchDisplayName(http: MatrixHttp, userId: string): Promise<string | null> {
  try {
    const profile = await http.request(
      'GET',
      `/_matrix/client/v3/profile/${encodeURIComponent(userId)}/displayname`,
      {
        schema: displayNameSchema,
        retries: 0,
        timeoutMs: 10_000,
      },
    );
    return profile.displayname ?? null;
  } catch {
    return null;
  }
}
