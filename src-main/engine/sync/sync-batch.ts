// One sync response, whichever API produced it, reduced to what the room list needs.
// Both sync loops (v3 and Simplified Sliding Sync) translate into this shape, so the room
// model has one input and one set of tests.
import type { Membership } from '../../../src-preload/contract.ts';

export interface StateEventLite {
  type: string;
  stateKey: string;
  sender: string;
  content: Record<string, unknown>;
}

/** A timeline event as the timeline store keeps it (content as sent; decrypted later). */
export interface TimelineEventLite {
  eventId: string;
  sender: string;
  type: string;
  stateKey: string | null;
  originServerTs: number;
  content: Record<string, unknown>;
  unsigned: Record<string, unknown> | null;
}

export interface HeroLite {
  userId: string;
  displayName?: string | null;
}

/** A read receipt (public or private) on the main timeline; threaded ones are not kept. */
export interface ReceiptLite {
  eventId: string;
  userId: string;
  type: 'm.read' | 'm.read.private';
  /** When the receipt was sent (ms since the epoch); 0 when the server left it out. */
  ts: number;
}

/** A room's ephemeral events: receipts, and who is typing now (absent: unchanged). */
export interface EphemeralUpdate {
  receipts: ReceiptLite[];
  typing?: string[];
}

export interface RoomUpdate {
  roomId: string;
  /** Our membership as the response states it; undefined when the response leaves it unsaid. */
  membership?: Membership;
  /** The state in this update replaces what we knew (an invite's stripped state, a fresh room). */
  replaceState: boolean;
  /** State events, in order (state block first, then state events from the timeline). */
  state: StateEventLite[];
  heroes?: HeroLite[];
  joinedCount?: number;
  invitedCount?: number;
  notificationCount?: number;
  highlightCount?: number;
  /** The timeline events this update carried, oldest first. */
  timeline?: TimelineEventLite[];
  /** The server left out events before `timeline` (a gap); `prevBatch` fetches them. */
  limited?: boolean;
  prevBatch?: string;
  /** origin_server_ts of the newest event this update carried. */
  latestTimestamp?: number;
  /** A room name the server computed or copied from state (sliding sync's `name`). */
  serverName?: string | null;
  /** Receipts and typing, when the response carried any for this room. */
  ephemeral?: EphemeralUpdate;
}

/**
 * The end-to-end encryption part of a sync response, for the crypto layer (OlmMachine).
 * To-device events stay raw: the crypto layer decrypts them and must see them unchanged.
 */
export interface E2eeUpdate {
  /** Top-level to-device events, in the order the server sent them. */
  toDevice: unknown[];
  /** Users whose device lists changed, or who now share an encrypted room with us. */
  changedDevices: string[];
  /** Users who no longer share an encrypted room with us. */
  leftDevices: string[];
  /**
   * One-time keys left on the server per algorithm. For /v3/sync a missing algorithm means zero;
   * for sliding sync it means unchanged (the crypto layer is told which API produced the batch).
   */
  oneTimeKeyCounts: Record<string, number>;
  /** Algorithms of fallback keys the server still holds unused; undefined when the server did not say. */
  unusedFallbackKeys?: string[];
}

export interface SyncBatch {
  rooms: RoomUpdate[];
  /** The `m.direct` account data content when it changed. */
  direct?: Record<string, string[]>;
  /** Device lists, one-time key counts and to-device events, when the response carried them. */
  e2ee?: E2eeUpdate;
  /** Events that were skipped because they did not have the right shape (logged, never shown). */
  skippedEvents: number;
}
