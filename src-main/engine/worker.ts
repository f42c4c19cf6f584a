// The engine worker's entry: receives requests from EngineHost, answers with outcomes, and
// forwards engine events. Imports nothing from electron (DESIGN.md §5).
import { parentPort, workerData } from 'node:worker_threads';
import { Engine } from './engine.ts';
import type { EngineOptions, MainToWorker, WorkerToMain } from './protocol.ts';

if (!parentPort) throw new Error('The engine worker must run in a worker thread');
const port = parentPort;
const post = (message: WorkerToMain) => port.postMessage(message);

const engine = new Engine((workerData ?? {}) as EngineOptions, {
  emit: (name, payload) => post({ kind: 'event', name, payload } as WorkerToMain),
  log: (level, message) => post({ kind: 'log', level, message }),
});

port.on('message', (message: MainToWorker) => {
  if (message.kind === 'media') {
    void engine.fetchMedia(message.request).then((result) => post({ kind: 'media', id: message.id, result }));
    return;
  }
  if (message.kind === 'shutdown') {
    void engine.shutdown().finally(() => {
      post({ kind: 'closed' });
      port.close();
    });
    return;
  }
  void engine.handle(message.command, message.args).then((outcome) => {
    post({ kind: 'response', id: message.id, outcome });
  });
});

post({ kind: 'ready' });
// Opening the stored account may wait on the keychain; commands queue behind it.
void engine.start();
