// Password sign-in (`m.login.password` with an `m.id.user` identifier).
import { EngineError } from '../errors.ts';
import { MatrixApiError } from '../http/matrix-api-error.ts';
import type { MatrixHttp } from '../http/matrix-http.ts';
import { deviceFields, loginResponseSchema, toLoginResult, type LoginResult } from './login-response.ts';
import { fetchLoginFlows } from './sign-in-options.ts';

export type { LoginResult } from './login-response.ts';
export { DEVICE_DISPLAY_NAME } from './login-response.ts';

export interface PasswordLoginOptions {
  /** Sign in again as this existing device (after a soft logout), so its keys stay valid. */
  deviceId?: string;
}

export async function passwordLogin(
  http: MatrixHttp,
  user: string,
  password: string,
  options: PasswordLoginOptions = {},
): Promise<LoginResult> {
  const flows = await fetchLoginFlows(http);
  if (!flows.password) {
    throw new EngineError(
      'login_flow_unsupported',
      flows.identityProviders
        ? `${http.host} does not offer sign-in with a password; use single sign-on`
        : `${http.host} does not offer sign-in with a password`,
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
        ...deviceFields(options.deviceId),
      },
    });
    return toLoginResult(response);
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
