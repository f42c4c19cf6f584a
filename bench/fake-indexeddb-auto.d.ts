// fake-indexeddb/auto installs the in-memory IndexedDB globals; it exports nothing.
declare module 'fake-indexeddb/auto';
