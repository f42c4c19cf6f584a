// Polls `probe` every 100 ms until it returns something other than undefined (tests against a
// real homeserver wait for sync; no timing is asserted, only an upper bound to give up at).
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  tries = 300,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}
