// The lower bound of any path: a bare WebSocket that only counts frames (no parsing, no decoding).
import { openSocket } from './wire.mjs';

export async function open(env) {
  const ws = await openSocket(env);
  ws.onmessage = () => env.frame();
}
