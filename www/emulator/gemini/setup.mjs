// Gemini Live emulation — the `setup` message.
//
// Owns: semantic validation of BidiGenerateContentSetup (after the field-level
// schema check of schema.mjs) and its reduction to the effective session
// config the rest of the emulator reads. Failures are GeminiClose errors with
// the real service's codes: 1007 for an invalid argument, 1008 for a model it
// does not serve. Config is fixed for the life of the connection (PROTOCOLS §2.2).

import { invalidArgument, modelNotFound, nonAudioOnAudioOnlyModel } from './errors.mjs';
import { lookupModel } from './models.mjs';

const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;

/**
 * VAD defaults per sensitivity. The real values are not published; the HIGH
 * threshold is set so that the real recorded microphone audio of the fixtures
 * (speech ≈ -31 dBFS over a -50…-57 dBFS room) is segmented like the service did.
 */
export const VAD_DEFAULTS = {
  START_SENSITIVITY_HIGH: { thresholdDbfs: -40, prefixPaddingMs: 80 },
  START_SENSITIVITY_LOW: { thresholdDbfs: -32, prefixPaddingMs: 160 },
  END_SENSITIVITY_HIGH: { silenceDurationMs: 500 },
  END_SENSITIVITY_LOW: { silenceDurationMs: 1000 },
};

/**
 * @param {object} setup normalised setup (schema.mjs)
 * @param {{apiVersion: string}} opts
 * @returns effective config
 */
export function validateSetup(setup, { apiVersion = 'v1beta' } = {}) {
  const model = setup.model;
  if (typeof model !== 'string' || !model.startsWith('models/') || model.length <= 'models/'.length) {
    throw invalidArgument();
  }
  const info = lookupModel(model);
  if (!info) throw modelNotFound(model, apiVersion);

  const gen = setup.generationConfig ?? {};
  const modalities = (gen.responseModalities ?? []).filter((m) => m !== 'MODALITY_UNSPECIFIED');
  if (modalities.length > 1 || modalities.includes('IMAGE')) throw invalidArgument();
  const modality = modalities[0] ?? 'AUDIO'; // the service's default
  if (info.audioOnly && modality !== 'AUDIO') throw nonAudioOnAudioOnlyModel();
  if (gen.candidateCount !== undefined && gen.candidateCount !== 1) throw invalidArgument();
  if (gen.temperature !== undefined && (gen.temperature < 0 || gen.temperature > 2)) throw invalidArgument();
  if (gen.topP !== undefined && (gen.topP < 0 || gen.topP > 1)) throw invalidArgument();
  if (gen.maxOutputTokens !== undefined && gen.maxOutputTokens < 0) throw invalidArgument();
  const voiceName = gen.speechConfig?.voiceConfig?.prebuiltVoiceConfig?.voiceName ?? 'Puck';
  if (gen.speechConfig?.multiSpeakerVoiceConfig !== undefined) throw invalidArgument(); // not in Live

  const sys = setup.systemInstruction;
  let systemText = '';
  if (sys) {
    for (const part of sys.parts ?? []) {
      if (typeof part.text !== 'string') throw invalidArgument(); // text only
      systemText += part.text;
    }
  }

  const functions = new Map();
  for (const tool of setup.tools ?? []) {
    for (const fn of tool.functionDeclarations ?? []) {
      if (typeof fn.name !== 'string' || !FUNCTION_NAME.test(fn.name) || functions.has(fn.name)) {
        throw invalidArgument();
      }
      if (fn.parameters !== undefined && (fn.parameters === null || typeof fn.parameters !== 'object')) {
        throw invalidArgument();
      }
      if (fn.parameters !== undefined && fn.parametersJsonSchema !== undefined) throw invalidArgument();
      functions.set(fn.name, { name: fn.name, behavior: fn.behavior ?? 'BLOCKING', parameters: fn.parameters });
    }
  }

  const ric = setup.realtimeInputConfig ?? {};
  const aad = ric.automaticActivityDetection ?? {};
  for (const k of ['prefixPaddingMs', 'silenceDurationMs']) {
    if (aad[k] !== undefined && aad[k] < 0) throw invalidArgument();
  }
  const startSens = aad.startOfSpeechSensitivity && aad.startOfSpeechSensitivity !== 'START_SENSITIVITY_UNSPECIFIED'
    ? aad.startOfSpeechSensitivity : 'START_SENSITIVITY_HIGH';
  const endSens = aad.endOfSpeechSensitivity && aad.endOfSpeechSensitivity !== 'END_SENSITIVITY_UNSPECIFIED'
    ? aad.endOfSpeechSensitivity : 'END_SENSITIVITY_HIGH';
  const vad = {
    disabled: aad.disabled === true,
    thresholdDbfs: VAD_DEFAULTS[startSens].thresholdDbfs,
    prefixPaddingMs: aad.prefixPaddingMs ?? VAD_DEFAULTS[startSens].prefixPaddingMs,
    silenceDurationMs: aad.silenceDurationMs ?? VAD_DEFAULTS[endSens].silenceDurationMs,
  };
  const activityHandling = ric.activityHandling && ric.activityHandling !== 'ACTIVITY_HANDLING_UNSPECIFIED'
    ? ric.activityHandling : 'START_OF_ACTIVITY_INTERRUPTS';

  const cwc = setup.contextWindowCompression;
  if (cwc) {
    const trigger = cwc.triggerTokens !== undefined ? Number(cwc.triggerTokens) : undefined;
    const target = cwc.slidingWindow?.targetTokens !== undefined ? Number(cwc.slidingWindow.targetTokens) : undefined;
    if ((trigger !== undefined && trigger < 0) || (target !== undefined && target < 0)) throw invalidArgument();
    if (trigger !== undefined && target !== undefined && target > trigger) throw invalidArgument();
  }

  return {
    model,
    modelInfo: info,
    modality,
    voiceName,
    systemText,
    functions,
    vad,
    activityHandling,
    turnCoverage: ric.turnCoverage ?? 'TURN_INCLUDES_ONLY_ACTIVITY',
    inputTranscription: setup.inputAudioTranscription !== undefined,
    outputTranscription: setup.outputAudioTranscription !== undefined,
    resumption: setup.sessionResumption !== undefined
      ? { handle: setup.sessionResumption.handle ?? null } : null,
    compression: cwc !== undefined,
  };
}
