// The settings registry: defaults, stored values checked on read (a corrupt one falls back and is
// logged without its value), locked settings refused, and a change announced.
import { describe, expect, it } from 'vitest';
import type { SettingsView } from '../../../src-preload/contract.ts';
import {
  AccountSettings,
  shareKeysWithCrossSignedOnly,
} from '../../../src-main/engine/settings/account-settings.ts';

function memoryStore(initial: Record<string, unknown> = {}) {
  const values = new Map(Object.entries(initial));
  return {
    get: (key: string) => values.get(key),
    set: (key: string, value: unknown) => void values.set(key, value),
    values,
  };
}

describe('AccountSettings', () => {
  it('gives the defaults when nothing is stored', () => {
    expect(new AccountSettings({ store: memoryStore() }).view()).toEqual({
      sendTypingNotices: true,
      readReceipts: 'public',
      shareKeysWithCrossSignedOnly: false,
      notificationPreviews: true,
      locked: [],
    });
  });

  it('keeps notificationPreviews fixed when the policy locks it', () => {
    const store = memoryStore();
    store.values.set('pref.notificationPreviews', true);
    const settings = new AccountSettings({ store, locked: { notificationPreviews: false } });
    expect(settings.value('notificationPreviews')).toBe(false);
    expect(settings.view()).toMatchObject({ notificationPreviews: false, locked: ['notificationPreviews'] });
    expect(() => settings.set({ notificationPreviews: true })).toThrow(/organization/);
  });

  it('stores changes under their keys and announces them', () => {
    const store = memoryStore();
    const announced: SettingsView[] = [];
    const settings = new AccountSettings({ store, onChanged: (view) => announced.push(view) });
    const view = settings.set({ readReceipts: 'private', sendTypingNotices: false });
    expect(view).toMatchObject({ readReceipts: 'private', sendTypingNotices: false });
    expect(store.values.get('pref.readReceipts')).toBe('private');
    expect(store.values.get('pref.sendTypingNotices')).toBe(false);
    expect(announced).toEqual([view]);
    settings.set({});
    expect(announced).toHaveLength(1);
    expect(shareKeysWithCrossSignedOnly(store)).toBe(false);
    settings.set({ shareKeysWithCrossSignedOnly: true });
    expect(shareKeysWithCrossSignedOnly(store)).toBe(true);
  });

  it('falls back to the default for a stored value of the wrong shape, logging no value', () => {
    const logs: string[] = [];
    const store = memoryStore({ 'pref.readReceipts': 'secret-shape', 'pref.sendTypingNotices': 'yes' });
    const settings = new AccountSettings({ store, log: (_level, message) => logs.push(message) });
    expect(settings.view()).toMatchObject({ readReceipts: 'public', sendTypingNotices: true });
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain('secret-shape');
  });

  it('keeps a locked setting at the policy value and refuses to change it', () => {
    const store = memoryStore({ 'pref.readReceipts': 'public' });
    const settings = new AccountSettings({ store, locked: { readReceipts: 'private' } });
    expect(settings.view()).toMatchObject({ readReceipts: 'private', locked: ['readReceipts'] });
    expect(() => settings.set({ readReceipts: 'public', sendTypingNotices: false })).toThrow(
      expect.objectContaining({ code: 'setting_locked' }),
    );
    // All or nothing: the unlocked change in the same call was not applied either.
    expect(settings.value('sendTypingNotices')).toBe(true);
  });
});
