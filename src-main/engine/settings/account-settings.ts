// The person's settings for one account: typed definitions with defaults, stored in the account
// database (settings table, keys `pref.*`), checked with zod on every read. A stored value of the
// wrong shape (another version, a damaged row) falls back to the default. Settings an
// organization's policy locks (issue 5) keep the policy's value and refuse changes.
import { z } from 'zod';
import type { SettingsView } from '../../../src-preload/contract.ts';
import { EngineError } from '../errors.ts';
import type { EngineLogLevel } from '../protocol.ts';
import type { SettingsStore } from '../store/settings-store.ts';

export interface SettingValues {
  sendTypingNotices: boolean;
  readReceipts: 'public' | 'private';
  /** MSC4153: share room keys only with devices their owner cross-signed. */
  shareKeysWithCrossSignedOnly: boolean;
  /** Message text in desktop notifications (the admin policy's notificationMessagePreviews). */
  notificationPreviews: boolean;
}

export type SettingName = keyof SettingValues;

interface Definition<V> {
  key: string;
  schema: z.ZodType<V>;
  fallback: V;
}

const definitions: { [N in SettingName]: Definition<SettingValues[N]> } = {
  sendTypingNotices: { key: 'pref.sendTypingNotices', schema: z.boolean(), fallback: true },
  readReceipts: { key: 'pref.readReceipts', schema: z.enum(['public', 'private']), fallback: 'public' },
  shareKeysWithCrossSignedOnly: {
    key: 'pref.shareKeysWithCrossSignedOnly',
    schema: z.boolean(),
    fallback: false,
  },
  notificationPreviews: { key: 'pref.notificationPreviews', schema: z.boolean(), fallback: true },
};

export const settingNames = Object.keys(definitions) as SettingName[];

/** The storage key of each setting (the settings table), for code that reads one directly. */
export const settingStorageKeys: { readonly [N in SettingName]: string } = {
  sendTypingNotices: definitions.sendTypingNotices.key,
  readReceipts: definitions.readReceipts.key,
  shareKeysWithCrossSignedOnly: definitions.shareKeysWithCrossSignedOnly.key,
  notificationPreviews: definitions.notificationPreviews.key,
};

type Log = (level: EngineLogLevel, message: string) => void;

/** One setting's stored value, or its default when absent or of the wrong shape (logged, no value). */
export function readSetting<N extends SettingName>(
  store: Pick<SettingsStore, 'get'>,
  name: N,
  log?: Log,
): SettingValues[N] {
  const definition = definitions[name] as Definition<SettingValues[N]>;
  let stored: unknown;
  try {
    stored = store.get(definition.key);
  } catch {
    log?.('warn', `settings: ${name} could not be read; using its default`);
    return definition.fallback;
  }
  if (stored === undefined) return definition.fallback;
  const parsed = definition.schema.safeParse(stored);
  if (parsed.success) return parsed.data;
  log?.('warn', `settings: the stored ${name} has the wrong shape; using its default`);
  return definition.fallback;
}

/** For the key-sharing code (MSC4153): whether room keys go only to cross-signed devices. */
export function shareKeysWithCrossSignedOnly(store: Pick<SettingsStore, 'get'>, log?: Log): boolean {
  return readSetting(store, 'shareKeysWithCrossSignedOnly', log);
}

export interface AccountSettingsOptions {
  store: Pick<SettingsStore, 'get' | 'set'>;
  /** Settings an organization's policy fixes, with the value it fixes them to (issue 5). */
  locked?: Partial<SettingValues>;
  /** Called with the new view after a change. */
  onChanged?(view: SettingsView): void;
  log?: Log;
}

export class AccountSettings {
  readonly #store: Pick<SettingsStore, 'get' | 'set'>;
  readonly #locked: Partial<SettingValues>;
  readonly #onChanged: ((view: SettingsView) => void) | undefined;
  readonly #log: Log | undefined;

  constructor(options: AccountSettingsOptions) {
    this.#store = options.store;
    this.#locked = { ...options.locked };
    this.#onChanged = options.onChanged;
    this.#log = options.log;
  }

  value<N extends SettingName>(name: N): SettingValues[N] {
    const locked = this.#locked[name];
    if (locked !== undefined) return locked as SettingValues[N];
    return readSetting(this.#store, name, this.#log);
  }

  view(): SettingsView {
    return {
      sendTypingNotices: this.value('sendTypingNotices'),
      readReceipts: this.value('readReceipts'),
      shareKeysWithCrossSignedOnly: this.value('shareKeysWithCrossSignedOnly'),
      notificationPreviews: this.value('notificationPreviews'),
      locked: settingNames.filter((name) => this.#locked[name] !== undefined),
    };
  }

  /**
   * Applies the given changes, all or none: a change to a locked setting refuses the whole call
   * (setting_locked). Emits the new view when anything changed.
   */
  set(changes: Partial<SettingValues>): SettingsView {
    const names = settingNames.filter((name) => changes[name] !== undefined);
    const locked = names.find((name) => this.#locked[name] !== undefined);
    if (locked !== undefined)
      throw new EngineError(
        'setting_locked',
        'This setting is set by your organization and cannot be changed',
        {
          field: locked,
        },
      );
    for (const name of names) {
      const value = definitions[name].schema.parse(changes[name]);
      this.#store.set(definitions[name].key, value);
    }
    const view = this.view();
    if (names.length > 0) this.#onChanged?.(view);
    return view;
  }
}
