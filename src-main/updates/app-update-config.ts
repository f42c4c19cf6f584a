// What electron-builder writes into resources/app-update.yml that the update service needs:
// - Windows: the publisher names to check an update's Authenticode signature against
//   (`publisherName`, written when it signs the build). An unsigned build has none, and then the
//   update service stays off on Windows rather than let electron-updater install an installer it
//   has not checked.
// - Linux AppImage: the feed URL (`url`), where the update's detached signature is fetched from
//   unless the policy names another feed.
import { load, JSON_SCHEMA } from 'js-yaml';
import { z } from 'zod';

const appUpdateConfig = z.object({
  url: z.string().min(1).max(2000).optional(),
  publisherName: z
    .union([z.string().min(1).max(200), z.array(z.string().min(1).max(200)).max(10)])
    .optional(),
});

function parse(text: string): z.infer<typeof appUpdateConfig> | null {
  let parsed: unknown;
  try {
    parsed = load(text, { schema: JSON_SCHEMA });
  } catch {
    return null;
  }
  const config = appUpdateConfig.safeParse(parsed);
  return config.success ? config.data : null;
}

/** The names in app-update.yml; an empty list when there are none or the file is not what we expect. */
export function publisherNamesFromAppUpdateYml(text: string): string[] {
  const names = parse(text)?.publisherName;
  if (names === undefined) return [];
  return typeof names === 'string' ? [names] : names;
}

/** The generic provider's feed URL; null when missing, damaged or not https. */
export function feedUrlFromAppUpdateYml(text: string): string | null {
  const url = parse(text)?.url;
  if (url === undefined || !URL.canParse(url)) return null;
  return new URL(url).protocol === 'https:' ? url : null;
}
