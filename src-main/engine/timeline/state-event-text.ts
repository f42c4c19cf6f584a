// State events in plain words for the timeline ("Alice joined", "Bob changed the topic").
// Names come from the caller (the room's member names); a field of the wrong type is read as
// absent, so a malformed event still gets a sentence and never breaks the timeline.
import type { JsonObject } from '../store/json-column.ts';

export interface StateEventForText {
  type: string;
  stateKey: string | null;
  sender: string;
  content: JsonObject;
  /** The content this event replaced (unsigned.prev_content), when the server sent it. */
  prevContent: JsonObject | null;
}

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value : null;

/** The sentence for a state event, or null when its type is not one Tessera describes. */
export function stateEventText(event: StateEventForText, nameOf: (userId: string) => string): string | null {
  const who = nameOf(event.sender);
  const { content } = event;
  switch (event.type) {
    case 'm.room.member':
      return memberText(event, who, nameOf);
    case 'm.room.create':
      return `${who} created the room`;
    case 'm.room.name': {
      const name = text(content.name);
      return name ? `${who} changed the room name to “${name}”` : `${who} removed the room name`;
    }
    case 'm.room.topic': {
      const topic = text(content.topic);
      return topic ? `${who} changed the topic to “${topic}”` : `${who} removed the topic`;
    }
    case 'm.room.avatar':
      return text(content.url) ? `${who} changed the room avatar` : `${who} removed the room avatar`;
    case 'm.room.encryption':
      return `${who} turned on end-to-end encryption`;
    case 'm.room.canonical_alias': {
      const alias = text(content.alias);
      return alias ? `${who} set the room address to ${alias}` : `${who} changed the room addresses`;
    }
    case 'm.room.join_rules':
      return joinRuleText(who, text(content.join_rule));
    case 'm.room.history_visibility':
      return historyText(who, text(content.history_visibility));
    case 'm.room.guest_access':
      return content.guest_access === 'can_join'
        ? `${who} allowed guests to join`
        : `${who} stopped guests from joining`;
    case 'm.room.power_levels':
      return `${who} changed the power levels`;
    case 'm.room.server_acl':
      return `${who} changed the server access list`;
    case 'm.room.tombstone':
      return `${who} replaced this room with a new one`;
    case 'm.room.pinned_events':
      return `${who} changed the pinned messages`;
    case 'm.room.third_party_invite': {
      const name = text(content.display_name);
      return name ? `${who} invited ${name}` : `${who} sent an invitation`;
    }
    default:
      return null;
  }
}

function memberText(event: StateEventForText, who: string, nameOf: (userId: string) => string): string {
  const target = event.stateKey ?? '';
  const targetName = text(event.content.displayname) ?? nameOf(target);
  const membership = text(event.content.membership);
  const previous = text(event.prevContent?.membership);
  const reason = text(event.content.reason);
  const because = reason ? `: ${reason}` : '';
  const self = event.sender === target;
  switch (membership) {
    case 'join':
      if (previous === 'join') return memberProfileText(event, targetName);
      return `${targetName} joined`;
    case 'invite':
      return `${who} invited ${targetName}`;
    case 'knock':
      return `${targetName} asked to join${because}`;
    case 'ban':
      return `${who} banned ${targetName}${because}`;
    case 'leave':
      if (previous === 'ban') return `${who} unbanned ${targetName}`;
      if (self)
        return previous === 'invite'
          ? `${targetName} declined the invitation`
          : previous === 'knock'
            ? `${targetName} withdrew the request to join`
            : `${targetName} left`;
      if (previous === 'invite') return `${who} withdrew ${targetName}’s invitation${because}`;
      if (previous === 'knock') return `${who} declined ${targetName}’s request to join${because}`;
      return `${who} removed ${targetName}${because}`;
    default:
      return `${targetName}’s membership changed`;
  }
}

function memberProfileText(event: StateEventForText, targetName: string): string {
  const name = text(event.content.displayname);
  const oldName = text(event.prevContent?.displayname);
  const avatar = text(event.content.avatar_url);
  const oldAvatar = text(event.prevContent?.avatar_url);
  const target = event.stateKey ?? '';
  if (name !== oldName) {
    if (name && oldName) return `${oldName} changed their name to ${name}`;
    if (name) return `${target} set their name to ${name}`;
    return `${oldName ?? target} removed their name`;
  }
  if (avatar !== oldAvatar) return `${targetName} changed their avatar`;
  return `${targetName} updated their profile`;
}

function joinRuleText(who: string, rule: string | null): string {
  switch (rule) {
    case 'public':
      return `${who} made the room public`;
    case 'invite':
      return `${who} made the room invite only`;
    case 'knock':
      return `${who} let people ask to join`;
    case 'restricted':
    case 'knock_restricted':
      return `${who} let members of other rooms join`;
    default:
      return `${who} changed who can join`;
  }
}

function historyText(who: string, visibility: string | null): string {
  switch (visibility) {
    case 'world_readable':
      return `${who} made the history readable by anyone`;
    case 'shared':
      return `${who} made the history visible to all members`;
    case 'invited':
      return `${who} made the history visible to members from their invitation`;
    case 'joined':
      return `${who} made the history visible to members from when they joined`;
    default:
      return `${who} changed who can read the history`;
  }
}
