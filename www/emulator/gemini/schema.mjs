// Gemini Live emulation — ProtoJSON shape of client messages.
//
// Owns: the field-level schema of BidiGenerateContentClientMessage and a
// walker that validates a parsed frame against it the way the real (proto)
// front end does: unknown field → 1007 `Unknown name "x" at 'path'`, wrong
// scalar/enum → 1007 `Invalid value at 'path' (TYPE_…)`, two oneof members →
// 1007. Like ProtoJSON it accepts lowerCamelCase and snake_case names, and it
// returns a normalised copy with lowerCamelCase keys (user payloads such as
// function args/response and JSON schemas are copied untouched).
// Semantic checks (model names, modalities, mime types…) live in setup.mjs and
// session.mjs.

import { unknownField, invalidValue, oneofAlreadySet } from './errors.mjs';

const PKG = 'type.googleapis.com/google.ai.generativelanguage.v1beta';

const scalar = (kind) => ({ kind });
const STRING = scalar('TYPE_STRING');
const BOOL = scalar('TYPE_BOOL');
const INT32 = scalar('TYPE_INT32');
const INT64 = scalar('TYPE_INT64');
const FLOAT = scalar('TYPE_FLOAT');
const BYTES = scalar('TYPE_BYTES');
const STRUCT = { kind: 'struct' }; // google.protobuf.Struct: a JSON object, untouched
const ANY = { kind: 'any' }; // google.protobuf.Value or a schema we do not model
const EMPTY = { kind: 'message', name: 'Empty', fields: {} };
const repeated = (of) => ({ kind: 'repeated', of });
const enumOf = (name, values) => ({ kind: 'enum', name: `${PKG}.${name}`, values });
const message = (name, fields, oneofs = {}) => ({ kind: 'message', name, fields, oneofs });

const BLOB = message('Blob', { mimeType: STRING, data: BYTES });
const FUNCTION_CALL = message('FunctionCall', { id: STRING, name: STRING, args: STRUCT });
const FUNCTION_RESPONSE = message('FunctionResponse', {
  id: STRING,
  name: STRING,
  response: STRUCT,
  willContinue: BOOL,
  scheduling: enumOf('FunctionResponse.Scheduling', ['SCHEDULING_UNSPECIFIED', 'SILENT', 'WHEN_IDLE', 'INTERRUPT']),
  parts: ANY,
});
const PART = message(
  'Part',
  {
    text: STRING,
    inlineData: BLOB,
    fileData: message('FileData', { mimeType: STRING, fileUri: STRING }),
    functionCall: FUNCTION_CALL,
    functionResponse: FUNCTION_RESPONSE,
    executableCode: message('ExecutableCode', { language: STRING, code: STRING }),
    codeExecutionResult: message('CodeExecutionResult', { outcome: STRING, output: STRING }),
    thought: BOOL,
    thoughtSignature: BYTES,
    videoMetadata: ANY,
  },
  { data: ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'] },
);
const CONTENT = message('Content', { role: STRING, parts: repeated(PART) });

const SPEECH_CONFIG = message('SpeechConfig', {
  voiceConfig: message('VoiceConfig', {
    prebuiltVoiceConfig: message('PrebuiltVoiceConfig', { voiceName: STRING }),
  }),
  languageCode: STRING,
  multiSpeakerVoiceConfig: ANY,
});

const MODALITY = enumOf('GenerationConfig.Modality', ['MODALITY_UNSPECIFIED', 'TEXT', 'IMAGE', 'AUDIO']);
const GENERATION_CONFIG = message('GenerationConfig', {
  candidateCount: INT32,
  maxOutputTokens: INT32,
  temperature: FLOAT,
  topP: FLOAT,
  topK: INT32,
  presencePenalty: FLOAT,
  frequencyPenalty: FLOAT,
  seed: INT32,
  stopSequences: repeated(STRING),
  responseModalities: repeated(MODALITY),
  speechConfig: SPEECH_CONFIG,
  mediaResolution: enumOf('GenerationConfig.MediaResolution', [
    'MEDIA_RESOLUTION_UNSPECIFIED', 'MEDIA_RESOLUTION_LOW', 'MEDIA_RESOLUTION_MEDIUM', 'MEDIA_RESOLUTION_HIGH',
  ]),
  thinkingConfig: message('ThinkingConfig', { includeThoughts: BOOL, thinkingBudget: INT32, thinkingLevel: STRING }),
  enableAffectiveDialog: BOOL,
  translationConfig: ANY,
});

const FUNCTION_DECLARATION = message('FunctionDeclaration', {
  name: STRING,
  description: STRING,
  parameters: ANY,
  parametersJsonSchema: ANY,
  response: ANY,
  responseJsonSchema: ANY,
  behavior: enumOf('FunctionDeclaration.Behavior', ['UNSPECIFIED', 'BLOCKING', 'NON_BLOCKING']),
});
const TOOL = message('Tool', {
  functionDeclarations: repeated(FUNCTION_DECLARATION),
  googleSearch: ANY,
  googleSearchRetrieval: ANY,
  codeExecution: ANY,
  urlContext: ANY,
});

const REALTIME_INPUT_CONFIG = message('RealtimeInputConfig', {
  automaticActivityDetection: message('AutomaticActivityDetection', {
    disabled: BOOL,
    startOfSpeechSensitivity: enumOf('AutomaticActivityDetection.StartSensitivity', [
      'START_SENSITIVITY_UNSPECIFIED', 'START_SENSITIVITY_HIGH', 'START_SENSITIVITY_LOW',
    ]),
    endOfSpeechSensitivity: enumOf('AutomaticActivityDetection.EndSensitivity', [
      'END_SENSITIVITY_UNSPECIFIED', 'END_SENSITIVITY_HIGH', 'END_SENSITIVITY_LOW',
    ]),
    prefixPaddingMs: INT32,
    silenceDurationMs: INT32,
  }),
  activityHandling: enumOf('RealtimeInputConfig.ActivityHandling', [
    'ACTIVITY_HANDLING_UNSPECIFIED', 'START_OF_ACTIVITY_INTERRUPTS', 'NO_INTERRUPTION',
  ]),
  turnCoverage: enumOf('RealtimeInputConfig.TurnCoverage', [
    'TURN_COVERAGE_UNSPECIFIED', 'TURN_INCLUDES_ONLY_ACTIVITY', 'TURN_INCLUDES_ALL_INPUT',
    'TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO',
  ]),
});

const TRANSCRIPTION_CONFIG = message('AudioTranscriptionConfig', { languageCodes: repeated(STRING), customVocabulary: ANY });

export const SETUP = message('BidiGenerateContentSetup', {
  model: STRING,
  generationConfig: GENERATION_CONFIG,
  systemInstruction: CONTENT,
  tools: repeated(TOOL),
  realtimeInputConfig: REALTIME_INPUT_CONFIG,
  sessionResumption: message('SessionResumptionConfig', { handle: STRING, transparent: BOOL }),
  contextWindowCompression: message('ContextWindowCompressionConfig', {
    triggerTokens: INT64,
    slidingWindow: message('SlidingWindow', { targetTokens: INT64 }),
  }),
  inputAudioTranscription: TRANSCRIPTION_CONFIG,
  outputAudioTranscription: TRANSCRIPTION_CONFIG,
  proactivity: message('ProactivityConfig', { proactiveAudio: BOOL }),
  historyConfig: message('HistoryConfig', { initialHistoryInClientContent: BOOL }),
  safetySettings: ANY,
});

export const CLIENT_CONTENT = message('BidiGenerateContentClientContent', {
  turns: repeated(CONTENT),
  turnComplete: BOOL,
});

export const REALTIME_INPUT = message('BidiGenerateContentRealtimeInput', {
  mediaChunks: repeated(BLOB),
  audio: BLOB,
  video: BLOB,
  text: STRING,
  activityStart: EMPTY,
  activityEnd: EMPTY,
  audioStreamEnd: BOOL,
});

export const TOOL_RESPONSE = message('BidiGenerateContentToolResponse', {
  functionResponses: repeated(FUNCTION_RESPONSE),
});

export const CLIENT_MESSAGE = message(
  'BidiGenerateContentClientMessage',
  { setup: SETUP, clientContent: CLIENT_CONTENT, realtimeInput: REALTIME_INPUT, toolResponse: TOOL_RESPONSE },
  { message_type: ['setup', 'clientContent', 'realtimeInput', 'toolResponse'] },
);

const camel = (k) => k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const snake = (k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const join = (path, key) => (path ? `${path}.${snake(key)}` : snake(key));
const B64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * Validate `value` against `type`; return a normalised copy or throw a
 * GeminiClose (1007) naming the offending path like the real front end.
 */
export function normalize(value, type, path = '') {
  switch (type.kind) {
    case 'any':
      return value;
    case 'struct':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw invalidValue(path, 'google.protobuf.Struct', value);
      }
      return value;
    case 'TYPE_STRING':
      if (typeof value !== 'string') throw invalidValue(path, type.kind, value);
      return value;
    case 'TYPE_BYTES':
      if (typeof value !== 'string' || value.length % 4 === 1 || !B64.test(value)) {
        throw invalidValue(path, type.kind, typeof value === 'string' ? `Base64 decoding failed for "${value.slice(0, 32)}"` : value);
      }
      return value;
    case 'TYPE_BOOL':
      if (typeof value !== 'boolean') throw invalidValue(path, type.kind, value);
      return value;
    case 'TYPE_INT32':
    case 'TYPE_INT64': {
      const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw invalidValue(path, type.kind, value);
      return type.kind === 'TYPE_INT64' ? String(n) : n;
    }
    case 'TYPE_FLOAT':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidValue(path, type.kind, value);
      return value;
    case 'enum':
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < type.values.length) {
        return type.values[value];
      }
      if (typeof value !== 'string' || !type.values.includes(value)) throw invalidValue(path, type.name, value);
      return value;
    case 'repeated': {
      if (value === null) return [];
      if (!Array.isArray(value)) throw invalidValue(path, 'list', value);
      return value.map((v, i) => normalize(v, type.of, `${path}[${i}]`));
    }
    case 'message': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw invalidValue(path, `${PKG}.${type.name}`, value);
      }
      const out = {};
      for (const [rawKey, v] of Object.entries(value)) {
        const key = camel(rawKey);
        const fieldType = type.fields[key];
        if (!fieldType) throw unknownField(rawKey, path);
        if (v === null) continue; // ProtoJSON: null means "not set"
        if (key in out) throw unknownField(rawKey, path); // same field twice (camel + snake)
        for (const [oneof, members] of Object.entries(type.oneofs ?? {})) {
          if (members.includes(key) && members.some((m) => m !== key && m in out)) {
            throw oneofAlreadySet(oneof, rawKey);
          }
        }
        out[key] = normalize(v, fieldType, join(path, key));
      }
      return out;
    }
    default:
      throw new Error(`schema: unknown kind ${type.kind}`);
  }
}
