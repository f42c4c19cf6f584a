// The crypto store across processes (issue 3): a restart keeps the device's identity, a SIGKILL
// during a key upload leaves no one-time key conflict behind, and a room key that arrived in a
// sync just before a SIGKILL still opens its message in the next process.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { MatrixPeer } from '../homeserver/matrix-peer.ts';
import { OlmPeer } from '../homeserver/olm-peer.ts';
import { registerUser } from '../homeserver/synapse.ts';
import { claimOneTimeKey, publishedKeys, type CryptoAccountSpec, type SyncApi } from './crypto-fixture.ts';

const homeserver = inject('homeserver');
const SCRIPT = fileURLToPath(new URL('./crypto-account-process.ts', import.meta.url));
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

type Report = { event: string } & Record<string, unknown>;

/** One child process running crypto-account-process.ts, read line by line. */
class AccountProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #reports: Report[] = [];
  readonly #waiters: (() => void)[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr = '';

  constructor(spec: CryptoAccountSpec, args: string[]) {
    this.#child = spawn(process.execPath, [SCRIPT, ...args], {
      env: { ...process.env, TESSERA_TEST_CRYPTO_SPEC: JSON.stringify(spec) },
    });
    this.#child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      this.#reports.push(JSON.parse(line) as Report);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.exited = new Promise((resolve) =>
      this.#child.on('exit', (code, signal) => {
        resolve({ code, signal });
        for (const wake of this.#waiters.splice(0)) wake();
      }),
    );
    cleanup.push(() => void this.#child.kill('SIGKILL'));
  }

  /** The first report named `event`; fails fast if the child reports a failure or exits first. */
  async next(event: string): Promise<Report> {
    for (;;) {
      const found = this.#reports.find((report) => report.event === event);
      if (found) return found;
      const failed = this.#reports.find((report) => report.event === 'failed');
      if (failed) throw new Error(`child failed: ${String(failed.error)}\n${this.stderr}`);
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) {
        throw new Error(`child exited before "${event}": ${JSON.stringify(this.#reports)}\n${this.stderr}`);
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  send(line: string): void {
    this.#child.stdin.write(`${line}\n`);
  }

  async kill(): Promise<void> {
    this.#child.kill('SIGKILL');
    const { signal } = await this.exited;
    expect(signal).toBe('SIGKILL');
  }

  async finished(): Promise<void> {
    const { code } = await this.exited;
    if (code !== 0)
      throw new Error(`child exited with ${code}: ${JSON.stringify(this.#reports)}\n${this.stderr}`);
  }
}

async function accountSpec(api: SyncApi) {
  const user = await registerUser(homeserver);
  const dir = mkdtempSync(join(tmpdir(), 'tessera-crypto-restart-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const spec: CryptoAccountSpec = {
    baseUrl: homeserver.baseUrl,
    userId: user.userId,
    deviceId: user.deviceId,
    accessToken: user.accessToken,
    dbPath: join(dir, 'account.db'),
    dbKey: randomBytes(32).toString('hex'),
    storeKey: randomBytes(32).toString('hex'),
    api,
  };
  return { user, spec };
}

interface RequestLine {
  path: string;
  status: number;
}

describe('crypto store across processes', () => {
  it('a restarted process has the same identity keys and uploads no conflicting key', async () => {
    const { user, spec } = await accountSpec('v3');
    const first = new AccountProcess(spec, ['sync']);
    const opened = await first.next('opened');
    const synced = await first.next('synced');
    await first.finished();
    expect(synced.failures).toEqual([]);
    expect(synced.requests as RequestLine[]).toContainEqual({
      path: '/_matrix/client/v3/keys/upload',
      status: 200,
    });

    const second = new AccountProcess(spec, ['sync']);
    expect((await second.next('opened')).identityKeys).toEqual(opened.identityKeys);
    const again = await second.next('synced');
    await second.finished();
    expect(again.failures).toEqual([]);
    expect((again.requests as RequestLine[]).every((request) => request.status === 200)).toBe(true);

    const other = await registerUser(homeserver);
    expect(await publishedKeys(homeserver.baseUrl, other.accessToken, user.userId, user.deviceId)).toEqual(
      opened.identityKeys,
    );
  });

  it('after a SIGKILL between the server accepting a key upload and the machine hearing of it, the next process uploads without a conflict', async () => {
    const { user, spec } = await accountSpec('v3');
    const first = new AccountProcess(spec, ['kill-after-upload']);
    const opened = await first.next('opened');
    await first.next('uploaded');
    await first.kill();

    const second = new AccountProcess(spec, ['sync']);
    expect((await second.next('opened')).identityKeys).toEqual(opened.identityKeys);
    const synced = await second.next('synced');
    await second.finished();
    // The same unpublished keys go up again and the server takes them as the ones it has: no
    // "One time key ... already exists" (400).
    expect(synced.failures).toEqual([]);
    const uploads = (synced.requests as RequestLine[]).filter((request) =>
      request.path.endsWith('/keys/upload'),
    );
    expect(uploads.length).toBeGreaterThan(0);
    expect(uploads.every((request) => request.status === 200)).toBe(true);

    const other = await registerUser(homeserver);
    expect(await publishedKeys(homeserver.baseUrl, other.accessToken, user.userId, user.deviceId)).toEqual(
      opened.identityKeys,
    );
    const claimed = await claimOneTimeKey(homeserver.baseUrl, other.accessToken, user.userId, user.deviceId);
    expect(Object.keys(claimed)).toHaveLength(1);
  });

  it.each(['v3', 'sliding'] as const)(
    'a room key received over %s sync just before a SIGKILL opens its message in the next process',
    async (api) => {
      const { user, spec } = await accountSpec(api);
      const bob = await registerUser(homeserver);
      const peer = await OlmPeer.start({ baseUrl: homeserver.baseUrl, ...bob });
      cleanup.push(() => peer.close());
      const roomId = await peer.createEncryptedRoom({ invite: [user.userId] });
      await new MatrixPeer({ baseUrl: homeserver.baseUrl, ...user }).join(roomId);

      const first = new AccountProcess(spec, ['receive-then-hang']);
      expect((await first.next('ready')).failures).toEqual([]);
      const text = `known text ${randomBytes(4).toString('hex')}`;
      await peer.sendEncryptedText(roomId, text, [user.userId]);
      first.send('go');
      await first.next('received');
      await first.kill();

      const second = new AccountProcess(spec, ['decrypt', roomId]);
      const { result } = await second.next('decrypted');
      await second.finished();
      expect(result).toMatchObject({
        ok: true,
        clearEvent: { type: 'm.room.message', content: { body: text } },
      });
    },
  );
});
