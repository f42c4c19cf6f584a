// The room view against a stand-in engine (fake-engine.ts): exact control over what the engine
// says, so the renderer's own rules are tested — virtualization, sanitizing, send states,
// settings, soft logout, accessibility. room.spec.ts runs the same views against the real engine.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { TimelineItem } from '../../src-preload/contract.ts';
import {
  aliceId,
  callsTo,
  defaultSettings,
  emit,
  fakeDetails,
  fakeItem,
  fakeOrigin,
  fakeRoom,
  fakeSession,
  openWithFakeEngine,
  type FakeEngineState,
} from './fake-engine.ts';
import { expect, test } from './fixtures.ts';

const roomId = '!plans:tessera.test';

function engineState(items: TimelineItem[], overrides: Partial<FakeEngineState> = {}): FakeEngineState {
  const room = fakeRoom(roomId, 'Launch plans', { lastMessage: 'Bob: see you', notificationCount: 3 });
  const other = fakeRoom('!dm:tessera.test', 'Bob', {
    isDirect: true,
    isEncrypted: false,
    highlightCount: 1,
    notificationCount: 2,
    lastActivity: 1,
  });
  return {
    session: fakeSession(),
    rooms: [room, other],
    details: { [roomId]: fakeDetails(room), [other.roomId]: fakeDetails(other) },
    timelines: { [roomId]: items, [other.roomId]: [] },
    settings: defaultSettings(),
    failures: {},
    ...overrides,
  };
}

function history(count: number): TimelineItem[] {
  return Array.from({ length: count }, (_, index) => fakeItem(index));
}

async function openRoom(page: Page, name = 'Launch plans') {
  await page
    .getByRole('navigation', { name: 'Rooms' })
    .getByRole('listitem', { name })
    .getByRole('button')
    .click();
  await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
}

const feed = (page: Page) => page.getByRole('feed');

test('the room list shows previews, unread and mention badges, and markers', async ({ page }) => {
  await openWithFakeEngine(page, engineState(history(3)));
  const rooms = page.getByRole('navigation', { name: 'Rooms' });
  const plans = rooms.getByRole('listitem', { name: 'Launch plans' });
  await expect(plans).toContainText('Bob: see you');
  await expect(plans).toContainText('Encrypted');
  await expect(plans.getByRole('img', { name: '3 unread' })).toBeVisible();
  const dm = rooms.getByRole('listitem', { name: 'Bob' });
  await expect(dm).toContainText('Direct message');
  await expect(dm.getByRole('img', { name: '2 unread, 1 mention' })).toBeVisible();

  // Arrow keys move between rooms; Enter opens one.
  await plans.getByRole('button').focus();
  await page.keyboard.press('ArrowDown');
  await expect(dm.getByRole('button')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 2, name: 'Bob' })).toBeVisible();
  expect(await callsTo(page, 'timeline.open')).toEqual([{ roomId: '!dm:tessera.test', limit: 50 }]);

  // Another room closes the first one's timeline.
  await plans.getByRole('button').click();
  await expect(page.getByRole('heading', { level: 2, name: 'Launch plans' })).toBeVisible();
  expect(await callsTo(page, 'timeline.close')).toEqual([{ roomId: '!dm:tessera.test' }]);
});

test('an invite opens as a choice to join or decline', async ({ page }) => {
  const state = engineState(history(2));
  state.rooms.push(
    fakeRoom('!invite:tessera.test', 'Design review', { membership: 'invite', inviter: '@bob:tessera.test' }),
  );
  await openWithFakeEngine(page, state);
  await openRoom(page, 'Design review');
  await expect(page.getByText('@bob:tessera.test invited you to this room.')).toBeVisible();
  await page.getByRole('button', { name: 'Join' }).click();
  expect(await callsTo(page, 'rooms.join')).toEqual([{ roomIdOrAlias: '!invite:tessera.test' }]);
  expect(await callsTo(page, 'timeline.open')).toEqual([]);
});

test('a matrix: link opens a known room, and asks before joining an unknown one', async ({ page }) => {
  await openWithFakeEngine(
    page,
    engineState(history(2), {
      aliases: {
        '#elsewhere:tessera.test': {
          roomId: '!elsewhere:tessera.test',
          servers: ['tessera.test', 'other.test'],
        },
      },
    }),
  );
  await expect(page.getByRole('navigation', { name: 'Rooms' })).toBeVisible();

  const link = {
    kind: 'room',
    roomIdOrAlias: '#elsewhere:tessera.test',
    via: ['tessera.test'],
    action: 'join',
  };
  await emit(page, 'link.opened', link);
  const question = page.getByRole('alertdialog', { name: 'Join #elsewhere:tessera.test?' });
  await expect(question).toBeVisible();
  // Cancel has the focus: nothing is joined without the person's click.
  await page.keyboard.press('Enter');
  await expect(question).toBeHidden();
  expect(await callsTo(page, 'rooms.join')).toEqual([]);

  await emit(page, 'link.opened', link);
  await question.getByRole('button', { name: 'Join' }).click();
  await expect(question).toBeHidden();
  // Joined by the room id the alias resolved to, through the link's and the directory's servers.
  expect(await callsTo(page, 'rooms.join')).toEqual([
    { roomIdOrAlias: '!elsewhere:tessera.test', via: ['tessera.test', 'other.test'] },
  ]);

  // A room in the list opens at once.
  await emit(page, 'link.opened', { kind: 'room', roomIdOrAlias: '!dm:tessera.test', via: [] });
  await expect(page.getByRole('heading', { level: 2, name: 'Bob' })).toBeVisible();
  await expect(page.getByRole('alertdialog')).toBeHidden();
  expect(await callsTo(page, 'rooms.join')).toHaveLength(1);
});

test('ten thousand items stay virtualized, and scrolling up pages back through them', async ({ page }) => {
  await openWithFakeEngine(page, engineState(history(10_000)));
  await openRoom(page);
  await expect(page.getByRole('heading', { level: 2, name: 'Launch plans' })).toBeVisible();
  await expect(feed(page).getByText('Message number 9999')).toBeVisible();
  await expect(page.getByRole('list', { name: 'About this room' })).toContainText('Encrypted');
  await expect(page.getByText('Where the plans are made')).toBeVisible();

  // Older items arrive above the view: it stays near where it was (the virtualizer anchors by
  // estimated sizes, so within a screen), rather than jumping to the oldest item.
  await page.locator('.scroller').evaluate((element) => element.scrollTo({ top: 0 }));
  await expect.poll(async () => (await callsTo(page, 'timeline.back')).length).toBe(1);
  await expect(feed(page).getByText('Message number 9950', { exact: true })).toBeAttached();
  await expect(feed(page).getByText('Message number 9949', { exact: true })).toBeAttached();
  expect(await page.locator('.scroller').evaluate((element) => element.scrollTop)).toBeGreaterThan(1_000);

  for (let round = 1; round < 4; round++) {
    await page.locator('.scroller').evaluate((element) => element.scrollTo({ top: 0 }));
    await expect.poll(async () => (await callsTo(page, 'timeline.back')).length).toBeGreaterThan(round);
  }
  const backs = await callsTo(page, 'timeline.back');
  expect(backs[0]).toEqual({ roomId, before: '$event9950', limit: 50 });
  // Only the rows near the viewport are in the DOM.
  expect(await feed(page).getByRole('article').count()).toBeLessThan(80);
  // Scrolling down again returns to the newest message.
  await page.locator('.scroller').evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
  await expect(feed(page).getByText('Message number 9999')).toBeVisible();
});

test('a new message from someone else arrives at the bottom and is announced politely', async ({ page }) => {
  await openWithFakeEngine(page, engineState(history(30)));
  await openRoom(page);
  await expect(feed(page).getByText('Message number 29')).toBeVisible();
  await emit(page, 'timeline.changed', {
    roomId,
    upserted: [
      fakeItem(30, {
        content: {
          kind: 'message',
          msgtype: 'm.text',
          body: 'Fresh news',
          formattedBody: null,
          edited: false,
        },
      }),
    ],
    removed: [],
  });
  await expect(feed(page).getByText('Fresh news')).toBeInViewport();
  await expect(page.getByRole('log', { name: 'New messages' })).toHaveText('Bob: Fresh news');
  await expect.poll(() => callsTo(page, 'receipts.markRead')).toContainEqual({ roomId, eventId: '$event30' });
});

test('hostile HTML from a peer is sanitized: no script runs, no request leaves', async ({
  page,
  cspViolations,
}) => {
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  const hostile = fakeItem(1, {
    sender: '@bob:tessera.test',
    senderName: 'Bob',
    content: {
      kind: 'message',
      msgtype: 'm.text',
      body: 'plain fallback',
      formattedBody:
        '<p>Hello <strong>there</strong></p><script>window.__pwned = "script"</script>' +
        '<img src="https://attacker.test/pixel.png" onerror="window.__pwned = \'img\'">' +
        '<a href="javascript:window.__pwned=1">bad link</a> <a href="https://example.org/" target="_self">good link</a>' +
        '<span style="background:url(https://attacker.test/bg)">styled</span>' +
        '<mx-reply><blockquote>quoted fallback</blockquote></mx-reply>' +
        '<iframe src="https://attacker.test/frame"></iframe><svg><a href="javascript:1">svg</a></svg>',
      edited: false,
    },
  });
  await openWithFakeEngine(page, engineState([fakeItem(0), hostile]));
  await openRoom(page);
  const article = feed(page).getByRole('article').filter({ hasText: 'Hello' });
  await expect(article.locator('strong')).toHaveText('there');
  await expect(article.getByRole('link', { name: 'good link' })).toHaveAttribute('target', '_blank');
  await expect(article.getByRole('link', { name: 'good link' })).toHaveAttribute(
    'rel',
    'noopener noreferrer',
  );
  await expect(article.getByText('bad link')).not.toHaveAttribute('href');
  await expect(article.locator('.html').locator('script, img, iframe, svg, [style], [onerror]')).toHaveCount(
    0,
  );
  await expect(article).not.toContainText('quoted fallback');
  expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  expect(requests.filter((url) => !url.startsWith(fakeOrigin))).toEqual([]);
  // DOMPurify parses in an inert document that inherits the page's CSP, so Chromium reports the
  // inline handler and style it refused while parsing (nothing ran). Those reports, and only
  // those, are expected here.
  const parseTime = (report: { directive: string; sample: string }) =>
    report.directive === 'script-src-attr' ||
    report.directive === 'style-src-attr' ||
    (report.directive === 'console' && /inline event handler|Applying inline style/.test(report.sample));
  expect(cspViolations.some(parseTime)).toBe(true);
  const others = cspViolations.filter((report) => !parseTime(report));
  cspViolations.splice(0, cspViolations.length, ...others);
});

test('links in a plain-text message become links; other text and schemes stay text', async ({ page }) => {
  const plain = fakeItem(1, {
    sender: '@bob:tessera.test',
    senderName: 'Bob',
    content: {
      kind: 'message',
      msgtype: 'm.text',
      body: 'notes at https://example.org/notes?id=1 and javascript:alert(1) <b>not bold</b>',
      formattedBody: null,
      edited: false,
    },
  });
  await openWithFakeEngine(page, engineState([fakeItem(0), plain]));
  await openRoom(page);
  const article = feed(page).getByRole('article').filter({ hasText: 'notes at' });
  const link = article.getByRole('link', { name: 'https://example.org/notes?id=1' });
  await expect(link).toHaveAttribute('href', 'https://example.org/notes?id=1');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(article.getByRole('link')).toHaveCount(1);
  await expect(article.locator('.plain')).toHaveText(
    'notes at https://example.org/notes?id=1 and javascript:alert(1) <b>not bold</b>',
  );
  await expect(article.locator('.plain b')).toHaveCount(0);
});

test('an image message shows the image in its reserved size, or its name when it cannot load', async ({
  page,
}) => {
  const image = (index: number, body: string, thumbnailUrl: string) =>
    fakeItem(index, {
      sender: '@bob:tessera.test',
      senderName: 'Bob',
      content: {
        kind: 'message',
        msgtype: 'm.image',
        body,
        formattedBody: null,
        edited: false,
        image: { url: thumbnailUrl, thumbnailUrl, width: 1600, height: 1200 },
      },
    });
  // The stand-in page cannot answer tessera-media:// (main does that in the app), so one image is
  // a file of the page's own origin and the other one fails like a refused media request.
  await openWithFakeEngine(
    page,
    engineState([
      fakeItem(0),
      image(1, 'logo.svg', './favicon.svg'),
      image(2, 'holiday.jpg', 'tessera-media://event/%21plans%3Atessera.test/%24missing'),
    ]),
  );
  await openRoom(page);
  const shown = feed(page).getByRole('img', { name: 'logo.svg' });
  await expect(shown).toBeVisible();
  await expect(shown).toHaveAttribute('width', '320');
  await expect(shown).toHaveAttribute('height', '240');
  await expect
    .poll(() => shown.evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth))
    .toBeGreaterThan(0);
  await expect(feed(page).getByText('holiday.jpg (the image could not be shown)')).toBeVisible();
});

test('send, reply, edit, react and remove call the engine with the right event', async ({ page }) => {
  const mine = fakeItem(1);
  const bobs = fakeItem(2, {
    reactions: [
      { key: '👍', count: 2, ownEventId: '$myThumb', senders: [aliceId, '@bob:tessera.test'] },
      { key: '🎉', count: 1, ownEventId: null, senders: ['@bob:tessera.test'] },
    ],
  });
  await openWithFakeEngine(page, engineState([fakeItem(0), mine, bobs]));
  await openRoom(page);
  const composer = page.getByRole('textbox', { name: 'Message Launch plans' });

  // Enter sends; Shift+Enter is a new line.
  await composer.fill('first line');
  await composer.press('Shift+Enter');
  await composer.pressSequentially('second line');
  await composer.press('Enter');
  await expect(composer).toHaveValue('');
  expect(await callsTo(page, 'message.send')).toEqual([{ roomId, body: 'first line\nsecond line' }]);
  expect(await callsTo(page, 'typing.set')).toContainEqual({ roomId, typing: true });
  expect((await callsTo(page, 'typing.set')).at(-1)).toEqual({ roomId, typing: false });

  // Reply to Bob's message; Esc cancels, the button sets it again.
  const bobArticle = feed(page).getByRole('article').filter({ hasText: 'Message number 2' });
  await bobArticle.hover();
  await bobArticle.getByRole('button', { name: 'Reply' }).click();
  await expect(page.getByText('Replying to Bob')).toBeVisible();
  await expect(composer).toBeFocused();
  await composer.press('Escape');
  await expect(page.getByText('Replying to Bob')).toHaveCount(0);
  await bobArticle.getByRole('button', { name: 'Reply' }).click();
  await composer.fill('a reply');
  await composer.press('Enter');
  expect((await callsTo(page, 'message.send')).at(-1)).toEqual({
    roomId,
    body: 'a reply',
    replyTo: '$event2',
  });

  // Up on an empty composer edits our last message.
  await composer.press('ArrowUp');
  const editBox = page.getByRole('textbox', { name: 'Edit message' });
  await expect(editBox).toHaveValue('Message number 1');
  await editBox.fill('Message number 1, corrected');
  await editBox.press('Enter');
  expect(await callsTo(page, 'message.edit')).toEqual([
    { roomId, eventId: '$event1', body: 'Message number 1, corrected' },
  ]);

  // Our own reaction is removed; someone else's is joined.
  await bobArticle.getByRole('button', { name: /^👍 2/ }).click();
  expect(await callsTo(page, 'message.redact')).toEqual([{ roomId, eventId: '$myThumb' }]);
  await bobArticle.getByRole('button', { name: /^🎉 1/ }).click();
  expect(await callsTo(page, 'message.react')).toEqual([{ roomId, eventId: '$event2', key: '🎉' }]);

  // Removing a message asks first.
  const myArticle = feed(page).getByRole('article').filter({ hasText: 'Message number 1' });
  await myArticle.hover();
  await myArticle.getByRole('button', { name: 'Remove' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Remove this message?' });
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await confirm.getByRole('button', { name: 'Remove' }).click();
  await expect(confirm).toHaveCount(0);
  expect((await callsTo(page, 'message.redact')).at(-1)).toEqual({ roomId, eventId: '$event1' });
});

test('a local echo goes from sending to sent, and a failed one can be retried or cancelled', async ({
  page,
}) => {
  await openWithFakeEngine(page, engineState(history(3)));
  await openRoom(page);
  const echo = fakeItem(1_000_000, {
    key: 'txn:t1',
    eventId: null,
    transactionId: 't1',
    sender: aliceId,
    senderName: 'Alice',
    content: { kind: 'message', msgtype: 'm.text', body: 'on its way', formattedBody: null, edited: false },
    sendState: 'pending',
  });
  await emit(page, 'timeline.changed', { roomId, upserted: [echo], removed: [] });
  const pending = feed(page).getByRole('article').filter({ hasText: 'on its way' });
  await expect(pending).toContainText('Sending…');
  await emit(page, 'timeline.changed', {
    roomId,
    upserted: [{ ...echo, key: '$sent1', eventId: '$sent1', position: 3, sendState: 'sent' }],
    removed: ['txn:t1'],
  });
  await expect(pending.getByRole('img', { name: 'Sent', exact: true })).toBeVisible();
  await expect(pending).not.toContainText('Sending…');

  const failed = {
    ...echo,
    key: 'txn:t2',
    transactionId: 't2',
    position: 1_000_001,
    content: { kind: 'message', msgtype: 'm.text', body: 'refused one', formattedBody: null, edited: false },
    sendState: 'failed',
    sendError: { code: 'message_refused', message: 'The server refused the message.' },
  };
  await emit(page, 'timeline.changed', { roomId, upserted: [failed], removed: [] });
  const failedArticle = feed(page).getByRole('article').filter({ hasText: 'refused one' });
  await expect(failedArticle).toContainText('Not sent: The server refused the message.');
  await failedArticle.getByRole('button', { name: 'Retry' }).click();
  expect(await callsTo(page, 'message.retry')).toEqual([{ transactionId: 't2' }]);
  await failedArticle.getByRole('button', { name: 'Cancel' }).click();
  expect(await callsTo(page, 'message.cancel')).toEqual([{ transactionId: 't2' }]);
  await emit(page, 'timeline.changed', { roomId, upserted: [], removed: ['txn:t2'] });
  await expect(failedArticle).toHaveCount(0);
});

test('items show trust, decryption problems, edits, replies, receipts and typing', async ({ page }) => {
  const items = [
    fakeItem(0),
    fakeItem(1, {
      sender: '@bob:tessera.test',
      senderName: 'Bob',
      content: {
        kind: 'undecryptable',
        reason: 'missing_room_key',
        message: 'The key to this message has not arrived.',
        waitingForKey: true,
      },
      shield: { level: 'none', message: null },
    }),
    fakeItem(2, {
      shield: { level: 'insecure', message: 'The authenticity of this message cannot be guaranteed.' },
      content: {
        kind: 'message',
        msgtype: 'm.text',
        body: 'changed text',
        formattedBody: null,
        edited: true,
      },
      replyTo: {
        eventId: '$event0',
        sender: '@bob:tessera.test',
        senderName: 'Bob',
        preview: 'Message number 0',
      },
      readBy: ['@bob:tessera.test'],
      highlight: true,
    }),
    fakeItem(3, { content: { kind: 'state', text: 'Carol joined the room' } }),
    fakeItem(4, { content: { kind: 'redacted', reason: null } }),
  ];
  await openWithFakeEngine(page, engineState(items));
  await openRoom(page);
  await expect(feed(page).getByText('The key to this message has not arrived.')).toBeVisible();
  await expect(feed(page).getByText('Waiting for the key')).toBeVisible();
  const edited = feed(page).getByRole('article').filter({ hasText: 'changed text' });
  await expect(edited).toContainText('(edited)');
  await expect(
    edited.getByRole('img', { name: 'The authenticity of this message cannot be guaranteed.' }),
  ).toBeVisible();
  await expect(edited.getByRole('img', { name: 'Read by Bob' })).toBeVisible();
  await expect(edited).toContainText('Mentions you');
  await expect(feed(page).getByText('Carol joined the room')).toBeVisible();
  await expect(feed(page).getByText('Message deleted')).toBeVisible();
  await expect(
    feed(page)
      .getByRole('article')
      .first()
      .getByRole('img', { name: 'Sent by a device its owner has not verified.' }),
  ).toBeVisible();

  await edited.getByRole('button', { name: /In reply to Bob/ }).click();
  await expect(feed(page).locator('article[data-event-id="$event0"]')).toBeFocused();

  await emit(page, 'typing.changed', { roomId, userIds: ['@bob:tessera.test'] });
  await expect(page.getByText('Bob is typing…')).toBeVisible();
  await emit(page, 'typing.changed', { roomId, userIds: [] });
  await expect(page.getByText('Bob is typing…')).toHaveCount(0);
});

test('the composer says why it is disabled without permission to send', async ({ page }) => {
  const state = engineState(history(2));
  const details = state.details[roomId];
  if (!details) throw new Error('no details');
  details.power.canSendMessages = false;
  await openWithFakeEngine(page, state);
  await openRoom(page);
  await expect(page.getByRole('textbox', { name: 'Message Launch plans' })).toBeDisabled();
  await expect(page.getByText('You do not have permission to send messages in this room.')).toBeVisible();
});

test('settings save at once, and locked ones say who manages them', async ({ page }) => {
  await openWithFakeEngine(
    page,
    engineState(history(2), { settings: defaultSettings({ locked: ['shareKeysWithCrossSignedOnly'] }) }),
  );
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.getByRole('checkbox', { name: 'Let others see when I am typing' }).uncheck();
  await dialog.getByRole('radio', { name: /Private/ }).check();
  expect(await callsTo(page, 'settings.set')).toEqual([
    { sendTypingNotices: false },
    { readReceipts: 'private' },
  ]);
  await expect(dialog.getByRole('checkbox', { name: /Share message keys only/ })).toBeDisabled();
  await expect(dialog.getByText('Managed by your organization')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Settings' })).toBeFocused();
});

test('after a soft logout, the password signs the same device in again', async ({ page }) => {
  const state = engineState(history(2), {
    session: fakeSession({
      storage: { state: 'unavailable', error: { code: 'soft_logout', message: 'The session expired.' } },
    }),
    failures: { 'session.reauthenticate': { code: 'invalid_credentials', message: 'Wrong password.' } },
  });
  await openWithFakeEngine(page, state);
  await expect(page.getByRole('heading', { name: 'Sign in again' })).toBeVisible();
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Sign in again' }).click();
  await expect(page.getByRole('alert')).toHaveText('That password is not right. Check it and try again.');
  await expect(page.getByLabel('Password')).toHaveValue('');
  await page.evaluate(() => {
    (
      globalThis as unknown as { __fake: { state: { failures: Record<string, unknown> } } }
    ).__fake.state.failures = {};
  });
  await page.getByLabel('Password').fill('right');
  await page.getByRole('button', { name: 'Sign in again' }).click();
  await expect(page.getByRole('navigation', { name: 'Rooms' })).toBeVisible();
  expect(await callsTo(page, 'session.reauthenticate')).toEqual([
    { password: 'wrong' },
    { password: 'right' },
  ]);
});

test('the room view has no serious accessibility violations', async ({ page }) => {
  const items = history(20);
  items[5] = fakeItem(5, {
    reactions: [{ key: '👍', count: 1, ownEventId: null, senders: ['@bob:tessera.test'] }],
  });
  await openWithFakeEngine(page, engineState(items));
  await openRoom(page);
  await expect(feed(page).getByText('Message number 19')).toBeVisible();
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  // The dark palette too.
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await new AxeBuilder({ page }).analyze();
  expect(
    dark.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id),
  ).toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });

  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByRole('dialog', { name: 'Settings' }).getByRole('checkbox').first()).toBeVisible();
  const dialogResults = await new AxeBuilder({ page }).analyze();
  expect(
    dialogResults.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id),
  ).toEqual([]);
});
