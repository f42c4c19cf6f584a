// Password sign-in (`m.login.password` with an `m.id.user` identifier).
import { z } from 'zod';
import { EngineError } from '../errors.ts';
import { MatrixApiError } from '../http/matrix-api-error.ts';
import type { MatrixHttp } from '../http/matrix-http.ts';

export interface LoginResult {
  userId: string;
  deviceId: string;
  accessToken: string;
  /** Present when the server supports refresh tokens (Matrix v1.3); the access token then expires. */
  refreshToken?: string;
  /** How long the access token lives, when it expires. */
  expiresInMs?: number;
}

export interface PasswordLoginOptions {
  /** Sign in again as this existing device (after a soft logout), so its keys stay valid. */
  deviceId?: string;
}

const flowsSchema = z.object({ flows: z.array(z.looseObject({ type: z.string() })) });

const loginResponseSchema = z.looseObject({
  user_id: z.string().min(1),
  access_token: z.string().min(1),
  device_id: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in_ms: z.number().int().positive().optional(),
});

export const DEVICE_DISPLAY_NAME = 'Tessera';

export async function passwordLogin(
  http: MatrixHttp,
  user: string,
  password: string,
  options: PasswordLoginOptions = {},
): Promise<LoginResult> {
  const { flows } = await http.request('GET', '/_matrix/client/v3/login', {
    schema: flowsSchema,
    authenticated: false,
  });
  if (!flows.some((flow) => flow.type === 'm.login.password')) {
    throw new EngineError(
      'login_flow_unsupported',
      `${http.host} does not offer sign-in with a password. Single sign-on is not supported yet`,
    );
  }
  try {
    const response = await http.request('POST', '/_matrix/client/v3/login', {
      schema: loginResponseSchema,
      authenticated: false,
      body: {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user },
        password,
        ...(options.deviceId === undefined
          ? { initial_device_display_name: DEVICE_DISPLAY_NAME }
          : { device_id: options.deviceId }),
        // A server without refresh tokens ignores this and gives a token that does not expire.
        refresh_token: true,
      },
    });
    return {
      userId: response.user_id,
      deviceId: response.device_id,
      accessToken: response.access_token,
      ...(response.refresh_token !== undefined ? { refreshToken: response.refresh_token } : {}),
      ...(response.expires_in_ms !== undefined ? { expiresInMs: response.expires_in_ms } : {}),
    };
  } catch (error) {
    throw explainLoginFailure(error, http.host);
  }
}

function explainLoginFailure(error: unknown, host: string): unknown {
  if (!(error instanceof MatrixApiError)) return error;
  switch (error.errcode) {
    case 'M_FORBIDDEN':
    case 'M_INVALID_USERNAME':
    case 'M_NOT_FOUND':
      // Servers answer the same for an unknown user and a wrong password; so do we.
      return new EngineError('invalid_credentials', 'The user name or password is wrong', {
        field: 'password',
      });
    case 'M_USER_DEACTIVATED':
      return new EngineError('user_deactivated', 'This account has been deactivated');
    case 'M_UNKNOWN':
    default:
      if (error.status >= 500) {
        return new EngineError('server_error', `${host} had a problem signing you in; try again later`, {
          cause: error,
        });
      }
      if (error.status === 400 || error.status === 401) {
        return new EngineError('invalid_credentials', 'The user name or password is wrong', {
          field: 'password',
        });
      }
      return new EngineError('server_error', `${host} refused the sign-in (${error.errcode})`, {
        cause: error,
      });
  }
}
