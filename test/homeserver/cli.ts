// `npm run homeserver`: a throwaway Synapse with one user, for working on the app by hand.
import { randomBytes } from 'node:crypto';
import { registerUser, startSynapse, SYNAPSE_VERSION } from './synapse.ts';

const port = process.env['TESSERA_HOMESERVER_PORT']
  ? Number(process.env['TESSERA_HOMESERVER_PORT'])
  : undefined;
const password = process.env['TESSERA_TEST_PASSWORD'] || randomBytes(9).toString('base64url');

const homeserver = await startSynapse(port !== undefined ? { port } : {});
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nStopping Synapse...\n');
  await homeserver.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

try {
  const alice = await registerUser(homeserver, { localpart: 'alice', password, displayName: 'Alice' });
  // Printing the password is the point here: it is a throwaway account on a throwaway server.
  process.stdout.write(
    [
      `Synapse ${SYNAPSE_VERSION} is running (data in ${homeserver.dataDir}).`,
      `  Homeserver URL: ${homeserver.baseUrl}`,
      `  User:           ${alice.userId}   (or just: alice)`,
      `  Password:       ${alice.password}`,
      'Press Ctrl-C to stop it; everything is deleted then.',
      '',
    ].join('\n'),
  );
} catch (error) {
  await homeserver.stop();
  throw error;
}
