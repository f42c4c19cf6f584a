// A child process that opens one account's crypto stack (crypto-fixture.ts) on a SQLite file,
// for the restart and crash tests: the in-memory IndexedDB and crypto-wasm are per process, so
// a restart must be a new process. Reports JSON lines on stdout; never a key or message text
// except the decrypted body the test asked for.
//   node crypto-account-process.ts <mode> [roomId]     spec in TESSERA_TEST_CRYPTO_SPEC
// Modes:
//   sync                open, one sync with the request loop run dry, close
//   kill-after-upload   open, sync, and stop dead once the server has accepted a keys/upload,
//                       before the machine hears of it (the parent SIGKILLs)
//   receive-then-hang   open, sync; on "go" from stdin sync until a room key arrives, with every
//                       request except sync held back and no write but the feed's barrier;
//                       then stop dead (the parent SIGKILLs)
//   decrypt <roomId>    open without syncing and decrypt the room's newest encrypted event
import { createInterface } from 'node:readline';
import { CryptoAccount, latestEncryptedEvent, type CryptoAccountSpec } from './crypto-fixture.ts';

const spec = JSON.parse(process.env.TESSERA_TEST_CRYPTO_SPEC ?? '') as CryptoAccountSpec;
const [mode, roomId] = process.argv.slice(2);

function report(event: string, details: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, ...details })}\n`);
}

const forever = () => new Promise<never>(() => {});
const requests: { path: string; status: number }[] = [];
let holdAllButSync = false;

/** Records each request's path and status (no bodies) and lets a mode stop at a chosen point. */
const recordingFetch =
  (afterResponse?: (path: string, response: Response) => Promise<void>): typeof fetch =>
  async (input, init) => {
    const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
    if (holdAllButSync && !path.endsWith('/sync')) return forever();
    const response = await fetch(input, init);
    requests.push({ path, status: response.status });
    await afterResponse?.(path, response);
    return response;
  };

async function main(): Promise<void> {
  if (mode === 'sync') {
    const account = await CryptoAccount.open(spec, { fetch: recordingFetch() });
    report('opened', { identityKeys: account.machine.identityKeys });
    const { batch } = await account.syncOnce();
    report('synced', {
      oneTimeKeyCounts: batch.e2ee?.oneTimeKeyCounts ?? null,
      requests,
      failures: account.failures(),
    });
    await account.close();
    return;
  }

  if (mode === 'kill-after-upload') {
    // Only barriers write to disk, as in the worst case of the store's write-behind timer.
    const account = await CryptoAccount.open(spec, {
      maxWriteDelayMs: 3_600_000,
      fetch: recordingFetch(async (path, response) => {
        if (path.endsWith('/keys/upload') && response.ok) {
          report('uploaded', { requests });
          await forever();
        }
      }),
    });
    report('opened', { identityKeys: account.machine.identityKeys });
    await account.syncOnce();
    report('no-upload', { requests });
    return;
  }

  if (mode === 'receive-then-hang') {
    // Only barriers write to disk: whatever the crash keeps, a barrier put there.
    const account = await CryptoAccount.open(spec, { fetch: recordingFetch(), maxWriteDelayMs: 3_600_000 });
    report('opened', { identityKeys: account.machine.identityKeys });
    await account.syncOnce();
    report('ready', { failures: account.failures() });
    const lines = createInterface({ input: process.stdin });
    for await (const line of lines) if (line.trim() === 'go') break;
    holdAllButSync = true;
    for (let attempt = 0; attempt < 30; attempt++) {
      const batch = await account.sync.next(new AbortController().signal);
      const outcome = await account.feed.receive(batch, account.sync.api);
      if (outcome.processed.decrypted > 0) {
        report('received', { outcome });
        await forever();
      }
    }
    report('no-key');
    return;
  }

  if (mode === 'decrypt' && roomId) {
    const account = await CryptoAccount.open(spec);
    report('opened', { identityKeys: account.machine.identityKeys });
    const event = await latestEncryptedEvent(spec.baseUrl, spec.accessToken, roomId);
    const result = await account.decryptor.decrypt(roomId, event);
    report('decrypted', { result });
    await account.close();
    return;
  }

  throw new Error(`unknown mode ${String(mode)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    report('failed', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    process.exit(1);
  },
);
