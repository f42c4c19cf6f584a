// Times and dates as the timeline shows them, in the person's locale.

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full' });

export function messageTime(timestamp: number): string {
  return timeFormat.format(timestamp);
}

export function messageDateTime(timestamp: number): string {
  return fullFormat.format(timestamp);
}

export function dayLabel(timestamp: number): string {
  return dayFormat.format(timestamp);
}
