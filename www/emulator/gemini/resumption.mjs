// Gemini Live emulation — session resumption handles.
//
// Owns: the process-wide store behind `sessionResumptionUpdate.newHandle`.
// A handle names a snapshot of a conversation (history, token context, model);
// a new connection whose `setup.sessionResumption.handle` names a live handle
// continues that conversation. Handles stay valid for 2 hours (the documented
// lifetime of resumption tokens); an unknown or expired one is refused with
// 1008 "Requested entity was not found." Resuming does not need the same
// socket, nor does it consume an ephemeral token use.

import { randomBytes } from 'node:crypto';

const TTL_MS = 2 * 60 * 60 * 1000;
const store = new Map();

function sweep(now) {
  for (const [h, s] of store) if (s.expiresAt <= now) store.delete(h);
}

/** Save a snapshot; returns its new handle. */
export function saveSnapshot(snapshot, now = Date.now()) {
  sweep(now);
  const handle = `emu-resume-${randomBytes(12).toString('hex')}`;
  store.set(handle, { snapshot: structuredClone(snapshot), expiresAt: now + TTL_MS });
  return handle;
}

/** Load a snapshot by handle, or null when unknown/expired. */
export function loadSnapshot(handle, now = Date.now()) {
  sweep(now);
  const entry = store.get(handle);
  return entry ? structuredClone(entry.snapshot) : null;
}

export function forgetAllSnapshots() {
  store.clear();
}
