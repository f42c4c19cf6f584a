// better-sqlite3-multiple-ciphers ships typings, but its package.json "exports" hides them from
// NodeNext resolution. Its API is better-sqlite3's plus key()/rekey() (sqlite-driver.ts adds
// key() where it is used), so the maintained @types/better-sqlite3 describe it.
declare module 'better-sqlite3-multiple-ciphers' {
  import BetterSqlite3 from 'better-sqlite3';
  export = BetterSqlite3;
}
