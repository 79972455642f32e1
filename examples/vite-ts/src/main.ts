// The app: connect to a provider, send text turns, show what comes back. The region below is the
// npm README's example, word for word (tests/types/readme-snippets.mjs checks it); the rest is this
// page's buttons.

// #region readme:vite-app
import init, { RealtimeClient, RealtimeError, defineTool, type Provider, type RealtimeSession } from "realtime-wasm";

// A tool the model may call: the handler receives the declared argument type.
const add = defineTool<{ a: number; b: number }>({
  name: "add",
  description: "Adds two numbers",
  parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
  handler: ({ a, b }) => a + b,
});

export async function talk(provider: Provider, show: (line: string) => void): Promise<RealtimeSession> {
  await init();
  const client = new RealtimeClient({
    provider, // "openai" or "gemini": the rest of the code stays the same
    // Your server mints a short-lived token (never ship an API key): { token, url? }.
    token: async () => (await fetch(`/token?provider=${provider}`, { method: "POST" })).json(),
  });
  const session = await client.connect({ instructions: "Be brief.", tools: [add] });
  session.on("outputAudioTranscriptionDone", (m) => show(`assistant: ${m.text}`));
  session.on("toolCallCompleted", (e) => show(`tool ${e.name} returned ${JSON.stringify(e.result)}`));
  session.on("playbackEnded", (e) => show(`played ${Math.round(e.playedMs)} ms of audio`));
  session.on("metrics", (m) => show(`first audio ${Math.round(m.inputToAudioMs ?? NaN)} ms after the input`));
  session.on("error", (m) => show(`error ${m.error.code ?? ""}: ${m.error.message}`));
  return session;
}

export async function say(session: RealtimeSession, text: string, show: (line: string) => void): Promise<void> {
  try {
    await session.sendText(text); // the reply plays; "call add {"a":2,"b":3}" makes the emulator call the tool
  } catch (e) {
    if (e instanceof RealtimeError) show(`not sent (${e.code}): ${e.message}`); // e.g. "session_closed"
    else throw e;
  }
}
// #endregion

const element = <T extends HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing`);
  return found as T;
};
const log = element<HTMLOListElement>("log");
const show = (line: string): void => {
  const entry = document.createElement("li");
  entry.textContent = line;
  log.append(entry);
};
const provider = element<HTMLSelectElement>("provider");
const fromQuery = new URLSearchParams(location.search).get("provider");
if (fromQuery === "openai" || fromQuery === "gemini") provider.value = fromQuery;
let session: RealtimeSession | undefined;

element<HTMLButtonElement>("connect").addEventListener("click", async () => {
  await session?.close();
  const chosen: Provider = provider.value === "gemini" ? "gemini" : "openai";
  session = await talk(chosen, show);
  show(`connected to ${session.provider}`);
  element<HTMLButtonElement>("send").disabled = false;
});
element<HTMLButtonElement>("send").addEventListener("click", () => {
  const text = element<HTMLInputElement>("text").value;
  show(`you: ${text}`);
  if (session) void say(session, text, show);
});
