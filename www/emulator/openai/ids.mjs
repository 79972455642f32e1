// OpenAI-style identifiers: `<prefix>_` + 21 random base62 characters
// (event_…, item_…, resp_…, sess_…, conv_…), `call_` + 16 for function calls.

import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomId(prefix, length = 21) {
  const bytes = randomBytes(length);
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[bytes[i] % ALPHABET.length];
  return `${prefix}_${s}`;
}

export const eventId = () => randomId('event');
export const itemId = () => randomId('item');
export const responseId = () => randomId('resp');
export const sessionId = () => randomId('sess');
export const conversationId = () => randomId('conv');
export const callId = () => randomId('call', 16);
