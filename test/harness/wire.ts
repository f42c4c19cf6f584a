// Messages on the harness's bridge socket (test/harness/bridge.js speaks the page side).
// The page's first message is the bare one-time token; everything after is JSON.
import type { CommandName, EventName, InvokeOutcome } from '../../src-preload/contract.ts';

export interface PageRequest {
  id: number;
  command: unknown;
  args: unknown;
}

export type ServerMessage =
  | { kind: 'ready'; commands: readonly CommandName[]; events: readonly EventName[] }
  | { kind: 'response'; id: number; outcome: InvokeOutcome<unknown> }
  | { kind: 'event'; name: EventName; payload: unknown };

/** Close codes the page can tell apart. */
export const closeCodes = {
  unauthorized: 4401,
  badMessage: 4400,
  shuttingDown: 1001,
} as const;

/** Reads a request without trusting it: the router validates command and args after this. */
export function parsePageRequest(text: string): PageRequest | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  const id = record.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return null;
  return { id, command: record.command, args: record.args };
}
