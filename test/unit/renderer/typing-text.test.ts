import { describe, expect, it } from 'vitest';
import { typingText } from '../../../src-renderer/lib/typing-text.ts';

const names: Record<string, string> = { '@alice:x': 'Alice', '@bob:x': 'Bob', '@carol:x': 'Carol' };
const nameOf = (id: string) => names[id] ?? id;

describe('typingText', () => {
  it('says who is typing in plain words', () => {
    expect(typingText([], nameOf)).toBe('');
    expect(typingText(['@alice:x'], nameOf)).toBe('Alice is typing…');
    expect(typingText(['@alice:x', '@bob:x'], nameOf)).toBe('Alice and Bob are typing…');
    expect(typingText(['@alice:x', '@bob:x', '@carol:x'], nameOf)).toBe('Alice, Bob and Carol are typing…');
    expect(typingText(['@alice:x', '@bob:x', '@carol:x', '@dan:x'], nameOf)).toBe(
      'Alice, Bob and 2 others are typing…',
    );
  });

  it('falls back to the user id for someone the timeline does not know', () => {
    expect(typingText(['@zed:x'], nameOf)).toBe('@zed:x is typing…');
  });
});
