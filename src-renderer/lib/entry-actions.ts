// What a timeline item's buttons ask the room view to do.
import type { TimelineItem } from '../../src-preload/contract.ts';

export interface EntryActions {
  onReply: (item: TimelineItem) => void;
  onEdit: (item: TimelineItem) => void;
  onReact: (item: TimelineItem, key: string) => void;
  onRemove: (item: TimelineItem) => void;
  onRetry: (item: TimelineItem) => void;
  onCancel: (item: TimelineItem) => void;
  onJump: (eventId: string) => void;
}
