// Messages between a test process and a harness it started in a child process
// (harness-process.ts speaks the parent side, harness-child.ts the child side).
import type { EngineLogLevel, EngineOptions } from '../../src-main/engine/protocol.ts';

/** Everything the child needs to start a harness; plain data, so it crosses the IPC channel. */
export interface ChildHarnessOptions {
  rendererDir: string;
  profileDir: string;
  engineOptions?: Omit<EngineOptions, 'profileDir'>;
  workerEnv?: Record<string, string>;
  workerUrl?: string;
}

export type ParentMessage =
  { kind: 'start'; options: ChildHarnessOptions } | { kind: 'page-url'; id: number } | { kind: 'stop' };

export type ChildMessage =
  | { kind: 'started'; url: string; origin: string }
  | { kind: 'failed'; message: string }
  | { kind: 'page-url'; id: number; url: string }
  | { kind: 'log'; level: EngineLogLevel; message: string }
  | { kind: 'browser-open'; url: string }
  | { kind: 'stopped' };
