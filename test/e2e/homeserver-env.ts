// How global setup passes the homeserver to the test workers.
import type { HomeserverInfo } from '../homeserver/synapse.ts';

export const homeserverEnvKey = 'TESSERA_E2E_HOMESERVER';

export function homeserverFromEnv(): HomeserverInfo {
  const raw = process.env[homeserverEnvKey];
  if (!raw) throw new Error(`${homeserverEnvKey} is not set; run the e2e tests through playwright.config.ts`);
  const value = JSON.parse(raw) as Partial<HomeserverInfo>;
  if (
    typeof value.baseUrl !== 'string' ||
    typeof value.serverName !== 'string' ||
    typeof value.sharedSecret !== 'string'
  ) {
    throw new Error(`${homeserverEnvKey} does not describe a homeserver`);
  }
  return { baseUrl: value.baseUrl, serverName: value.serverName, sharedSecret: value.sharedSecret };
}
