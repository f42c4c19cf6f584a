// Starts a harness (server.ts) in a child process, so it can run with its own environment.
// The OS keychain library reads the process environment from native code, which a worker's
// `env` cannot change; a test that needs "no Secret Service" runs its harness this way with
// DBUS_SESSION_BUS_ADDRESS pointing nowhere, as a person without a keyring would.
import { fork, type ChildProcess } from 'node:child_process';
import type { EngineLogLevel } from '../../src-main/engine/protocol.ts';
import type { ChildHarnessOptions, ChildMessage, ParentMessage } from './harness-process-wire.ts';

export interface HarnessProcessOptions extends ChildHarnessOptions {
  onLog?: (level: EngineLogLevel, message: string) => void;
  /** A single sign-on page the engine asked main to open (see HarnessOptions.onBrowserOpen). */
  onBrowserOpen?: (url: string) => void;
}

export interface HarnessProcess {
  /** The page URL for the first page load (carries a fresh one-time token). */
  url: string;
  origin: string;
  /** A page URL with a new token; each page load needs its own. */
  newPageUrl(): Promise<string>;
  /** Stops the engine (closing its database) and the process; the profile folder stays. */
  stop(): Promise<void>;
}

const childEntry = new URL('./harness-child.ts', import.meta.url);
const stopGraceMs = 10_000;

function defaultLog(level: EngineLogLevel, message: string): void {
  if (level === 'warn' || level === 'error') process.stderr.write(`[harness ${level}] ${message}\n`);
}

export async function startHarnessProcess(options: HarnessProcessOptions): Promise<HarnessProcess> {
  const { onLog = defaultLog, onBrowserOpen, ...childOptions } = options;
  const child = fork(childEntry, [], {
    env: { ...process.env, ...options.workerEnv },
    // The caller's own flags (a test runner's loaders) are not for this process.
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pageUrls = new Map<number, (url: string) => void>();
  let nextId = 1;

  const send = (message: ParentMessage) => {
    if (child.connected) child.send(message);
  };

  const started = new Promise<{ url: string; origin: string }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`The harness process exited during start (code ${code})`)));
    child.on('message', (message: ChildMessage) => {
      switch (message.kind) {
        case 'started':
          resolve({ url: message.url, origin: message.origin });
          break;
        case 'failed':
          reject(new Error(`The harness did not start: ${message.message}`));
          break;
        case 'page-url':
          pageUrls.get(message.id)?.(message.url);
          pageUrls.delete(message.id);
          break;
        case 'log':
          onLog(message.level, message.message);
          break;
        case 'browser-open':
          onBrowserOpen?.(message.url);
          break;
        case 'stopped':
          break;
      }
    });
  });
  send({ kind: 'start', options: childOptions });
  const { url, origin } = await started.catch(async (error: unknown) => {
    await stopChild(child, exited);
    throw error;
  });

  let stopping: Promise<void> | null = null;
  return {
    url,
    origin,
    newPageUrl() {
      if (!child.connected) return Promise.reject(new Error('The harness process has stopped'));
      const id = nextId++;
      return new Promise((resolve) => {
        pageUrls.set(id, resolve);
        send({ kind: 'page-url', id });
      });
    },
    stop: () => (stopping ??= stopChild(child, exited)),
  };
}

/** Asks the child to stop its engine and exit; kills it if it does not within the grace period. */
async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (child.connected) child.send({ kind: 'stop' } satisfies ParentMessage);
  const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
  await exited;
  clearTimeout(timer);
}
