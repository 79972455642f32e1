// The page's script, a plain ES module (type-checked with `tsc --checkJs --strict`, JSDoc types).
// The region below is the npm README's example, word for word (tests/types/readme-snippets.mjs
// checks it); the rest is this page's buttons.

// #region readme:plain-app
import init, { RealtimeClient, defineTool } from "./node_modules/realtime-wasm/realtime_wasm.js";

// A tool the model may call (in plain JS the argument type is a JSDoc annotation).
const add = defineTool({
  name: "add",
  description: "Adds two numbers",
  parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
  handler: (/** @type {{ a: number, b: number }} */ { a, b }) => a + b,
});

/**
 * @param {"openai" | "gemini"} provider
 * @param {(line: string) => void} show
 */
export async function talk(provider, show) {
  await init(); // fetches realtime_wasm_bg.wasm from beside the module
  const client = new RealtimeClient({
    provider,
    token: async () => (await fetch(`/token?provider=${provider}`, { method: "POST" })).json(),
  });
  const session = await client.connect({ instructions: "Be brief.", tools: [add] });
  session.on("outputAudioTranscriptionDone", (m) => show(`assistant: ${m.text}`));
  session.on("toolCallCompleted", (e) => show(`tool ${e.name} returned ${JSON.stringify(e.result)}`));
  session.on("playbackEnded", (e) => show(`played ${Math.round(e.playedMs)} ms of audio`));
  session.on("error", (m) => show(`error ${m.error.code ?? ""}: ${m.error.message}`));
  return session;
}
// #endregion

/** @param {string} id */
const element = (id) => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing`);
  return found;
};
const log = element("log");
/** @param {string} line */
const show = (line) => {
  const entry = document.createElement("li");
  entry.textContent = line;
  log.append(entry);
};
const provider = /** @type {HTMLSelectElement} */ (element("provider"));
const fromQuery = new URLSearchParams(location.search).get("provider");
if (fromQuery === "openai" || fromQuery === "gemini") provider.value = fromQuery;
/** @type {import("./node_modules/realtime-wasm/realtime_wasm.js").RealtimeSession | undefined} */
let session;

element("connect").addEventListener("click", async () => {
  await session?.close();
  session = await talk(provider.value === "gemini" ? "gemini" : "openai", show);
  show(`connected to ${session.provider}`);
  /** @type {HTMLButtonElement} */ (element("send")).disabled = false;
});
element("send").addEventListener("click", () => {
  const text = /** @type {HTMLInputElement} */ (element("text")).value;
  show(`you: ${text}`);
  session?.sendText(text).catch((e) => show(`not sent: ${e.message}`));
});
