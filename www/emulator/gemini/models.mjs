// Gemini Live emulation — model catalogue.
//
// Owns: which `models/…` names the emulator serves over BidiGenerateContent and
// what each supports. Names follow the public Live models; anything else is
// refused like the real service does for a model it does not serve
// (1008 "<model> is not found for API version …"). Native-audio models only
// answer in AUDIO (TEXT closes 1007 "Cannot extract voices from a non-audio request.").

const KNOWN = new Map([
  ['gemini-live-2.5-flash-preview', { audioOnly: false }],
  ['gemini-live-2.5-flash', { audioOnly: false }],
  ['gemini-2.0-flash-live-001', { audioOnly: false }],
  ['gemini-2.0-flash-live-preview-04-09', { audioOnly: false }],
  ['gemini-2.0-flash-exp', { audioOnly: false }],
  ['gemini-3.1-flash-live-preview', { audioOnly: false }],
  ['gemini-2.5-flash-native-audio-preview-09-2025', { audioOnly: true }],
  ['gemini-2.5-flash-native-audio-preview-12-2025', { audioOnly: true }],
  ['gemini-2.5-flash-native-audio-latest', { audioOnly: true }],
  ['gemini-2.5-flash-preview-native-audio-dialog', { audioOnly: true }],
]);

/**
 * Look a setup `model` ("models/<id>") up. Returns `{ id, audioOnly }` or null
 * when the emulator (like the real service) does not serve it. Unlisted ids
 * that look like Live models (`…-live…`, `…native-audio…`) are served too, so
 * new public model names work without an emulator change.
 */
export function lookupModel(model) {
  const id = model.slice('models/'.length);
  if (KNOWN.has(id)) return { id, ...KNOWN.get(id) };
  if (/^gemini-[a-z0-9.-]*native-audio[a-z0-9.-]*$/.test(id)) return { id, audioOnly: true };
  if (/^gemini-[a-z0-9.-]*-live(-[a-z0-9.-]+)?$/.test(id)) return { id, audioOnly: false };
  return null;
}
