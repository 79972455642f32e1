// Gemini Live emulation — usageMetadata.
//
// Owns: token accounting per modality and the `usageMetadata` object sent with
// `turnComplete` (PROTOCOLS §2.5). Like the real service, `promptTokenCount`
// is the whole context the model read for the turn (system instruction, tool
// declarations, conversation so far), `response*` what it produced, and the
// `…TokensDetails` lists break both down by modality. Rates: text ≈ 4 chars
// per token, audio 32 tokens per second (Gemini's documented audio rate).

export const AUDIO_TOKENS_PER_SECOND = 32;
export const textTokens = (text) => (text ? Math.max(1, Math.ceil(String(text).length / 4)) : 0);
export const audioTokens = (seconds) => Math.max(1, Math.round(seconds * AUDIO_TOKENS_PER_SECOND));

/** Running context counters by modality. */
export class TokenLedger {
  constructor(base = {}) {
    this.context = { TEXT: 0, AUDIO: 0, IMAGE: 0, VIDEO: 0, ...base };
  }

  add(modality, n) {
    this.context[modality] = (this.context[modality] ?? 0) + n;
  }

  snapshot() {
    return { ...this.context };
  }

  /**
   * Build the usageMetadata of a turn whose response produced `response`
   * (by modality), with `toolUse` tokens of function responses read; then
   * fold the response into the context.
   */
  usageFor(response, toolUse = 0) {
    const details = (m) =>
      Object.entries(m)
        .filter(([, n]) => n > 0)
        .map(([modality, tokenCount]) => ({ modality, tokenCount }));
    const prompt = details(this.context);
    const resp = details(response);
    const promptTokenCount = prompt.reduce((s, d) => s + d.tokenCount, 0);
    const responseTokenCount = resp.reduce((s, d) => s + d.tokenCount, 0);
    const usage = { promptTokenCount };
    if (responseTokenCount > 0) usage.responseTokenCount = responseTokenCount;
    if (toolUse > 0) usage.toolUsePromptTokenCount = toolUse;
    usage.totalTokenCount = promptTokenCount + responseTokenCount + toolUse;
    usage.promptTokensDetails = prompt;
    if (resp.length) usage.responseTokensDetails = resp;
    if (toolUse > 0) usage.toolUsePromptTokensDetails = [{ modality: 'TEXT', tokenCount: toolUse }];
    for (const [m, n] of Object.entries(response)) this.add(m, n);
    return usage;
  }
}
