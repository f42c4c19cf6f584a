// matrix: links in the renderer against a stand-in engine (fake-engine.ts): an alias of a room we
// are in opens it without a question, an alias nobody has says so, a link to a message opens the
// room at it (focused, announced, marked), a message that cannot be found is said politely, and
// a link to a message in a room we are not in asks to join first, then jumps.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { TimelineItem } from '../../src-preload/contract.ts';
import {
  callsTo,
  defaultSettings,
  emit,
  fakeDetails,
  fakeItem,
  fakeRoom,
  fakeSession,
  openWithFakeEngine,
  type FakeEngineState,
} from './fake-engine.ts';
import { expect, test } from './fixtures.ts';

const plansId = '!plans:tessera.test';
const plans = fakeRoom(plansId, 'Launch plans');
const square = fakeRoom('!square:tessera.test', 'Town square', { isEncrypted: false });

function history(count: number): TimelineItem[] {
  return Array.from({ length: count }, (_, index) => fakeItem(index));
}

function engineState(): FakeEngineState {
  return {
    session: fakeSession(),
    rooms: [plans],
    details: { [plansId]: fakeDetails(plans), [square.roomId]: fakeDetails(square) },
    timelines: { [plansId]: history(300), [square.roomId]: history(120) },
    settings: defaultSettings(),
    failures: {},
    aliases: {
      '#plans:tessera.test': { roomId: plansId, servers: ['tessera.test'] },
      '#square:tessera.test': { roomId: square.roomId, servers: ['tessera.test'] },
    },
  };
}

async function start(page: Page): Promise<void> {
  await openWithFakeEngine(page, engineState());
  await expect(page.getByRole('navigation', { name: 'Rooms' })).toBeVisible();
}

const message = (page: Page, eventId: string) => page.locator(`article[data-event-id="${eventId}"]`);

test('an alias of a room we are in opens it without asking', async ({ page }) => {
  await start(page);
  await emit(page, 'link.opened', { kind: 'room', roomIdOrAlias: '#plans:tessera.test', via: [] });
  await expect(page.getByRole('heading', { level: 2, name: 'Launch plans' })).toBeVisible();
  await expect(page.getByRole('alertdialog')).toBeHidden();
  expect(await callsTo(page, 'rooms.resolveAlias')).toEqual([{ alias: '#plans:tessera.test' }]);
  expect(await callsTo(page, 'rooms.join')).toEqual([]);
});

test('an alias nobody has is said plainly, and nothing is joined', async ({ page }) => {
  await start(page);
  await emit(page, 'link.opened', { kind: 'room', roomIdOrAlias: '#nowhere:tessera.test', via: [] });
  const dialog = page.getByRole('alertdialog', { name: 'This link cannot be opened' });
  await expect(dialog).toContainText('No room has the address #nowhere:tessera.test');
  await dialog.getByRole('button', { name: 'Try again' }).click();
  await expect.poll(() => callsTo(page, 'rooms.resolveAlias')).toHaveLength(2);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect(await callsTo(page, 'rooms.join')).toEqual([]);
});

test('a link to a message opens the room at it, focused and announced', async ({ page }) => {
  await start(page);
  await emit(page, 'link.opened', {
    kind: 'room',
    roomIdOrAlias: '#plans:tessera.test',
    eventId: '$event40',
    via: [],
  });
  await expect(page.getByRole('heading', { level: 2, name: 'Launch plans' })).toBeVisible();
  expect(await callsTo(page, 'timeline.open')).toEqual([
    { roomId: plansId, limit: 50, aroundEvent: '$event40' },
  ]);
  await expect(message(page, '$event40')).toBeFocused();
  await expect(message(page, '$event40')).toContainText('Message number 40');
  await expect(page.getByRole('status').filter({ hasText: 'Jumped to message' })).toBeAttached();
  // Not at the bottom: the way back to the newest is offered.
  await expect(page.getByRole('button', { name: 'Jump to newest' })).toBeVisible();
  const scan = await new AxeBuilder({ page }).include('.room').analyze();
  expect(scan.violations).toEqual([]);

  // A second link into the open room jumps again.
  await emit(page, 'link.opened', { kind: 'room', roomIdOrAlias: plansId, eventId: '$event250', via: [] });
  await expect(message(page, '$event250')).toBeFocused();
});

test('a message that cannot be found opens the room at the newest and says so', async ({ page }) => {
  await start(page);
  await emit(page, 'link.opened', { kind: 'room', roomIdOrAlias: plansId, eventId: '$gone', via: [] });
  await expect(page.getByText('That message could not be found.')).toBeVisible();
  await expect(page.getByRole('feed').getByText('Message number 299')).toBeVisible();
});

test('a link to a message in a room we are not in asks to join, then jumps', async ({ page }) => {
  await start(page);
  await emit(page, 'link.opened', {
    kind: 'room',
    roomIdOrAlias: '#square:tessera.test',
    eventId: '$event10',
    via: ['elsewhere.test'],
    action: 'join',
  });
  const question = page.getByRole('alertdialog', { name: 'Join #square:tessera.test?' });
  await expect(question).toContainText('a link to a message in a room you are not in');
  await question.getByRole('button', { name: 'Join' }).click();
  await expect(question).toBeHidden();
  expect(await callsTo(page, 'rooms.join')).toEqual([
    { roomIdOrAlias: square.roomId, via: ['elsewhere.test', 'tessera.test'] },
  ]);
  // The joined room arrives with the next room list; it opens at the message.
  await emit(page, 'rooms.changed', [plans, square]);
  await expect(page.getByRole('heading', { level: 2, name: 'Town square' })).toBeVisible();
  expect(await callsTo(page, 'timeline.open')).toEqual([
    { roomId: square.roomId, limit: 50, aroundEvent: '$event10' },
  ]);
  await expect(message(page, '$event10')).toBeFocused();
});
