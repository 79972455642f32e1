// Emulator credential registry.
//
// Owns: the tokens the emulator mints through `POST /token` and accepts on its
// WebSocket endpoints. Nothing else is accepted: the emulator is strict, like
// the real services, so an SDK that forgets or mangles the credential fails here.
//
//   mintToken(provider, { ttlMs?, uses? }) → { token, expiresAt: Date, uses }
//   consumeToken(provider, token, { consume = true }) → boolean
//       true when the token was minted for that provider, has not expired and
//       has a use left; a successful check uses one use unless consume is false.
//   resetTokens()  (tests)
//
// Lifetimes mirror the real credentials:
//   openai: `ek_…` client secret, default 600 s (the real default `expires_after`),
//           usable for any number of connections until it expires.
//   gemini: `auth_tokens/…`, single use (the real default `uses: 1`), default
//           30 min expiry (the real default `expireTime`).

import { randomBytes } from 'node:crypto';

const DEFAULTS = {
  openai: { ttlMs: 600_000, uses: Infinity, prefix: 'ek_emu_' },
  gemini: { ttlMs: 30 * 60_000, uses: 1, prefix: 'auth_tokens/emu-' },
};

const registry = new Map(); // token → { provider, expiresAt, usesLeft }

export const PROVIDERS = Object.keys(DEFAULTS);

export function mintToken(provider, { ttlMs, uses } = {}) {
  const d = DEFAULTS[provider];
  if (!d) throw new Error(`unknown provider ${provider}`);
  const token = d.prefix + randomBytes(18).toString('base64url');
  const expiresAt = new Date(Date.now() + (ttlMs ?? d.ttlMs));
  const usesLeft = uses === 0 ? Infinity : uses ?? d.uses; // 0 = unlimited, as on Gemini
  registry.set(token, { provider, expiresAt, usesLeft });
  // Forget expired tokens now and then so a long-running dev server stays small.
  if (registry.size > 1000) {
    const now = Date.now();
    for (const [k, v] of registry) if (v.expiresAt.getTime() <= now) registry.delete(k);
  }
  return { token, expiresAt, uses: usesLeft };
}

export function consumeToken(provider, token, { consume = true } = {}) {
  if (typeof token !== 'string') return false;
  const entry = registry.get(token);
  if (!entry || entry.provider !== provider) return false;
  if (entry.expiresAt.getTime() <= Date.now() || entry.usesLeft <= 0) return false;
  if (consume) {
    entry.usesLeft -= 1;
    if (entry.usesLeft <= 0) registry.delete(token);
  }
  return true;
}

export function resetTokens() {
  registry.clear();
}
