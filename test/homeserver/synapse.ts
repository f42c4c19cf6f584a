// A real Synapse for tests: fresh data directory and port per run, stopped and removed after.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { writeSynapseConfig } from './synapse-config.ts';
import { ensureSynapseVenv, venvPython } from './synapse-venv.ts';

export { SYNAPSE_VERSION, ensureSynapseVenv, synapseVenvDir } from './synapse-venv.ts';

/** What a test needs to reach the homeserver; serializable, so vitest can provide it. */
export type HomeserverInfo = {
  baseUrl: string;
  serverName: string;
  sharedSecret: string;
};

export type TestHomeserver = HomeserverInfo & {
  dataDir: string;
  stop(): Promise<void>;
};

export type StartSynapseOptions = {
  venvDir?: string;
  /** A fixed port (e.g. for `npm run homeserver`); a free one is picked otherwise. */
  port?: number;
  startupTimeoutMs?: number;
  extraConfig?: Record<string, unknown>;
};

export type RegisteredUser = {
  userId: string;
  localpart: string;
  password: string;
  accessToken: string;
  deviceId: string;
};

const STOP_GRACE_MS = 10_000;

// Runs Synapse with a watchdog thread: when its stdin closes because this Node process died
// without stop(), it terminates itself and removes its data directory instead of lingering.
const LAUNCHER = `
import atexit, os, runpy, shutil, signal, sys, threading
def watch_parent():
    # Raw reads: a buffered reader's lock would abort interpreter shutdown.
    while os.read(0, 4096):
        pass
    atexit.register(shutil.rmtree, os.getcwd(), True)
    os.kill(os.getpid(), signal.SIGTERM)
threading.Thread(target=watch_parent, daemon=True).start()
sys.argv = ['synapse.app.homeserver', '-c', sys.argv[1]]
runpy.run_module('synapse.app.homeserver', run_name='__main__', alter_sys=True)
`;

export async function startSynapse(options: StartSynapseOptions = {}): Promise<TestHomeserver> {
  const venvDir = await ensureSynapseVenv(options.venvDir);
  // Picking a free port and binding it later can race with another process; retry then.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(venvDir, options);
    } catch (error) {
      if (!(error instanceof PortTakenError) || options.port !== undefined || attempt >= 3) throw error;
    }
  }
}

class PortTakenError extends Error {}

async function startOnce(venvDir: string, options: StartSynapseOptions): Promise<TestHomeserver> {
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const serverName = `localhost:${port}`;
  const sharedSecret = randomBytes(24).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-synapse-'));
  const { configPath, logPath } = await writeSynapseConfig({
    dataDir,
    port,
    serverName,
    baseUrl,
    sharedSecret,
    ...(options.extraConfig ? { extraConfig: options.extraConfig } : {}),
  });

  // Startup errors (bad config, import failures) go to stdout/stderr, not the log file.
  const stdioPath = join(dataDir, 'stdio.log');
  const stdioFd = openSync(stdioPath, 'a');
  const child = spawn(venvPython(venvDir), ['-c', LAUNCHER, configPath], {
    cwd: dataDir,
    stdio: ['pipe', stdioFd, stdioFd],
  });
  closeSync(stdioFd);

  const removeData = (): void => rmSync(dataDir, { recursive: true, force: true });
  // Last resort when the process exits without stop(): kill synchronously and clean up.
  const onExit = (): void => {
    child.kill('SIGKILL');
    removeData();
  };
  process.on('exit', onExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await terminate(child);
      process.off('exit', onExit);
      removeData();
    })();
    return stopping;
  };

  try {
    await waitUntilServing(baseUrl, child, options.startupTimeoutMs ?? 60_000, [logPath, stdioPath]);
  } catch (error) {
    const portTaken = error instanceof Error && /address already in use/i.test(error.message);
    await stop();
    if (portTaken) throw new PortTakenError(error instanceof Error ? error.message : String(error));
    throw error;
  }
  return { baseUrl, serverName, sharedSecret, dataDir, stop };
}

async function waitUntilServing(
  baseUrl: string,
  child: ChildProcess,
  timeoutMs: number,
  logPaths: readonly string[],
): Promise<void> {
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exit ${code ?? signal}`;
  });
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => {});

  const deadline = Date.now() + timeoutMs;
  while (exited === undefined && Date.now() < deadline) {
    const ready = await Promise.race([versionsAnswers(baseUrl), spawnError]);
    if (ready) return;
    await delay(100);
  }
  const reason = exited
    ? `Synapse died during startup (${exited})`
    : `Synapse did not answer within ${timeoutMs} ms`;
  throw new Error(`${reason}; ${baseUrl}/_matrix/client/versions never answered.\n${logTail(logPaths)}`);
}

async function versionsAnswers(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/_matrix/client/versions`, {
      signal: AbortSignal.timeout(2_000),
    });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

function logTail(paths: readonly string[], lines = 30): string {
  return paths
    .filter((path) => existsSync(path))
    .map((path) => {
      const tail = readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      return `--- ${path} (last ${lines} lines) ---\n${tail || '(empty)'}`;
    })
    .join('\n');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

/** Registers a user through Synapse's shared-secret admin API (registration is otherwise closed). */
export async function registerUser(
  hs: HomeserverInfo,
  options: { localpart?: string; password?: string; admin?: boolean; displayName?: string } = {},
): Promise<RegisteredUser> {
  const localpart = options.localpart ?? `u-${randomBytes(6).toString('hex')}`;
  const password = options.password ?? randomBytes(18).toString('base64url');
  const admin = options.admin ?? false;
  const url = `${hs.baseUrl}/_synapse/admin/v1/register`;

  const nonceResponse = await fetch(url);
  const { nonce } = (await expectOk(nonceResponse, 'registration nonce')) as { nonce: string };
  const mac = createHmac('sha1', hs.sharedSecret)
    .update([nonce, localpart, password, admin ? 'admin' : 'notadmin'].join('\0'))
    .digest('hex');

  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      nonce,
      username: localpart,
      password,
      admin,
      mac,
      ...(options.displayName !== undefined ? { displayname: options.displayName } : {}),
    }),
  });
  const body = (await expectOk(response, `registering ${localpart}`)) as {
    user_id: string;
    access_token: string;
    device_id: string;
  };
  return {
    userId: body.user_id,
    localpart,
    password,
    accessToken: body.access_token,
    deviceId: body.device_id,
  };
}

async function expectOk(response: Response, what: string): Promise<unknown> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what} failed: HTTP ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as unknown;
}
