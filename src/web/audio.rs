//! The audio engine's browser half: one `AudioContext` at the device's native rate (never forced to
//! 16/24 kHz, which breaks Firefox), the capture and playback AudioWorklets, the microphone stream.
//!
//! On-device barge-in: the voice detector runs on each capture chunk (10 ms chunks while it runs)
//! and the playback worklet ducks (fades out and holds) or restores on the session's word.
//!
//! Where the DSP runs: capture on the main thread, in wasm (the worklet posts 20 ms chunks). For
//! playback the main thread decodes the provider's audio and designs the resampler (wasm), and the
//! playback worklet runs that resampler's dot products on the audio thread, a bounded number of
//! frames per render quantum: on the main thread they were the largest cost of playing (README,
//! performance). A playback worklet of an older version (an app serving its own copy through
//! `audio.workletUrl`) cannot resample: the main thread then does, as before, and says so once.
//! Main-thread stalls cannot glitch the audio: the capture worklet keeps filling chunks and the
//! playback worklet plays from its jitter buffer.

use crate::prelude::*;
use crate::audio::{CapturePipeline, PlaybackPipeline, VoiceDetector, VoiceEdge, WireAudio};
use super::convert::as_string;
use js_sys::Float32Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AudioContext, AudioWorkletNode, GainNode, MediaStream};

// Where the worklet comes from: the app's `audio.workletUrl` if it gives one, else the package's
// own `worklets/realtime-audio.js`, written as `new URL(literal, import.meta.url)` (`platform.js`
// sits in `snippets/<crate>/src/web/`, four levels below the package root) — the pattern Vite,
// webpack 5 and Parcel emit as an asset, exactly as they do the `.wasm` beside it, and that a
// plain ES-module page resolves next to the package. Nothing is embedded: a blob-URL copy of the
// script cost every app 2.5 kB gzip for setups that already had to place the `.wasm` themselves,
// and a strict CSP refused it anyway.
#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    /// `[context, module, sampleRate]`: the app's context or a new one, and its worklet module
    /// loading (a promise) as said above.
    #[wasm_bindgen(catch, js_name = openAudio)]
    fn open_audio(context: Option<&AudioContext>, explicit: Option<&str>) -> Result<js_sys::Array, JsValue>;
    /// `outputLatency` where the browser has it, else `baseLatency` (seconds; 0 when neither).
    #[wasm_bindgen(js_name = outputLatency)]
    fn output_latency(context: &AudioContext) -> f64;
    /// Whether the context is `suspended` (read in JS: web-sys's `AudioContextState` conversion
    /// brings an enum table into the glue and a panic path into the wasm).
    #[wasm_bindgen(js_name = isSuspended)]
    fn is_suspended(context: &AudioContext) -> bool;
}

/// The most audio held before it is posted mid-burst (see [`AudioEngine::play`]): a post's cost is
/// mostly per message (0.5 s → 2 s: the blast's `postMessage` time 60 → 22 ms), and the worklet
/// converts a large chunk lazily.
const MAX_HELD_SECONDS: f64 = 2.0;

/// Held audio is posted at once (after the current task) while the playback worklet has less than
/// this queued; with more, posts wait up to [`MAX_POST_DELAY_MS`] so a reply that arrives faster
/// than real time goes in a few large messages instead of one per delta (each socket frame is its
/// own task, so "after the current task" was one `postMessage` per delta: the largest main-thread
/// cost of playback once the resampling moved to the audio thread).
const LOW_WATER_MS: f64 = 250.0;
const MAX_POST_DELAY_MS: f64 = 250.0;

/// Below this much queued, held audio is posted in the same task, not after it: a timer, even of
/// 0 ms, waits behind every task already queued (a burst of socket frames, a busy page), and a
/// worklet that runs dry plays a gap.
const URGENT_MS: f64 = 100.0;

// One boundary crossing per chunk: the samples (an `Int16Array` at the provider rate for a worklet
// that resamples, else a `Float32Array` at the device rate) are copied out of wasm memory once and
// their buffer is transferred (not cloned) to the audio thread.
#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    #[wasm_bindgen(js_name = postAudio)]
    fn post_audio(node: &AudioWorkletNode, item: &str, view: &JsValue);
}

// The worklet nodes, their options and control messages, and the microphone's constraints are
// object literals in `platform.js`: built here, each key was a `Reflect.set` call (and a key
// string) in the wasm.
#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    /// `[node, gain, destination?]`: the playback worklet node wired through its gain to
    /// `element`, `output` or the speakers. `phases`: the resampler's filter when the worklet is to
    /// resample (then `up`…`grid` too), else empty; a view of wasm memory, copied there.
    #[wasm_bindgen(catch, js_name = playbackNode)]
    #[allow(clippy::too_many_arguments)]
    fn playback_node(
        context: &AudioContext,
        on_message: &js_sys::Function,
        prebuffer_frames: f64,
        fade_frames: f64,
        report_frames: f64,
        phases: &[f32],
        up: f64,
        down: f64,
        taps: f64,
        grid: f64,
        element: Option<&web_sys::HtmlAudioElement>,
        output: Option<&web_sys::AudioNode>,
    ) -> Result<js_sys::Array, JsValue>;
    /// `[node, source]`: the capture worklet node with the stream's source connected to it.
    #[wasm_bindgen(catch, js_name = captureNode)]
    fn capture_node(context: &AudioContext, on_message: &js_sys::Function, chunk_frames: f64, stream: &MediaStream) -> Result<js_sys::Array, JsValue>;
    /// The gain's value, set first when given (one import for the volume's getter and setter).
    #[wasm_bindgen(js_name = gainValue)]
    fn gain_value(gain: &GainNode, value: Option<f32>) -> f32;
    /// Silences a worklet node (`stop` posted first if asked) and disconnects it and `other`.
    #[wasm_bindgen(js_name = releaseNode)]
    fn release_node(node: &AudioWorkletNode, stop: bool, other: &web_sys::AudioNode);
    /// `context.resume()`, and the output element's `play()` if it is paused (a promise; a
    /// refusal rejects it unless `quietly`).
    #[wasm_bindgen(js_name = resumeContext)]
    fn resume_context(context: &AudioContext, element: Option<&web_sys::HtmlAudioElement>, quietly: bool) -> js_sys::Promise;
    /// `context.close()`, a refusal ignored (nothing waits for it).
    #[wasm_bindgen(js_name = closeContext)]
    fn close_context(context: &AudioContext);
    /// Posts `{ type, item? }` to a worklet.
    #[wasm_bindgen(catch, js_name = postControl)]
    fn post_control(node: &AudioWorkletNode, kind: &str, item: Option<&str>) -> Result<(), JsValue>;
    /// `getUserMedia` with the app's `startMicrophone` options (checked there: a `TypeError` naming
    /// the field); an `unsupported` `RealtimeError` without `navigator.mediaDevices`.
    #[wasm_bindgen(catch, js_name = openMicrophone)]
    pub(crate) fn request_microphone(options: &JsValue) -> Result<js_sys::Promise, JsValue>;
}

pub(super) const DEFAULT_CHUNK_MS: u32 = 20;
pub(super) const DEFAULT_PREBUFFER_MS: u32 = 60;

/// `connect({ audio })`.
#[derive(Clone)]
pub(crate) struct AudioOptions {
    pub playback: bool,
    pub context: Option<AudioContext>,
    pub worklet_url: Option<String>,
    pub chunk_ms: u32,
    pub prebuffer_ms: u32,
    pub output_element: Option<web_sys::HtmlAudioElement>,
    /// Where playback goes instead of the context's destination (effects, recording, analysis).
    pub output_node: Option<web_sys::AudioNode>,
}

impl AudioOptions {
    /// The defaults without playback (a session whose options are not at hand).
    pub fn capture_only() -> AudioOptions {
        AudioOptions { playback: false, context: None, worklet_url: None, chunk_ms: DEFAULT_CHUNK_MS, prebuffer_ms: DEFAULT_PREBUFFER_MS, output_element: None, output_node: None }
    }

    /// What of these options the engine of a microphone needs in a session opened without
    /// playback: the app's context, worklet URL and chunk size; no playback or its outputs.
    pub fn for_capture(self) -> AudioOptions {
        AudioOptions { playback: false, output_element: None, output_node: None, ..self }
    }
}

#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    /// `value instanceof globalThis[class]` (false where the page has no such class: a worker has
    /// no `HTMLAudioElement`). One import for every class the shell checks, not one each.
    #[wasm_bindgen(js_name = isA)]
    pub(super) fn is_a(value: &JsValue, class: &str) -> bool;
}

/// A message from a worklet, for the driver.
pub(crate) enum WorkletMessage {
    /// The playback worklet started: whether it resamples what it is posted.
    Ready { resampling: bool },
    Chunk(Float32Array),
    /// `underruns`: the worklet's count since it started; `queued`: frames in its jitter buffer.
    Position { item: String, frames: f64, underruns: u32, queued: f64 },
    Stopped { item: String, frames: f64 },
    Level(f64),
}

impl WorkletMessage {
    /// A port message as `platform.js` hands it over (see `workletMessage` there): a capture
    /// chunk's samples, or `[kind, item, value, underruns, queued]`.
    pub fn parse(data: JsValue) -> Option<WorkletMessage> {
        // `isA`, not `Array.isArray`: an import the shell has anyway, not one more.
        if is_a(&data, "Float32Array") {
            return Some(WorkletMessage::Chunk(data.unchecked_into()));
        }
        let fields: js_sys::Array = data.unchecked_into();
        let item = || as_string(&fields.get(1)).unwrap_or_default();
        let number = |i| fields.get(i).as_f64().unwrap_or(0.0);
        Some(match fields.get(0).as_f64()? as i32 {
            0 => WorkletMessage::Position { item: item(), frames: number(2), underruns: number(3) as u32, queued: number(4) },
            1 => WorkletMessage::Stopped { item: item(), frames: number(2) },
            2 => WorkletMessage::Level(fields.get(2).as_f64()?),
            3 => WorkletMessage::Ready { resampling: fields.get(2).as_bool() == Some(true) },
            _ => return None,
        })
    }
}

struct Capture {
    node: AudioWorkletNode,
    source: web_sys::AudioNode,
    stream: MediaStream,
    /// Ours to stop (from `startMicrophone`), or the app's (`attachMicrophoneStream`).
    owned: bool,
    pipeline: CapturePipeline,
    scratch: Vec<f32>,
    /// On-device barge-in: listens to the (echo-cancelled) capture.
    detector: Option<VoiceDetector>,
    /// A start was reported (a stop is reported only after one).
    speech_reported: bool,
    /// PCM16 waiting to be sent: with the detector on, the worklet posts every
    /// [`DETECTION_CHUNK_MS`] and the audio goes to the provider in `chunkMs` pieces as before.
    pending: Vec<u8>,
    send_bytes: usize,
}

/// The capture chunk the voice detector sees when it runs: every 10 ms of chunking is 10 ms more
/// before a barge-in can be known (the sends stay at `audio.chunkMs`).
const DETECTION_CHUNK_MS: u32 = 10;

/// What one capture chunk gave.
pub(crate) struct Captured {
    /// PCM16 at the provider rate (empty while muted).
    pub pcm: Vec<u8>,
    /// About 30 times a second.
    pub level: Option<crate::audio::Level>,
    /// The user started (`Some(true)`) or stopped speaking.
    pub speech: Option<bool>,
}

pub(crate) struct AudioEngine {
    context: AudioContext,
    owns_context: bool,
    options: AudioOptions,
    module: js_sys::Promise,
    playback: Option<(AudioWorkletNode, GainNode)>,
    /// The `MediaStream` destination feeding `audio.outputElement` (undefined without one).
    output_stream: JsValue,
    playback_pipeline: PlaybackPipeline,
    /// Who resamples the playback audio; audio is held until that is known.
    resampling: Resampling,
    /// Audio not yet posted, and its item: the deltas of one burst go to the worklet as one
    /// message (each `postMessage` to the audio thread costs the main thread ~40–60 µs). Linear
    /// samples at the provider rate when the worklet resamples, floats at the device rate when the
    /// main thread does (one of the two is ever in use).
    held_linear: Vec<i16>,
    held: Vec<f32>,
    held_item: String,
    /// Linear samples (provider rate) that came before the worklet said who resamples, by item.
    early: Vec<(String, Vec<i16>)>,
    /// The worklet's queue (ms of audio) as last reported, when, and what was posted since.
    queue: QueueEstimate,
    capture: Option<Capture>,
    pub muted: bool,
    /// How microphone audio goes to the provider.
    provider_input: WireAudio,
    /// The context's rate, read once (a getter call into the browser per delta otherwise).
    device_rate: f64,
    last_input_level_ms: f64,
    /// The voice detector's sensitivity when on-device barge-in is on.
    voice_sensitivity: Option<f64>,
}

/// How much audio the playback worklet has queued, from its position reports (every 50 ms while it
/// plays) and what was posted since the last one. Posts still in flight when a report was made are
/// forgotten at the report: the estimate errs low, which only posts sooner.
#[derive(Default)]
struct QueueEstimate {
    reported_ms: f64,
    reported_at_ms: f64,
    posted_since_ms: f64,
}

impl QueueEstimate {
    fn ahead_ms(&self, now_ms: f64) -> f64 {
        (self.reported_ms + self.posted_since_ms - (now_ms - self.reported_at_ms)).max(0.0)
    }
}

/// Who resamples the playback audio (provider rate → device rate).
#[derive(Clone, Copy, PartialEq)]
enum Resampling {
    /// The worklet was handed the filter and has not said yet whether it took it.
    Unknown,
    /// The playback worklet, on the audio thread.
    Worklet,
    /// The main thread (equal rates, or a worklet that cannot).
    MainThread,
}

impl AudioEngine {
    /// Creates (or adopts) the context and starts loading the worklet module.
    pub fn new(options: AudioOptions, provider_input: WireAudio, provider_output: WireAudio) -> Result<AudioEngine, JsValue> {
        let opened = open_audio(options.context.as_ref(), options.worklet_url.as_deref())?;
        let (context, owns_context): (AudioContext, _) = (opened.get(0).unchecked_into(), options.context.is_none());
        let module = opened.get(1).unchecked_into();
        let device_rate = opened.get(2).as_f64().unwrap_or(48_000.0) as u32;
        Ok(AudioEngine {
            playback_pipeline: PlaybackPipeline::new(provider_output, device_rate),
            // Playback audio that comes before the worklet runs is decoded only, and held at the
            // provider rate (`early`) until it says who resamples.
            resampling: if options.playback { Resampling::Unknown } else { Resampling::MainThread },
            context,
            owns_context,
            options,
            module,
            playback: None,
            held_linear: Vec::new(),
            held: Vec::new(),
            held_item: String::new(),
            early: Vec::new(),
            queue: QueueEstimate::default(),
            output_stream: JsValue::UNDEFINED,
            capture: None,
            muted: false,
            provider_input,
            device_rate: device_rate as f64,
            last_input_level_ms: f64::NEG_INFINITY,
            voice_sensitivity: None,
        })
    }

    pub fn module_loaded(&self) -> js_sys::Promise {
        self.module.clone()
    }

    pub fn sample_rate(&self) -> f64 {
        self.device_rate
    }

    /// What is still between the worklet and the listener: `outputLatency` where the browser has it,
    /// else `baseLatency`, plus the playback resampler's delay.
    pub fn output_latency_ms(&self) -> f64 {
        (output_latency(&self.context) + self.playback_pipeline.latency_seconds()) * 1_000.0
    }

    pub fn is_suspended(&self) -> bool {
        is_suspended(&self.context)
    }

    /// Leaves the autoplay suspension: the context, and the output element if its `play()` was
    /// refused. `quietly`: for an attempt the app did not ask for (a refusal is not an error).
    pub fn resume(&self, quietly: bool) -> js_sys::Promise {
        resume_context(&self.context, self.options.output_element.as_ref(), quietly)
    }

    /// The playback node (after the module loaded), wired to the speakers or the output element.
    pub fn start_playback(&mut self, on_message: &js_sys::Function) -> Result<(), JsValue> {
        if self.playback.is_some() || !self.options.playback {
            return Ok(());
        }
        let rate = self.sample_rate();
        let table = self.playback_pipeline.table();
        let handed_off = table.is_some();
        // The worklet node, its gain, and what it plays to (see `playbackNode`).
        let node = playback_node(
            &self.context,
            on_message,
            crate::float::round(rate * self.options.prebuffer_ms as f64 / 1_000.0),
            // Barge-in must be silent within 10 ms: a 5 ms fade, plus at most one render quantum
            // (2.7 ms at 48 kHz) for the stop message to reach the audio thread.
            crate::float::round(rate * 0.005),
            crate::float::round(rate * 0.05),
            // The playback resampler's filter, for the worklet to run (`WorkletMessage::Ready` says
            // whether it does; until then audio is held). Posted as `int16Resampler`, not
            // `resampler`: a session-5 worklet took that and resampled floats; under this name an
            // older worklet ignores the table and gets device-rate floats (see the worklet).
            table.as_ref().map_or(&[][..], |t| t.phases),
            table.as_ref().map_or(0.0, |t| t.up as f64),
            table.as_ref().map_or(0.0, |t| t.down as f64),
            table.as_ref().map_or(0.0, |t| t.taps as f64),
            table.as_ref().map_or(0.0, |t| t.grid as f64),
            self.options.output_element.as_ref(),
            self.options.output_node.as_ref(),
        )?;
        self.playback = Some((node.get(0).unchecked_into(), node.get(1).unchecked_into()));
        self.output_stream = node.get(2);
        if !handed_off {
            self.settle_resampling(Resampling::MainThread);
        }
        Ok(())
    }

    /// Decodes a delta (and resamples it, unless the worklet does) and holds it for the worklet.
    /// `true` when audio is held: the caller posts it with [`AudioEngine::post_held`] once the
    /// deltas already received are handled.
    pub fn play(&mut self, item: &str, pcm: &[u8]) -> bool {
        if !self.options.playback {
            return false;
        }
        match self.resampling {
            Resampling::Unknown => {
                // Until the worklet runs and says who resamples (`connect()` resolves only after
                // both the worklet module and the session are ready: audio rarely comes first).
                if self.early.last().is_none_or(|(early_item, _)| early_item != item) {
                    self.early.push((item.to_owned(), Vec::new()));
                }
                if let Some((_, samples)) = self.early.last_mut() {
                    self.playback_pipeline.decode(pcm, samples);
                }
                return false;
            }
            Resampling::Worklet => {
                self.hold_for(item);
                self.playback_pipeline.decode(pcm, &mut self.held_linear);
            }
            Resampling::MainThread => {
                self.hold_for(item);
                self.held.extend_from_slice(self.playback_pipeline.push(pcm));
            }
        }
        self.post_if_full();
        self.held_seconds() > 0.0
    }

    /// What is held belongs to one item: audio of another posts what is held first.
    fn hold_for(&mut self, item: &str) {
        if self.held_item != item {
            self.post_held();
            self.held_item.clear();
            self.held_item.push_str(item);
        }
    }

    /// Seconds of audio held (at whichever rate it is held).
    fn held_seconds(&self) -> f64 {
        self.held_linear.len() as f64 / self.playback_pipeline.input_rate() as f64
            + self.held.len() as f64 / self.playback_pipeline.output_rate() as f64
    }

    /// A long burst is posted in parts, so the worklet starts before the burst is handled.
    fn post_if_full(&mut self) {
        if self.held_seconds() >= MAX_HELD_SECONDS {
            self.post_held();
        }
    }

    /// Posts the held audio to the playback worklet (one copy out of wasm memory, transferred).
    pub fn post_held(&mut self) {
        let Some((node, _)) = &self.playback else { return };
        let seconds = self.held_seconds();
        if seconds == 0.0 || self.resampling == Resampling::Unknown {
            return;
        }
        self.queue.posted_since_ms += seconds * 1_000.0;
        // SAFETY: the views are copied (`slice`) before anything can allocate wasm memory.
        if !self.held_linear.is_empty() {
            let view = unsafe { js_sys::Int16Array::view(&self.held_linear) };
            post_audio(node, &self.held_item, &view);
        }
        if !self.held.is_empty() {
            let view = unsafe { Float32Array::view(&self.held) };
            post_audio(node, &self.held_item, &view);
        }
        self.held_linear.clear();
        self.held.clear();
    }

    /// A message from the playback worklet: its first says who resamples. A worklet of this
    /// version says `ready`; one of an older version (served by the app) starts with its reports
    /// and gets device-rate audio, resampled here. Then posts what was held meanwhile.
    pub fn playback_message(&mut self, message: &WorkletMessage, now_ms: f64) {
        if let WorkletMessage::Position { queued, .. } = message {
            self.queue = QueueEstimate { reported_ms: queued / self.device_rate * 1_000.0, reported_at_ms: now_ms, posted_since_ms: 0.0 };
        }
        if self.resampling != Resampling::Unknown || self.playback.is_none() {
            return;
        }
        let who = match message {
            WorkletMessage::Ready { resampling: true } => Resampling::Worklet,
            WorkletMessage::Chunk(_) => return,
            _ => {
                super::convert::console_warn("realtime-wasm: the playback worklet (options.audio.workletUrl) is from another version of realtime-wasm and cannot resample: the main thread does. Serve this version's worklets/realtime-audio.js.");
                Resampling::MainThread
            }
        };
        self.settle_resampling(who);
    }

    /// Who resamples is known: what was held meanwhile is posted (resampled here if it is the
    /// main thread's job).
    fn settle_resampling(&mut self, who: Resampling) {
        self.resampling = who;
        for (item, decoded) in core::mem::take(&mut self.early) {
            self.hold_for(&item);
            match self.resampling {
                Resampling::MainThread => self.held.extend_from_slice(self.playback_pipeline.resample(&decoded)),
                _ => self.held_linear.extend_from_slice(&decoded),
            }
            self.post_if_full();
        }
        self.post_held();
    }

    /// When held audio should be posted, in ms from now: at once (after the current task) while the
    /// worklet's queue runs low, else before it gets there, within [`MAX_POST_DELAY_MS`].
    pub fn post_delay_ms(&self, now_ms: f64) -> f64 {
        (self.queue.ahead_ms(now_ms) - LOW_WATER_MS).clamp(0.0, MAX_POST_DELAY_MS)
    }

    /// Whether held audio must be posted now, in this task (see [`URGENT_MS`]).
    pub fn post_is_urgent(&self, now_ms: f64) -> bool {
        self.queue.ahead_ms(now_ms) < URGENT_MS
    }

    /// Runs the voice detector on the microphone (for on-device barge-in), from the next attach.
    pub fn detect_voice(&mut self, sensitivity: f64) {
        self.voice_sensitivity = Some(sensitivity);
    }

    /// The playback level (RMS), the reference for the detector's echo test.
    pub fn output_level(&mut self, rms: f64) {
        if let Some(detector) = self.capture.as_mut().and_then(|c| c.detector.as_mut()) {
            detector.output_level(rms as f32);
        }
    }

    /// Fades the playback out and holds it (`true`), or fades it back in where it was (`false`).
    pub fn set_ducked(&self, duck: bool) {
        let Some((node, _)) = &self.playback else { return };
        let _ = post_control(node, if duck { "duck" } else { "restore" }, None);
    }

    /// Fade out and flush; `false` when there is no playback to stop (the caller reports at once).
    pub fn stop(&mut self, item: &str) -> bool {
        // Held audio was never posted, so never played: it is dropped, not counted (also before
        // the playback node exists: audio held while the worklet module loads).
        self.held_linear.clear();
        self.held.clear();
        self.early.clear();
        self.playback_pipeline.reset();
        let Some((node, _)) = &self.playback else { return false };
        post_control(node, "stop", Some(item)).is_ok()
    }

    pub fn set_volume(&self, volume: f32) {
        if let Some((_, gain)) = &self.playback {
            gain_value(gain, Some(volume));
        }
    }

    pub fn volume(&self) -> f32 {
        self.playback.as_ref().map_or(1.0, |(_, gain)| gain_value(gain, None))
    }

    /// Connects a microphone stream to the capture worklet.
    pub fn attach_microphone(&mut self, stream: MediaStream, owned: bool, on_message: &js_sys::Function) -> Result<(), JsValue> {
        self.detach_microphone();
        let rate = self.sample_rate();
        let detector = self.voice_sensitivity.map(|s| VoiceDetector::new(rate as u32, s));
        let post_ms = if detector.is_some() { self.options.chunk_ms.min(DETECTION_CHUNK_MS) } else { self.options.chunk_ms };
        let chunk_frames = crate::float::round(rate * post_ms as f64 / 1_000.0).max(128.0);
        let send_bytes = (self.provider_input.rate as u64 * self.options.chunk_ms as u64 / 1_000) as usize
            * self.provider_input.encoding.bytes_per_sample();
        let nodes = capture_node(&self.context, on_message, chunk_frames, &stream)?;
        self.capture = Some(Capture {
            node: nodes.get(0).unchecked_into(),
            source: nodes.get(1).unchecked_into(),
            stream,
            owned,
            pipeline: CapturePipeline::new(rate as u32, self.provider_input),
            scratch: Vec::with_capacity(chunk_frames as usize),
            detector,
            speech_reported: false,
            pending: Vec::with_capacity(send_bytes),
            send_bytes,
        });
        Ok(())
    }

    /// Whether a microphone was attached.
    pub fn detach_microphone(&mut self) -> bool {
        let attached = self.capture.is_some();
        if let Some(capture) = self.capture.take() {
            release_node(&capture.node, true, &capture.source);
            if capture.owned {
                stop_tracks(&capture.stream);
            }
        }
        attached
    }

    /// A capture chunk: PCM16 at the provider rate (empty while muted), about 30 times a second
    /// the input level, and the voice detector's verdict. The chunk is the worklet's copy: nothing
    /// goes back (returning buffers for reuse cost the main thread a `postMessage` per chunk).
    pub fn captured(&mut self, chunk: Float32Array, now_ms: f64) -> Captured {
        let Some(capture) = &mut self.capture else { return Captured { pcm: Vec::new(), level: None, speech: None } };
        // Read through `Array`'s `length` import (the same `value.length` in JS): a typed array's
        // own would be one more import.
        capture.scratch.resize(chunk.unchecked_ref::<js_sys::Array>().length() as usize, 0.0);
        super::convert::copy_f32(&mut capture.scratch, &chunk);
        // Muted, the user is not talking to the assistant: no barge-in either (the detector keeps
        // its noise floor meanwhile).
        let speech = match capture.detector.as_mut().and_then(|d| d.push(&capture.scratch)) {
            Some(VoiceEdge::Started { .. }) if !self.muted => Some(true),
            Some(VoiceEdge::Stopped { .. }) if capture.speech_reported => Some(false),
            _ => None,
        };
        if let Some(started) = speech {
            capture.speech_reported = started;
        }
        let (level, pcm) = capture.pipeline.push(&capture.scratch);
        let pcm = if self.muted {
            capture.pending.clear();
            Vec::new()
        } else if capture.detector.is_none() {
            pcm.to_vec()
        } else {
            capture.pending.extend_from_slice(pcm);
            if capture.pending.len() >= capture.send_bytes {
                core::mem::replace(&mut capture.pending, Vec::with_capacity(capture.send_bytes))
            } else {
                Vec::new()
            }
        };
        let level = (now_ms - self.last_input_level_ms >= 33.0).then(|| {
            self.last_input_level_ms = now_ms;
            level
        });
        Captured { pcm, level, speech }
    }

    /// Releases the microphone, the nodes, and the context if it is ours.
    /// Stops the microphone (if the SDK opened it), disconnects the nodes and closes a context the
    /// SDK created. Idempotent; also what dropping the engine does.
    pub fn close(&mut self) {
        self.detach_microphone();
        if let Some((node, gain)) = self.playback.take() {
            release_node(&node, false, &gain);
        }
        // A second `close()` on a context rejects: close it once.
        if core::mem::take(&mut self.owns_context) {
            close_context(&self.context);
        }
    }
}

impl Drop for AudioEngine {
    fn drop(&mut self) {
        self.close();
    }
}

// Ends a stream the SDK opened (the browser's recording indicator goes off): `getTracks()` and
// each track's `stop()` in JS (in Rust: an array walk, a cast and three imports).
#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    #[wasm_bindgen(js_name = stopTracks)]
    pub(crate) fn stop_tracks(stream: &MediaStream);
}
