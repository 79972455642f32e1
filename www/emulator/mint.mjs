// `POST /token?provider=openai|gemini[&model=…]` — the credential a browser uses.
//
// Owns: choosing between a real provider credential and an emulator one, and
// the JSON answer `{ provider, token, url, expiresAt }` (`url` = the WebSocket
// URL to open; `expiresAt` = ISO 8601). The browser never sees an API key:
//   OPENAI_API_KEY set → POST https://api.openai.com/v1/realtime/client_secrets
//                        (expires_after 600 s, session {type:"realtime", model}) → `ek_…`,
//                        url wss://api.openai.com/v1/realtime?model=<model>
//   GEMINI_API_KEY set → POST https://generativelanguage.googleapis.com/v1alpha/auth_tokens
//                        (uses 1, expireTime +30 min, newSessionExpireTime +60 s) → `auth_tokens/…`,
//                        url wss://…/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained
//   otherwise          → an emulator token (tokens.mjs) and this server's own endpoint.

import { mintToken } from './tokens.mjs';

export const OPENAI_DEFAULT_MODEL = 'gpt-realtime';
export const GEMINI_DEFAULT_MODEL = 'models/gemini-live-2.5-flash-preview';
export const OPENAI_PATH = '/v1/realtime';
export const GEMINI_PATH = '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';
export const GEMINI_CONSTRAINED_PATH =
  '/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained';

export class MintError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * @param {object} o
 * @param {string} o.provider  "openai" | "gemini"
 * @param {string} [o.model]
 * @param {string} o.wsBase    this server's ws(s)://host:port
 * @param {object} [o.env]     process.env by default
 * @param {Function} [o.fetch] global fetch by default
 */
export async function mintCredential({ provider, model, wsBase, env = process.env, fetch: f = globalThis.fetch }) {
  if (provider === 'openai') {
    const m = model || OPENAI_DEFAULT_MODEL;
    if (env.OPENAI_API_KEY) {
      const res = await f('https://api.openai.com/v1/realtime/client_secrets', {
        method: 'POST',
        headers: { Authorization: `Bearer ${env.OPENAI_API_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ expires_after: { anchor: 'created_at', seconds: 600 }, session: { type: 'realtime', model: m } }),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok || typeof body.value !== 'string') {
        throw new MintError(502, `OpenAI refused to mint a client secret (HTTP ${res.status}): ${body?.error?.message ?? 'no detail'}`);
      }
      return {
        provider,
        token: body.value,
        url: `wss://api.openai.com/v1/realtime?model=${encodeURIComponent(m)}`,
        expiresAt: new Date(Number(body.expires_at) * 1000).toISOString(),
      };
    }
    const t = mintToken('openai');
    return { provider, token: t.token, url: `${wsBase}${OPENAI_PATH}?model=${encodeURIComponent(m)}`, expiresAt: t.expiresAt.toISOString() };
  }
  if (provider === 'gemini') {
    if (env.GEMINI_API_KEY) {
      const now = Date.now();
      const expireTime = new Date(now + 30 * 60_000).toISOString();
      const res = await f('https://generativelanguage.googleapis.com/v1alpha/auth_tokens', {
        method: 'POST',
        headers: { 'x-goog-api-key': env.GEMINI_API_KEY, 'Content-Type': 'application/json' },
        body: JSON.stringify({ uses: 1, expireTime, newSessionExpireTime: new Date(now + 60_000).toISOString() }),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok || typeof body.name !== 'string') {
        throw new MintError(502, `Gemini refused to mint an auth token (HTTP ${res.status}): ${body?.error?.message ?? 'no detail'}`);
      }
      return {
        provider,
        token: body.name,
        url: `wss://generativelanguage.googleapis.com${GEMINI_CONSTRAINED_PATH}`,
        expiresAt: body.expireTime ?? expireTime,
      };
    }
    const t = mintToken('gemini');
    return { provider, token: t.token, url: `${wsBase}${GEMINI_CONSTRAINED_PATH}`, expiresAt: t.expiresAt.toISOString() };
  }
  throw new MintError(400, 'provider must be "openai" or "gemini"');
}
