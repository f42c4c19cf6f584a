// What POST /login answers, for every login type (password, token): the new device's tokens.
import { z } from 'zod';

export interface LoginResult {
  userId: string;
  deviceId: string;
  accessToken: string;
  /** Present when the server supports refresh tokens (Matrix v1.3); the access token then expires. */
  refreshToken?: string;
  /** How long the access token lives, when it expires. */
  expiresInMs?: number;
}

/** The display name a new device gets on the server (its devices list). */
export const DEVICE_DISPLAY_NAME = 'Tessera';

export const loginResponseSchema = z.looseObject({
  user_id: z.string().min(1),
  access_token: z.string().min(1),
  device_id: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in_ms: z.number().int().positive().optional(),
});

export function toLoginResult(response: z.output<typeof loginResponseSchema>): LoginResult {
  return {
    userId: response.user_id,
    deviceId: response.device_id,
    accessToken: response.access_token,
    ...(response.refresh_token !== undefined ? { refreshToken: response.refresh_token } : {}),
    ...(response.expires_in_ms !== undefined ? { expiresInMs: response.expires_in_ms } : {}),
  };
}

/**
 * The device part of a login request: a new device gets Tessera's display name; after a soft
 * logout the same device signs in again so its keys stay valid. A server without refresh tokens
 * ignores `refresh_token` and gives a token that does not expire.
 */
export function deviceFields(deviceId: string | undefined): Record<string, unknown> {
  return {
    ...(deviceId === undefined
      ? { initial_device_display_name: DEVICE_DISPLAY_NAME }
      : { device_id: deviceId }),
    refresh_token: true,
  };
}
