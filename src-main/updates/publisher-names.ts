// The Windows publisher names to check an update's Authenticode signature against. electron-builder
// writes them into resources/app-update.yml (`publisherName`) when it signs the build; an unsigned
// build has none, and then the update service stays off on Windows rather than let electron-updater
// install an installer it has not checked.
import { load, JSON_SCHEMA } from 'js-yaml';
import { z } from 'zod';

const appUpdateConfig = z.object({
  publisherName: z
    .union([z.string().min(1).max(200), z.array(z.string().min(1).max(200)).max(10)])
    .optional(),
});

/** The names in app-update.yml; an empty list when there are none or the file is not what we expect. */
export function publisherNamesFromAppUpdateYml(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = load(text, { schema: JSON_SCHEMA });
  } catch {
    return [];
  }
  const config = appUpdateConfig.safeParse(parsed);
  if (!config.success || config.data.publisherName === undefined) return [];
  const names = config.data.publisherName;
  return typeof names === 'string' ? [names] : names;
}
