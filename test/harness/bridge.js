// The e2e harness's stand-in for the preload: defines window.tessera = { invoke, on } with the
// preload's shape (InvokeOutcome envelopes, contract names only), carried over a loopback
// WebSocket that the page authenticates with the one-time token from its URL fragment.
// Plain JS served as-is; it runs before the app's module script. Test tooling only.
(() => {
  'use strict';

  const fragment = /^#token=([A-Za-z0-9_-]+)$/.exec(window.location.hash);
  // The token is single-use; take it out of the address bar and history at once.
  window.history.replaceState(null, '', window.location.pathname + window.location.search);

  const pending = new Map();
  const listeners = new Map();
  let nextId = 1;
  let contract = null;
  let socket = null;
  let closedMessage =
    'The connection to the Tessera test harness closed. Open a new page URL from the harness.';
  let settleReady;
  const ready = new Promise((resolve) => {
    settleReady = resolve;
  });

  const failure = (code, message) => ({ ok: false, error: { code, message } });

  function deliver(name, payload) {
    const set = listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (error) {
        console.error('A tessera event listener failed', error);
      }
    }
  }

  function onMessage(event) {
    if (typeof event.data !== 'string') return;
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.kind === 'ready') {
      contract = { commands: new Set(message.commands), events: new Set(message.events) };
      for (const name of listeners.keys()) {
        if (!contract.events.has(name)) {
          listeners.delete(name);
          console.error(`tessera.on: unknown event ${name}`);
        }
      }
      settleReady(true);
    } else if (message.kind === 'response') {
      const settle = pending.get(message.id);
      pending.delete(message.id);
      if (settle) settle(message.outcome);
    } else if (message.kind === 'event') {
      deliver(message.name, message.payload);
    }
  }

  function onClose() {
    settleReady(false);
    for (const settle of pending.values()) settle(failure('internal', closedMessage));
    pending.clear();
  }

  if (fragment) {
    socket = new WebSocket(`ws://${window.location.host}/__harness/ws`);
    socket.addEventListener('open', () => socket.send(fragment[1]));
    socket.addEventListener('message', onMessage);
    socket.addEventListener('close', onClose);
  } else {
    closedMessage = 'This page was opened without a harness token. Open the page URL the harness printed.';
    settleReady(false);
  }

  async function invoke(command, args) {
    const connected = await ready;
    if (!connected || !socket || socket.readyState !== WebSocket.OPEN)
      return failure('internal', closedMessage);
    if (typeof command !== 'string' || !contract.commands.has(command)) {
      return failure('unknown_command', 'Unknown command');
    }
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, command, args }));
    });
  }

  function on(event, listener) {
    if (typeof event !== 'string' || typeof listener !== 'function') {
      throw new TypeError('tessera.on(event, listener) needs an event name and a function');
    }
    if (contract && !contract.events.has(event)) throw new TypeError(`tessera.on: unknown event ${event}`);
    let set = listeners.get(event);
    if (!set) {
      set = new Set();
      listeners.set(event, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  Object.defineProperty(window, 'tessera', {
    value: Object.freeze({ invoke, on }),
    enumerable: true,
    configurable: false,
    writable: false,
  });
})();
