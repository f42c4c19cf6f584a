// Reading and writing in a room through the UI, against the real engine and Synapse (issue 4).
// The renderer's own rules with exact engine answers are in room-ui.spec.ts.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, openIn, test } from './fixtures.ts';
import {
  openRoom,
  registerPeers,
  sendRaw,
  setTyping,
  signInAlice,
  startOlmBob,
  waitForDeviceKeys,
  watchSendStates,
} from './room-peers.ts';

const feed = (page: Page) => page.getByRole('feed');
const article = (page: Page, text: string) => feed(page).getByRole('article').filter({ hasText: text });
const composer = (page: Page, room: string) => page.getByRole('textbox', { name: `Message ${room}` });

test('an encrypted room: read, send, reply, edit, react, see a peer live and typing', async ({
  page,
  homeserver,
  openTessera,
}) => {
  test.setTimeout(180_000);
  const { alice, bob, aliceRaw } = await registerPeers(homeserver);
  const olmBob = await startOlmBob(homeserver, bob);
  try {
    const roomId = await olmBob.createEncryptedRoom({ name: 'Launch plans', invite: [alice.userId] });
    await aliceRaw.join(roomId);

    await openTessera();
    await signInAlice(page, homeserver, alice);
    // Tessera's device (besides the registration one) has published its keys: Bob can encrypt to it.
    await waitForDeviceKeys(homeserver, bob, alice.userId, 1);
    await olmBob.sendEncryptedText(roomId, 'The secret plan is ready', [alice.userId]);

    await openRoom(page, 'Launch plans');
    await expect(page.getByRole('list', { name: 'About this room' })).toContainText('Encrypted');
    await expect(page.getByRole('list', { name: 'About this room' })).toContainText('2 members');
    const secret = article(page, 'The secret plan is ready');
    await expect(secret).toBeVisible();
    await expect(secret).toContainText('Bob');

    // Send: pending, then sent, and Bob can decrypt it.
    const sendStates = await watchSendStates(page);
    await composer(page, 'Launch plans').fill('Count me in');
    await composer(page, 'Launch plans').press('Enter');
    const mine = article(page, 'Count me in');
    await expect(mine.getByRole('img', { name: 'Sent', exact: true })).toBeVisible();
    expect(await sendStates()).toEqual(expect.arrayContaining(['Sending…', 'Sent']));

    // A message from Bob arrives while the room is open.
    const mondayId = await olmBob.sendEncryptedText(roomId, 'Great, see you Monday', [alice.userId]);
    await expect(article(page, 'Great, see you Monday')).toBeVisible();

    // Bob is typing.
    await setTyping(homeserver, bob, roomId, true);
    await expect(page.getByText('Bob is typing…')).toBeVisible();
    await setTyping(homeserver, bob, roomId, false);
    await expect(page.getByText('Bob is typing…')).toHaveCount(0);

    // Reply to Bob.
    const monday = feed(page).locator(`article[data-event-id="${mondayId}"]`);
    await monday.hover();
    await monday.getByRole('button', { name: 'Reply' }).click();
    await expect(page.getByText('Replying to Bob')).toBeVisible();
    await composer(page, 'Launch plans').fill('Monday works');
    await composer(page, 'Launch plans').press('Enter');
    const reply = article(page, 'Monday works');
    await expect(reply.getByRole('button', { name: /In reply to Bob/ })).toBeVisible();
    await expect(reply.getByRole('img', { name: 'Sent', exact: true })).toBeVisible();

    // Edit our last message with the Up arrow.
    // Editable once its event is back from the server (the sent echo is replaced).
    const editBox = page.getByRole('textbox', { name: 'Edit message' });
    await expect(async () => {
      await composer(page, 'Launch plans').press('ArrowUp');
      await expect(editBox).toHaveValue('Monday works', { timeout: 1_000 });
    }).toPass();
    await editBox.fill('Monday morning works');
    await editBox.press('Enter');
    await expect(article(page, 'Monday morning works')).toContainText('(edited)');

    // React to Bob's message, then take the reaction back.
    await monday.hover();
    await monday.getByRole('button', { name: 'React' }).click();
    await monday.getByRole('button', { name: 'React with 👍' }).click();
    const thumb = monday.getByRole('button', { name: /^👍 1/ });
    await expect(thumb).toHaveAttribute('aria-pressed', 'true');
    await thumb.click();
    await expect(monday.getByRole('list', { name: 'Reactions' })).toHaveCount(0);

    const results = await new AxeBuilder({ page }).include('main').analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => v.id)).toEqual([]);
  } finally {
    olmBob.close();
  }
});

test('an unencrypted room: older messages load on scroll, peer HTML is sanitized, a refused message is cancelled', async ({
  page,
  homeserver,
  openTessera,
  cspViolations,
}) => {
  test.setTimeout(180_000);
  const { alice, bob, bobRaw, aliceRaw } = await registerPeers(homeserver);
  const roomId = await bobRaw.createRoom({ name: 'Archive', invite: [alice.userId], preset: 'private_chat' });
  await aliceRaw.join(roomId);
  for (let index = 0; index < 120; index++) await bobRaw.sendText(roomId, `Archive entry ${index}`);

  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await openTessera();
  await signInAlice(page, homeserver, alice);
  await openRoom(page, 'Archive');
  await expect(page.getByRole('list', { name: 'About this room' })).toContainText('Not encrypted');
  await expect(article(page, 'Archive entry 119')).toBeVisible();

  // Scrolling to the top pages back until the first message.
  await expect
    .poll(
      async () => {
        await page.locator('.scroller').evaluate((element) => element.scrollTo({ top: 0 }));
        return feed(page).getByText('Archive entry 0', { exact: true }).count();
      },
      { timeout: 60_000, intervals: [500] },
    )
    .toBe(1);

  // Back at the bottom, where new messages show.
  await page.locator('.scroller').evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
  await expect(article(page, 'Archive entry 119')).toBeVisible();

  // Hostile HTML from Bob: shown sanitized, nothing runs, nothing is fetched.
  await sendRaw(homeserver, bob, roomId, 'm.room.message', {
    msgtype: 'm.text',
    body: 'Hello there',
    format: 'org.matrix.custom.html',
    formatted_body:
      '<p>Hello <em>there</em></p><script>window.__pwned = 1</script>' +
      '<img src="https://attacker.test/pixel.png" onerror="window.__pwned = 2">' +
      '<a href="javascript:window.__pwned = 3">click</a>',
  });
  const hello = article(page, 'Hello there');
  await expect(hello.locator('em')).toHaveText('there');
  await expect(hello.locator('.html').locator('script, img, [onerror]')).toHaveCount(0);
  await expect(hello.getByText('click')).not.toHaveAttribute('href');
  expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  const origin = new URL(page.url()).origin;
  expect(requests.filter((url) => !url.startsWith(origin) && !url.startsWith('ws:'))).toEqual([]);
  // Parsing the hostile HTML in an inert document reports the inline handler the CSP refused.
  const parseTime = (report: { directive: string; sample: string }) =>
    report.directive === 'script-src-attr' ||
    (report.directive === 'console' && /inline event handler/.test(report.sample));
  cspViolations.splice(0, cspViolations.length, ...cspViolations.filter((report) => !parseTime(report)));

  // A message too large for the server fails for good; Cancel drops it.
  const tooLarge = 'é'.repeat(40_000);
  await composer(page, 'Archive').fill(tooLarge);
  await composer(page, 'Archive').press('Enter');
  const failed = feed(page)
    .getByRole('article')
    .filter({ hasText: /Not sent/ });
  await expect(failed).toBeVisible({ timeout: 30_000 });
  await failed.getByRole('button', { name: 'Cancel' }).click();
  await expect(failed).toHaveCount(0);
});

test('settings persist across a restart', async ({ page, homeserver, startTessera }) => {
  const { alice } = await registerPeers(homeserver);
  const first = await startTessera();
  await openIn(page, first);
  await signInAlice(page, homeserver, alice);
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  const typing = dialog.getByRole('checkbox', { name: 'Let others see when I am typing' });
  await expect(typing).toBeChecked();
  await typing.uncheck();
  await dialog.getByRole('radio', { name: /Private/ }).check();
  await expect(dialog.getByRole('radio', { name: /Private/ })).toBeChecked();
  await expect(typing).not.toBeChecked();
  await first.stop();

  const second = await startTessera();
  await openIn(page, second);
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(dialog.getByRole('checkbox', { name: 'Let others see when I am typing' })).not.toBeChecked();
  await expect(dialog.getByRole('radio', { name: /Private/ })).toBeChecked();
});
