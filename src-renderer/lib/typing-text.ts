// "Alice is typing…" from the users typing now, with names where the timeline knows them.

export function typingText(userIds: readonly string[], nameOf: (userId: string) => string): string {
  const names = userIds.map(nameOf);
  const [first, second, third] = names;
  if (first === undefined) return '';
  if (second === undefined) return `${first} is typing…`;
  if (third === undefined) return `${first} and ${second} are typing…`;
  if (names.length === 3) return `${first}, ${second} and ${third} are typing…`;
  return `${first}, ${second} and ${names.length - 2} others are typing…`;
}
