// The first fetch of a process loads most of Node's HTTP client (undici) synchronously: 100–400 ms
// on a busy 2-core machine. Warmed with a data: URL (no network) while the crypto module compiles
// off-thread, that cost leaves the path to the first sync request and to the first timeline read.
let warming: Promise<void> | undefined;

export function warmUpFetch(): Promise<void> {
  warming ??= fetch('data:,')
    .then((response) => response.arrayBuffer())
    .then(
      () => undefined,
      () => undefined,
    );
  return warming;
}
