import { describe, expect, it } from 'vitest';
import { fitImage } from '../../../src-renderer/lib/image-fit.ts';

describe('the size an image takes', () => {
  it('scales a large image down into the box, keeping its shape', () => {
    expect(fitImage(1600, 1200)).toEqual({ width: 320, height: 240 });
    expect(fitImage(4000, 1000)).toEqual({ width: 320, height: 80 });
    expect(fitImage(300, 3000)).toEqual({ width: 24, height: 240 });
  });

  it('never scales a small image up', () => {
    expect(fitImage(100, 50)).toEqual({ width: 100, height: 50 });
  });

  it('reserves nothing without a size claim', () => {
    expect(fitImage(null, 100)).toBeNull();
    expect(fitImage(100, null)).toBeNull();
    expect(fitImage(0, 100)).toBeNull();
  });

  it('keeps a sliver at least one pixel wide', () => {
    expect(fitImage(1, 20_000)).toEqual({ width: 1, height: 240 });
  });
});
