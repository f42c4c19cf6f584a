// Starts one Synapse for the e2e tier and hands its address to the test workers through the
// environment (workers inherit it). Each test starts its own harness and engine (fixtures.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startSynapse, type HomeserverInfo } from '../homeserver/synapse.ts';
import { homeserverEnvKey } from './homeserver-env.ts';

const builtIndex = fileURLToPath(new URL('../../dist/renderer/index.html', import.meta.url));

export default async function globalSetup(): Promise<() => Promise<void>> {
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  if (nodeMajor < 24) {
    throw new Error(`The e2e tests need Node 24 or newer; this is Node ${process.versions.node}.`);
  }
  if (!existsSync(builtIndex)) {
    throw new Error('The renderer is not built: run `npx vite build` (or `npm run test:e2e`) first.');
  }
  const homeserver = await startSynapse();
  const info: HomeserverInfo = {
    baseUrl: homeserver.baseUrl,
    serverName: homeserver.serverName,
    sharedSecret: homeserver.sharedSecret,
  };
  process.env[homeserverEnvKey] = JSON.stringify(info);
  return () => homeserver.stop();
}
