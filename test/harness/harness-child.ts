// A harness in its own process, started by harness-process.ts. Its environment is the one the
// parent chose (for instance no reachable Secret Service), which native code then sees too.
import { startHarness, type Harness } from './server.ts';
import type { ChildMessage, ParentMessage } from './harness-process-wire.ts';

if (!process.send) throw new Error('harness-child.ts must be started with an IPC channel (fork)');

function send(message: ChildMessage): void {
  process.send?.(message);
}

let harness: Harness | null = null;

process.on('message', (message: ParentMessage) => {
  switch (message.kind) {
    case 'start':
      startHarness({
        ...message.options,
        onLog: (level, text) => send({ kind: 'log', level, message: text }),
        onBrowserOpen: (url) => send({ kind: 'browser-open', url }),
      }).then(
        (started) => {
          harness = started;
          send({ kind: 'started', url: started.url, origin: started.origin });
        },
        (error: unknown) => {
          send({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
          process.disconnect();
        },
      );
      break;
    case 'page-url':
      if (harness) send({ kind: 'page-url', id: message.id, url: harness.newPageUrl() });
      break;
    case 'stop':
      void (harness?.stop() ?? Promise.resolve()).finally(() => {
        send({ kind: 'stopped' });
        process.disconnect();
      });
      break;
  }
});

// The parent went away without asking to stop: stop anyway, so the engine closes its database.
process.on('disconnect', () => void harness?.stop());
