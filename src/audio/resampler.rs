//! A streaming polyphase windowed-sinc resampler for any pair of integer rates.
//!
//! The rate ratio is reduced to L/M (48 kHz → 24 kHz is 1/2, 44.1 kHz → 24 kHz is 80/147). One
//! Kaiser-windowed sinc low-pass, designed at L × the input rate, is split into L phases; each output
//! sample is one dot product of a phase with the latest input samples. The cut-off sits in the middle
//! of a transition band from 0.85 to 1.0 × the lower Nyquist frequency, so the passband is flat to
//! 0.85 × the output Nyquist and everything that would alias (or image) is at least
//! `STOPBAND_DB` down. State (the last taps − 1 samples and the phase) carries across chunks, so
//! chunk boundaries leave no trace: any chunking gives bit-identical output.
//!
//! Odd rate pairs (an app's `AudioContext` at 44,101 Hz gives L = 44,101) would need a table of L
//! phases: hundreds of MB and seconds to build. Above [`MAX_PHASES`] the filter is tabulated at
//! `MAX_PHASES` + 1 evenly spaced fractional positions instead, and each output interpolates
//! linearly between the two nearest (the coefficients are smooth: the error is ~1/N² of the
//! filter, below the stopband). The position still advances in exact rational steps, so there is
//! no drift.
//!
//! Why not `rubato`: its sinc resampler allocates per call unless used through its fixed-size
//! API, pulls in `realfft`/`num` for the FFT variants, and adds tens of kB to the wasm; this file is a
//! few hundred lines, allocation-free after construction (given a reused output buffer), and its
//! quality is measured by the tests in `tests/audio_dsp.rs` rather than assumed.

use crate::prelude::*;

/// Attenuation the filter is designed for (the tests demand ≥ 80 dB).
pub const STOPBAND_DB: f64 = 90.0;
/// Passband edge and stopband edge, as fractions of the lower of the two Nyquist frequencies.
pub const PASSBAND_EDGE: f64 = 0.85;
pub const STOPBAND_EDGE: f64 = 1.0;

/// The most phases tabulated exactly; beyond, the table is interpolated (see the module doc).
pub const MAX_PHASES: usize = 512;

/// What [`Resampler::process`] computes with: output `j` of a stream is the dot product of row
/// `phase` (`taps` coefficients, oldest input first) with the `taps` input samples ending at
/// `newest`, where `newest · up + phase` starts at `(taps − 1) · up` and grows by `down` per output.
/// With `grid > 0` the rows are `grid + 1` evenly spaced positions and an output interpolates
/// linearly between rows `⌊phase · grid / up⌋` and the next.
pub struct PolyphaseTable<'a> {
    pub up: u64,
    pub down: u64,
    pub taps: usize,
    pub phases: &'a [f32],
    pub grid: usize,
}

pub struct Resampler {
    input_rate: u32,
    output_rate: u32,
    /// Interpolation factor L and decimation factor M.
    up: u64,
    down: u64,
    /// Taps per phase.
    taps: usize,
    /// Tabulated phases of `taps` coefficients each, phase-major, ordered oldest input sample
    /// first: `up` exact phases, or `MAX_PHASES + 1` grid phases when `interpolated`.
    phases: Vec<f32>,
    interpolated: bool,
    /// History (`taps - 1` samples) followed by the samples not yet consumed.
    buffer: Vec<f32>,
    /// Position of the next output in the upsampled domain, relative to `buffer[0]` (64 bits: with
    /// L in the hundreds of thousands, a chunk's worth overflows 32).
    position: u64,
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// sin(πx): reduced to |r| ≤ ½ exactly (the period of sin(πx) is 2, and subtracting a whole number
/// from a double loses nothing), then its Taylor series, whose 12th term is below 1e-17 there.
/// Instead of `f64::sin`, whose general argument reduction (Payne–Hanek, with its table of 2/π)
/// cost kilobytes of wasm for a filter design that only ever needs this.
fn sin_pi(x: f64) -> f64 {
    let whole = crate::float::round(x);
    let mut r = x - whole;
    // sin(π(r + n)) = (−1)ⁿ sin(πr).
    if whole % 2.0 != 0.0 {
        r = -r;
    }
    let (angle, square) = (core::f64::consts::PI * r, (core::f64::consts::PI * r) * (core::f64::consts::PI * r));
    // Horner over angle·Σ (−square)ᵏ / (2k+1)!, from the 12th term down.
    let mut sum = 0.0;
    for k in (1..12).rev() {
        sum = 1.0 - square / ((2 * k) as f64 * (2 * k + 1) as f64) * sum;
    }
    angle * sum
}

/// Modified Bessel function of the first kind, order 0 (series; converges fast for Kaiser β).
fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let half = x / 2.0;
    for k in 1..64 {
        term *= (half / k as f64) * (half / k as f64);
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

/// The filter for `input_rate` → `output_rate` with interpolation factor `up` (≠ the decimation
/// factor): its taps per phase, its tabulated phases, and whether they are the interpolated grid.
fn design(input_rate: u32, output_rate: u32, up: u64) -> (usize, Vec<f32>, bool) {
    let upsampled_rate = input_rate as f64 * up as f64;
    let nyquist = input_rate.min(output_rate) as f64 / 2.0;
    let transition = (STOPBAND_EDGE - PASSBAND_EDGE) * nyquist;
    let cutoff = (STOPBAND_EDGE + PASSBAND_EDGE) / 2.0 * nyquist;
    // Kaiser's formulas for the window and its length.
    let beta = 0.1102 * (STOPBAND_DB - 8.7);
    let length = crate::float::ceil((STOPBAND_DB - 7.95) / (2.285 * core::f64::consts::TAU * transition / upsampled_rate)) as u64 + 1;
    let taps = length.div_ceil(up).max(2) as usize;
    let total = taps as f64 * up as f64;
    let center = (total - 1.0) / 2.0;
    let fc = cutoff / upsampled_rate; // cycles per upsampled sample
    let i0_beta = bessel_i0(beta);
    // The prototype at a (possibly fractional) upsampled index `n`.
    let prototype = |n: f64| {
        let t = n - center;
        let sinc = if t == 0.0 { 2.0 * fc } else { sin_pi(2.0 * fc * t) / (core::f64::consts::PI * t) };
        let r = t / (center + 0.5);
        let window = bessel_i0(beta * crate::float::sqrt((1.0 - r * r).max(0.0))) / i0_beta;
        // × up: zero-stuffing divides the signal's gain by `up`.
        sinc * window * up as f64
    };
    let interpolated = up > MAX_PHASES as u64;
    let rows = if interpolated { MAX_PHASES + 1 } else { up as usize };
    // Pushed row by row in order (not zeroed and then indexed: no `vec![0.0; n]` code of its
    // own, no bounds check).
    let mut phases = Vec::with_capacity(rows * taps);
    for row in 0..rows {
        // The row's offset within one input sample, in upsampled samples.
        let offset = if interpolated { row as f64 * up as f64 / MAX_PHASES as f64 } else { row as f64 };
        for i in 0..taps {
            // Coefficient for x[n − k] is h[offset + k·up]; stored oldest sample (k = taps − 1) first.
            let k = (taps - 1 - i) as f64;
            phases.push(prototype(offset + k * up as f64) as f32);
        }
    }
    (taps, phases, interpolated)
}

impl Resampler {
    /// A resampler from `input_rate` to `output_rate` (Hz, both non-zero). Equal rates pass samples
    /// through untouched.
    pub fn new(input_rate: u32, output_rate: u32) -> Resampler {
        let input_rate = input_rate.max(1);
        let output_rate = output_rate.max(1);
        let g = gcd(input_rate, output_rate);
        let (up, down) = ((output_rate / g) as u64, (input_rate / g) as u64);
        // Equal rates (`up` = `down` = 1): one tap of 1.0, no history, never used (`process` passes
        // samples through); built by the same code as a filter.
        let (taps, phases, interpolated) = if up == down { (1, vec![1.0], false) } else { design(input_rate, output_rate, up) };
        Resampler {
            input_rate,
            output_rate,
            up,
            down,
            taps,
            phases,
            interpolated,
            buffer: vec![0.0; taps - 1],
            position: (taps as u64 - 1) * up,
        }
    }
    pub fn input_rate(&self) -> u32 {
        self.input_rate
    }

    pub fn output_rate(&self) -> u32 {
        self.output_rate
    }

    /// Taps per output sample (the cost of one output).
    pub fn taps(&self) -> usize {
        self.taps
    }

    /// Delay the filter adds, in seconds (half the prototype's length, at the upsampled rate).
    pub fn latency_seconds(&self) -> f64 {
        if self.up == self.down {
            return 0.0;
        }
        (self.taps as f64 * self.up as f64 - 1.0) / 2.0 / (self.input_rate as f64 * self.up as f64)
    }

    /// Coefficients held in memory (bounded by `taps × (MAX_PHASES + 1)` whatever the rates).
    pub fn table_len(&self) -> usize {
        self.phases.len()
    }

    /// The filter and its stepping, for a copy that runs elsewhere (the playback worklet converts
    /// on the audio thread with these very coefficients); `None` for equal rates (no filter).
    pub fn table(&self) -> Option<PolyphaseTable<'_>> {
        (self.up != self.down).then(|| PolyphaseTable {
            up: self.up,
            down: self.down,
            taps: self.taps,
            phases: &self.phases,
            grid: if self.interpolated { MAX_PHASES } else { 0 },
        })
    }

    /// How many outputs `input_len` more samples will produce at most (to size buffers).
    pub fn max_output_len(&self, input_len: usize) -> usize {
        ((self.buffer.len() + input_len) as u64 * self.up / self.down) as usize + 1
    }

    /// Resamples `input`, appending to `output`. Allocation-free when `output` has the capacity.
    pub fn process(&mut self, input: &[f32], output: &mut Vec<f32>) {
        if self.up == self.down {
            output.extend_from_slice(input);
            return;
        }
        self.buffer.extend_from_slice(input);
        let (up, taps) = (self.up, self.taps);
        let row = |r: usize| &self.phases[r * taps..(r + 1) * taps];
        // The position as (newest input sample, phase), advanced without dividing: two 64-bit
        // divisions per output sample cost about as much as its dot product.
        let (step, carry) = ((self.down / up) as usize, self.down % up);
        let (mut newest, mut phase) = ((self.position / up) as usize, self.position % up);
        output.reserve(self.max_output_len(0));
        while newest < self.buffer.len() {
            let window = &self.buffer[newest + 1 - taps..=newest];
            let sample = if self.interpolated {
                let x = phase as f64 * MAX_PHASES as f64 / up as f64;
                let (r, frac) = (x as usize, (x - crate::float::floor(x)) as f32);
                let (a, b) = (dot(row(r), window), dot(row(r + 1), window));
                a + (b - a) * frac
            } else {
                dot(row(phase as usize), window)
            };
            output.push(sample);
            newest += step;
            phase += carry;
            if phase >= up {
                phase -= up;
                newest += 1;
            }
        }
        // Keep the history the next output needs.
        let first_needed = (newest + 1).saturating_sub(taps).min(self.buffer.len());
        self.buffer.drain(..first_needed);
        self.position = (newest - first_needed) as u64 * up + phase;
    }

    /// Forgets the history (a new stream).
    pub fn reset(&mut self) {
        if self.up != self.down {
            self.buffer.clear();
            self.buffer.resize(self.taps - 1, 0.0);
            self.position = (self.taps as u64 - 1) * self.up;
        }
    }
}

/// Dot product, 4 lanes of wasm SIMD (the build enables `simd128`, which every current browser
/// runs): the resampler's whole cost. Two accumulators, so consecutive adds do not wait on each
/// other (one running vector sum is a chain of dependent adds as long as the filter).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    use core::arch::wasm32::*;
    let n = a.len().min(b.len());
    let load = |s: &[f32], j: usize| {
        // SAFETY: callers pass j + 3 < n ≤ s.len(); v128_load is unaligned-safe.
        unsafe { v128_load(s.as_ptr().add(j) as *const v128) }
    };
    let (mut even, mut odd) = (f32x4_splat(0.0), f32x4_splat(0.0));
    let mut j = 0;
    while j + 8 <= n {
        even = f32x4_add(even, f32x4_mul(load(a, j), load(b, j)));
        odd = f32x4_add(odd, f32x4_mul(load(a, j + 4), load(b, j + 4)));
        j += 8;
    }
    if j + 4 <= n {
        even = f32x4_add(even, f32x4_mul(load(a, j), load(b, j)));
        j += 4;
    }
    let acc = f32x4_add(even, odd);
    let mut sum = (f32x4_extract_lane::<0>(acc) + f32x4_extract_lane::<1>(acc))
        + (f32x4_extract_lane::<2>(acc) + f32x4_extract_lane::<3>(acc));
    while j < n {
        sum += a[j] * b[j];
        j += 1;
    }
    sum
}

/// Dot product with four independent accumulators (lets the compiler use SIMD lanes without
/// reassociating one sum; also more accurate than one running sum).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 4];
    let chunks = a.len() / 4;
    for i in 0..chunks {
        let j = i * 4;
        acc[0] += a[j] * b[j];
        acc[1] += a[j + 1] * b[j + 1];
        acc[2] += a[j + 2] * b[j + 2];
        acc[3] += a[j + 3] * b[j + 3];
    }
    let mut sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for j in chunks * 4..a.len() {
        sum += a[j] * b[j];
    }
    sum
}

#[cfg(test)]
mod tests {
    /// Within a few ULP of `f64::sin(πx)` over the arguments a filter design meets (a few
    /// thousand half-turns either way), and exactly zero at whole numbers.
    #[test]
    fn sin_pi_is_sin_of_pi_x() {
        for i in -200_000..200_000 {
            let x = i as f64 * 0.013_7;
            let (ours, core) = (super::sin_pi(x), (core::f64::consts::PI * (x - x.round())).sin() * if x.round() % 2.0 != 0.0 { -1.0 } else { 1.0 });
            assert!((ours - core).abs() <= 4.0 * f64::EPSILON, "{x}: {ours} vs {core}");
        }
        for n in -50..50 {
            assert_eq!(super::sin_pi(n as f64), 0.0);
        }
        assert!((super::sin_pi(0.5) - 1.0).abs() <= 4.0 * f64::EPSILON && (super::sin_pi(-1.5) - 1.0).abs() <= 4.0 * f64::EPSILON);
    }
}
