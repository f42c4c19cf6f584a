// State events in words: membership changes told apart by the previous membership, profile
// changes, room settings; a malformed or unknown event still gets a sentence or null, never throws.
import { describe, expect, it } from 'vitest';
import {
  stateEventText,
  type StateEventForText,
} from '../../../src-main/engine/timeline/state-event-text.ts';

const names: Record<string, string> = { '@alice:x': 'Alice', '@bob:x': 'Bob' };
const nameOf = (userId: string) => names[userId] ?? userId;

function say(partial: Partial<StateEventForText> & { type: string }): string | null {
  return stateEventText(
    { stateKey: '', sender: '@alice:x', content: {}, prevContent: null, ...partial },
    nameOf,
  );
}

const member = (
  sender: string,
  target: string,
  membership: unknown,
  previous?: string,
  extra: Record<string, unknown> = {},
) =>
  say({
    type: 'm.room.member',
    sender,
    stateKey: target,
    content: { membership, ...extra },
    prevContent: previous ? { membership: previous } : null,
  });

describe('membership', () => {
  it('says who joined, left, was invited, removed, banned or unbanned', () => {
    expect(member('@bob:x', '@bob:x', 'join')).toBe('Bob joined');
    expect(member('@bob:x', '@bob:x', 'leave', 'join')).toBe('Bob left');
    expect(member('@alice:x', '@bob:x', 'invite')).toBe('Alice invited Bob');
    expect(member('@bob:x', '@bob:x', 'leave', 'invite')).toBe('Bob declined the invitation');
    expect(member('@alice:x', '@bob:x', 'leave', 'invite')).toBe('Alice withdrew Bob’s invitation');
    expect(member('@alice:x', '@bob:x', 'leave', 'join', { reason: 'rude' })).toBe('Alice removed Bob: rude');
    expect(member('@alice:x', '@bob:x', 'ban', 'join')).toBe('Alice banned Bob');
    expect(member('@alice:x', '@bob:x', 'leave', 'ban')).toBe('Alice unbanned Bob');
    expect(member('@carol:x', '@carol:x', 'knock')).toBe('@carol:x asked to join');
  });

  it('uses the display name the event sets, and describes profile changes', () => {
    expect(member('@carol:x', '@carol:x', 'join', undefined, { displayname: 'Carol' })).toBe('Carol joined');
    expect(
      say({
        type: 'm.room.member',
        sender: '@bob:x',
        stateKey: '@bob:x',
        content: { membership: 'join', displayname: 'Robert' },
        prevContent: { membership: 'join', displayname: 'Bob' },
      }),
    ).toBe('Bob changed their name to Robert');
    expect(
      say({
        type: 'm.room.member',
        sender: '@bob:x',
        stateKey: '@bob:x',
        content: { membership: 'join', avatar_url: 'mxc://x/new' },
        prevContent: { membership: 'join', avatar_url: 'mxc://x/old' },
      }),
    ).toBe('Bob changed their avatar');
  });

  it('survives a malformed membership', () => {
    expect(member('@bob:x', '@bob:x', 42)).toBe('Bob’s membership changed');
    expect(member('@bob:x', '@bob:x', { nested: true })).toBe('Bob’s membership changed');
  });
});

describe('room settings', () => {
  it('says what changed', () => {
    expect(say({ type: 'm.room.name', content: { name: 'Plans' } })).toBe(
      'Alice changed the room name to “Plans”',
    );
    expect(say({ type: 'm.room.name', content: {} })).toBe('Alice removed the room name');
    expect(say({ type: 'm.room.topic', content: { topic: 'Lunch' } })).toBe(
      'Alice changed the topic to “Lunch”',
    );
    expect(say({ type: 'm.room.avatar', content: { url: 'mxc://x/y' } })).toBe(
      'Alice changed the room avatar',
    );
    expect(say({ type: 'm.room.encryption', content: { algorithm: 'm.megolm.v1.aes-sha2' } })).toBe(
      'Alice turned on end-to-end encryption',
    );
    expect(say({ type: 'm.room.create', content: {} })).toBe('Alice created the room');
    expect(say({ type: 'm.room.join_rules', content: { join_rule: 'public' } })).toBe(
      'Alice made the room public',
    );
    expect(say({ type: 'm.room.history_visibility', content: { history_visibility: 'joined' } })).toBe(
      'Alice made the history visible to members from when they joined',
    );
    expect(say({ type: 'm.room.power_levels', content: {} })).toBe('Alice changed the power levels');
    expect(say({ type: 'm.room.name', content: { name: 7 } })).toBe('Alice removed the room name');
  });

  it('returns null for a type it does not describe', () => {
    expect(say({ type: 'org.example.custom', content: {} })).toBeNull();
  });
});
