// The harness is test tooling, but it opens a socket to a real engine: check its locks.
import { WebSocket } from 'ws';
import { expect, test } from './fixtures.ts';

function tokenOf(pageUrl: string): string {
  return new URL(pageUrl).hash.replace('#token=', '');
}

/** Opens the bridge socket as a page would, sends `token`, and reports how it went. */
function presentToken(origin: string, token: string): Promise<{ ready: boolean; closeCode: number | null }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${origin.replace('http:', 'ws:')}/__harness/ws`, { origin });
    socket.on('open', () => socket.send(token));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { kind: string };
      if (message.kind === 'ready') {
        socket.close();
        resolve({ ready: true, closeCode: null });
      }
    });
    socket.on('close', (code) => resolve({ ready: false, closeCode: code }));
    socket.on('error', () => resolve({ ready: false, closeCode: null }));
  });
}

test('a page token opens one socket only, and only from the harness origin', async ({ harness }) => {
  const token = tokenOf(await harness.newPageUrl());
  expect(await presentToken(harness.origin, token)).toEqual({ ready: true, closeCode: null });
  expect(await presentToken(harness.origin, token)).toEqual({ ready: false, closeCode: 4401 });
  expect(await presentToken(harness.origin, 'A'.repeat(43))).toEqual({ ready: false, closeCode: 4401 });
  // Another origin is refused before any token is read.
  const fresh = tokenOf(await harness.newPageUrl());
  expect((await presentToken('http://localhost:1', fresh)).ready).toBe(false);
});

test('the harness serves only the built renderer', async ({ harness }) => {
  for (const path of ['/../package.json', '/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json']) {
    const response = await fetch(`${harness.origin}${path}`);
    expect(response.status, path).toBe(404);
  }
  const index = await fetch(`${harness.origin}/index.html`);
  expect(index.status).toBe(200);
  expect(await index.text()).toMatch(
    /<script src="\/__harness\/bridge\.js"><\/script>\s*<script type="module"/,
  );
});

test('the page bridge refuses names outside the contract and the router validates arguments', async ({
  page,
  openTessera,
}) => {
  await openTessera();
  await expect(page.getByRole('heading', { name: 'Sign in to Tessera' })).toBeVisible();
  const outcomes = await page.evaluate(async () => {
    // Runs in the page; typed loosely on purpose, to send what the contract forbids.
    const bridge = (
      globalThis as unknown as { tessera: { invoke(command: string, args: unknown): Promise<unknown> } }
    ).tessera;
    return [
      await bridge.invoke('shell.exec', {}),
      await bridge.invoke('session.login', {
        homeserver: 'example.org',
        user: 'alice',
        password: '',
        extra: 1,
      }),
      await bridge.invoke('session.get', {}),
    ];
  });
  expect(outcomes[0]).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
  expect(outcomes[1]).toMatchObject({ ok: false, error: { code: 'invalid_arguments' } });
  expect(outcomes[2]).toEqual({ ok: true, value: null });
});
