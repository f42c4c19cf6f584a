// Starts the main process against the fake electron with a recording engine, for the shell
// security tests.
import type { CommandName, InvokeOutcome } from '../../src-preload/contract.ts';
import { appPaths } from '../../src-main/app-paths.ts';
import type { MediaRequest, MediaResult } from '../../src-main/engine/media/media-request.ts';
import {
  startMainProcess,
  type ElectronMain,
  type EventSink,
  type RunningEngine,
} from '../../src-main/main-process.ts';
import type { EnginePolicy } from '../../src-main/engine/protocol.ts';
import { lockedPolicyKeys, type PolicyOutcome } from '../../src-main/policy/load-admin-policy.ts';
import type { AdminPolicy } from '../../src-main/policy/policy-schema.ts';
import { createFakeElectron, type FakeElectronOptions } from './fake-electron.ts';

export class RecordingEngine implements RunningEngine {
  readonly calls: Array<{ command: CommandName; args: unknown }> = [];
  readonly mediaRequests: MediaRequest[] = [];
  mediaResult: MediaResult = { ok: false, reason: 'not_found' };

  dispatch(command: CommandName, args: unknown): Promise<InvokeOutcome<never>> {
    this.calls.push({ command, args });
    return Promise.resolve({ ok: true, value: null as never });
  }

  fetchMedia(request: MediaRequest): Promise<MediaResult> {
    this.mediaRequests.push(request);
    return Promise.resolve(this.mediaResult);
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}

export const appRoot = '/opt/tessera';

/** What loadAdminPolicy answers for a machine policy that loaded without issues. */
export function loadedPolicy(policy: AdminPolicy, sources = ['/etc/tessera/policy.json']): PolicyOutcome {
  return {
    kind: 'loaded',
    policy,
    machine: policy,
    user: {},
    locked: lockedPolicyKeys(policy),
    issues: [],
    sources,
  };
}

export async function startShell(
  options: FakeElectronOptions & { policy?: AdminPolicy; engine?: RunningEngine } = {},
) {
  const electron = createFakeElectron({ appPath: appRoot, ...options });
  const engine = options.engine ?? new RecordingEngine();
  const logs: string[] = [];
  const enginePolicies: EnginePolicy[] = [];
  let engineEvents: EventSink | null = null;
  const process = startMainProcess(electron as unknown as ElectronMain, {
    paths: appPaths(appRoot, options.isPackaged ?? false),
    ...(options.policy ? { policy: Promise.resolve(loadedPolicy(options.policy)) } : {}),
    startEngine: (onEvent, policy) => {
      engineEvents = onEvent;
      enginePolicies.push(policy);
      return Promise.resolve(engine);
    },
    log: (level, line) => logs.push(`${level} ${line}`),
  });
  if (!process) throw new Error('expected the first instance to start');
  await electron.app.becomeReady();
  await process.ready;
  /** Plays the engine emitting an event, as the engine host would. */
  const emitFromEngine: EventSink = (name, payload) => {
    if (!engineEvents) throw new Error('the engine has not started');
    engineEvents(name, payload);
  };
  return { electron, engine, process, logs, enginePolicies, emitFromEngine };
}
