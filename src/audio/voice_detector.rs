//! On-device voice activity detection for barge-in: is the user speaking into the microphone now?
//!
//! An energy detector on 10 ms frames of the captured audio (after the browser's echo canceller),
//! at the device rate: a one-pole high-pass (rumble and hum below ~100 Hz never count), the frame
//! level in dBFS, and three tests a frame must pass to count as speech —
//! - above the noise floor by a margin (the floor follows quiet frames down at once and rises
//!   slowly, so steady background noise becomes the floor);
//! - above an absolute minimum (a silent room's hiss never counts);
//! - above the output's envelope minus an echo allowance: the assistant's own voice leaking back
//!   through the speakers arrives well below what is being played (the echo canceller removes most
//!   of it), the user's voice does not.
//!
//! Speech starts after `onset` consecutive speech frames (sustained: a click is not speech) and
//! stops after `hangover` frames without. `sensitivity` (0–1) moves all of it at once: higher
//! detects sooner and quieter speech, with more false triggers. Why our own and not a model
//! (earshot): see the README (detection delay, false triggers, size, CPU measured).
//!
//! Owns: the frame arithmetic and the onset/offset decision, in samples (no clock).
//! Must never: allocate per chunk, touch the browser, or decide what a detection does (the
//! session's barge-in logic owns that).

/// Frame length: short enough to decide within the barge-in budget, long enough for a stable level.
pub const FRAME_MS: u32 = 10;

/// A change of state, at a sample offset inside the chunk just pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoiceEdge {
    /// Speech began; `at` is the end of the frame that decided it.
    Started { at: usize },
    Stopped { at: usize },
}

/// The thresholds a sensitivity stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VoiceThresholds {
    /// dB above the noise floor.
    pub margin_db: f32,
    /// dBFS below which nothing is speech.
    pub floor_dbfs: f32,
    /// How far below the output envelope the microphone may be and still be the user (dB).
    pub echo_allowance_db: f32,
    /// Consecutive speech frames that start speech.
    pub onset_frames: u32,
    /// Consecutive non-speech frames that end it.
    pub hangover_frames: u32,
}

impl VoiceThresholds {
    /// `sensitivity` in 0–1 (clamped; NaN reads as the default 0.5).
    pub fn for_sensitivity(sensitivity: f64) -> Self {
        let s = if sensitivity.is_finite() { sensitivity.clamp(0.0, 1.0) as f32 } else { 0.5 };
        VoiceThresholds {
            margin_db: 18.0 - 12.0 * s,           // 0.5 → 12 dB
            floor_dbfs: -40.0 - 20.0 * s,         // 0.5 → −50 dBFS
            echo_allowance_db: 4.0 + 12.0 * s,    // 0.5 → the mic may be 10 dB under the output
            onset_frames: crate::float::round(f64::from(4.0 - 4.0 * s)).max(1.0) as u32, // 0.5 → 2 frames (20 ms)
            hangover_frames: 30,                  // 300 ms
        }
    }
}

pub struct VoiceDetector {
    thresholds: VoiceThresholds,
    frame_len: usize,
    /// Samples of the current frame so far, and their energy.
    filled: usize,
    energy: f64,
    /// High-pass state.
    hp_coeff: f32,
    hp_prev_in: f32,
    hp_prev_out: f32,
    noise_floor_db: Option<f32>,
    output_envelope_db: f32,
    run: u32,
    quiet: u32,
    speaking: bool,
}

/// How fast the noise floor may rise (dB per frame: 6 dB/s).
const FLOOR_RISE_DB: f32 = 0.06;
/// How fast the output envelope falls once playback goes quiet (dB per frame: 60 dB/s, after the
/// echo tail of a room has died away).
const ENVELOPE_FALL_DB: f32 = 0.6;
const SILENT_DB: f32 = -120.0;
const DIGITAL_SILENCE_DB: f32 = -100.0;

impl VoiceDetector {
    pub fn new(sample_rate: u32, sensitivity: f64) -> Self {
        let rate = sample_rate.max(8_000) as f32;
        // One-pole high-pass at ~100 Hz.
        let hp_coeff = 1.0 / (1.0 + core::f32::consts::TAU * 100.0 / rate);
        VoiceDetector {
            thresholds: VoiceThresholds::for_sensitivity(sensitivity),
            frame_len: (rate as usize * FRAME_MS as usize / 1_000).max(1),
            filled: 0,
            energy: 0.0,
            hp_coeff,
            hp_prev_in: 0.0,
            hp_prev_out: 0.0,
            noise_floor_db: None,
            output_envelope_db: SILENT_DB,
            run: 0,
            quiet: 0,
            speaking: false,
        }
    }

    pub fn thresholds(&self) -> VoiceThresholds {
        self.thresholds
    }

    pub fn is_speaking(&self) -> bool {
        self.speaking
    }

    /// The level being played (RMS, linear): the reference the echo test compares against.
    pub fn output_level(&mut self, rms: f32) {
        let db = to_db(rms * rms);
        if db > self.output_envelope_db {
            self.output_envelope_db = db;
        }
    }

    /// Microphone samples at the device rate. At most one edge per call is returned (a chunk is
    /// 3–200 ms: never both a start and a stop that matter within one).
    pub fn push(&mut self, samples: &[f32]) -> Option<VoiceEdge> {
        let mut edge = None;
        for (i, &x) in samples.iter().enumerate() {
            let x = if x.is_finite() { x } else { 0.0 };
            let y = self.hp_coeff * (self.hp_prev_out + x - self.hp_prev_in);
            self.hp_prev_in = x;
            self.hp_prev_out = y;
            self.energy += (y * y) as f64;
            self.filled += 1;
            if self.filled == self.frame_len {
                let mean = (self.energy / self.frame_len as f64) as f32;
                self.filled = 0;
                self.energy = 0.0;
                if let Some(e) = self.frame(mean, i + 1) {
                    edge = Some(e);
                }
            }
        }
        edge
    }

    fn frame(&mut self, mean_square: f32, at: usize) -> Option<VoiceEdge> {
        let t = self.thresholds;
        let db = to_db(mean_square);
        self.output_envelope_db = (self.output_envelope_db - ENVELOPE_FALL_DB).max(SILENT_DB);
        // Digital silence (a track that has not started, a muted device) says nothing about the
        // room: it neither sets the floor nor counts as speech.
        if db <= DIGITAL_SILENCE_DB {
            return self.not_speech(at);
        }
        let floor = *self.noise_floor_db.get_or_insert(db);
        let speech = db >= floor + t.margin_db && db >= t.floor_dbfs && db >= self.output_envelope_db - t.echo_allowance_db;
        // The floor: down at once to a quieter frame, up slowly (so speech never becomes it).
        self.noise_floor_db = Some(if db < floor { db } else { (floor + FLOOR_RISE_DB).min(db) });
        if speech {
            self.run += 1;
            self.quiet = 0;
            if !self.speaking && self.run >= t.onset_frames {
                self.speaking = true;
                return Some(VoiceEdge::Started { at });
            }
            None
        } else {
            self.not_speech(at)
        }
    }

    fn not_speech(&mut self, at: usize) -> Option<VoiceEdge> {
        self.run = 0;
        self.quiet += 1;
        if self.speaking && self.quiet >= self.thresholds.hangover_frames {
            self.speaking = false;
            return Some(VoiceEdge::Stopped { at });
        }
        None
    }
}

fn to_db(power: f32) -> f32 {
    if power > 1e-12 {
        10.0 * crate::float::log10(power)
    } else {
        SILENT_DB
    }
}
