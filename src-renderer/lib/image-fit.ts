// The size an image takes in the timeline: the sender's claimed size scaled down (never up) to
// fit the box, so the row has its height before the image loads (the list is virtualized and
// measures rows). Without a claim, CSS limits the image once it has loaded.
export const imageBox = { width: 320, height: 240 } as const;

export function fitImage(
  width: number | null,
  height: number | null,
  box: { width: number; height: number } = imageBox,
): { width: number; height: number } | null {
  if (width === null || height === null || width <= 0 || height <= 0) return null;
  const scale = Math.min(1, box.width / width, box.height / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
