// The renderer's Content Security Policy (DESIGN.md §1), sent as a response header by the
// app:// protocol and by the e2e harness, so both load the UI under the same rules.
// Media (images, video, audio) come only from tessera-media://, which main answers through the
// engine (media-protocol.ts); blob: stays for images the renderer makes itself.

const directives: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'none'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' blob: tessera-media:"],
  ['media-src', 'tessera-media:'],
  ['font-src', "'self'"],
  ['connect-src', "'none'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'"],
];

export const contentSecurityPolicy = directives.map(([name, value]) => `${name} ${value}`).join('; ');
