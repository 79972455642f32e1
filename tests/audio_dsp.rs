//! The DSP, measured: resampler frequency response with sine sweeps (passband ripple, stopband
//! attenuation, alias/image residue) for every rate pair the SDK meets, chunking invariance, PCM16
//! clamping, G.711 against reference values and round trips, level metering.
#![cfg(not(target_arch = "wasm32"))]

use realtime_wasm::audio::{
    alaw_to_linear, f32_to_i16, f32_to_pcm16, linear_to_alaw, linear_to_mulaw, mulaw_to_linear, pcm16_to_f32, CapturePipeline,
    Level, PlaybackPipeline, Resampler, SampleEncoding, WireAudio, PASSBAND_EDGE,
};
use std::f64::consts::TAU;

const PAIRS: &[(u32, u32)] = &[
    (44_100, 24_000),
    (48_000, 24_000),
    (96_000, 24_000),
    (44_100, 16_000),
    (48_000, 16_000),
    (96_000, 16_000),
    (24_000, 44_100),
    (24_000, 48_000),
    (16_000, 44_100),
    (16_000, 48_000),
    (16_000, 24_000),
    (24_000, 16_000),
    // Odd device rates (an app's own AudioContext): the interpolated table.
    (44_101, 24_000),
    (24_000, 44_101),
    (16_000, 47_999),
];

fn sine(rate: u32, freq: f64, seconds: f64, amplitude: f64) -> Vec<f32> {
    let n = (rate as f64 * seconds) as usize;
    (0..n).map(|i| (amplitude * (TAU * freq * i as f64 / rate as f64).sin()) as f32).collect()
}

/// Resamples in uneven chunks (as audio callbacks deliver it).
fn resample(resampler: &mut Resampler, input: &[f32]) -> Vec<f32> {
    let mut out = Vec::with_capacity(resampler.max_output_len(input.len()));
    let sizes = [128usize, 441, 960, 1, 2_048, 17];
    let (mut at, mut k) = (0, 0);
    while at < input.len() {
        let end = (at + sizes[k % sizes.len()]).min(input.len());
        resampler.process(&input[at..end], &mut out);
        at = end;
        k += 1;
    }
    out
}

/// Least-squares fit of a sine at `freq` over `signal` (steady state): (amplitude, residual RMS).
fn fit(signal: &[f32], rate: u32, freq: f64) -> (f64, f64) {
    let (mut ss, mut cc, mut sc, mut ys, mut yc) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, &y) in signal.iter().enumerate() {
        let phase = TAU * freq * i as f64 / rate as f64;
        let (s, c) = phase.sin_cos();
        ss += s * s;
        cc += c * c;
        sc += s * c;
        ys += y as f64 * s;
        yc += y as f64 * c;
    }
    let det = ss * cc - sc * sc;
    let a = (ys * cc - yc * sc) / det;
    let b = (yc * ss - ys * sc) / det;
    let mut residual = 0.0;
    for (i, &y) in signal.iter().enumerate() {
        let phase = TAU * freq * i as f64 / rate as f64;
        let model = a * phase.sin() + b * phase.cos();
        residual += (y as f64 - model).powi(2);
    }
    ((a * a + b * b).sqrt(), (residual / signal.len() as f64).sqrt())
}

fn rms(signal: &[f32]) -> f64 {
    (signal.iter().map(|&s| (s as f64).powi(2)).sum::<f64>() / signal.len().max(1) as f64).sqrt()
}

fn db(ratio: f64) -> f64 {
    20.0 * ratio.max(1e-12).log10()
}

/// The steady-state part of a resampled tone: after the filter has filled, before the end.
fn steady(out: &[f32], resampler: &Resampler) -> std::ops::Range<usize> {
    let skip = (resampler.latency_seconds() * 2.0 * resampler.output_rate() as f64).ceil() as usize + 8;
    skip..out.len().saturating_sub(skip).max(skip)
}

#[test]
fn resampler_quality_for_every_rate_pair() {
    const AMPLITUDE: f64 = 0.5;
    println!("{:>13} {:>6} {:>9} {:>11} {:>12} {:>12}", "rate pair", "taps", "latency", "ripple dB", "residue dB", "stopband dB");
    for &(input_rate, output_rate) in PAIRS {
        let nyquist = input_rate.min(output_rate) as f64 / 2.0;
        let (mut min_gain, mut max_gain, mut worst_residue) = (f64::MAX, f64::MIN, f64::MIN);
        // Passband sweep up to 0.85 × the lower Nyquist frequency.
        for step in 0..=16 {
            let freq = 40.0 + (PASSBAND_EDGE * nyquist - 40.0) * step as f64 / 16.0;
            let mut r = Resampler::new(input_rate, output_rate);
            let out = resample(&mut r, &sine(input_rate, freq, 0.25, AMPLITUDE));
            let range = steady(&out, &r);
            let (amplitude, residual) = fit(&out[range], output_rate, freq);
            let gain = db(amplitude / AMPLITUDE);
            min_gain = min_gain.min(gain);
            max_gain = max_gain.max(gain);
            worst_residue = worst_residue.max(db(residual / (amplitude / 2f64.sqrt())));
        }
        // Stopband (downsampling): tones between the output and input Nyquist must vanish.
        let mut worst_stopband = f64::MIN;
        if output_rate < input_rate {
            let (low, high) = (output_rate as f64 / 2.0, input_rate as f64 / 2.0 * 0.995);
            for step in 0..=12 {
                let freq = low + (high - low) * step as f64 / 12.0;
                let mut r = Resampler::new(input_rate, output_rate);
                let out = resample(&mut r, &sine(input_rate, freq, 0.25, AMPLITUDE));
                let range = steady(&out, &r);
                worst_stopband = worst_stopband.max(db(rms(&out[range]) / (AMPLITUDE / 2f64.sqrt())));
            }
        }
        let r = Resampler::new(input_rate, output_rate);
        let ripple = max_gain - min_gain;
        println!(
            "{:>6}→{:<6} {:>6} {:>7.2}ms {:>11.4} {:>12.1} {:>12}",
            input_rate, output_rate, r.taps(), r.latency_seconds() * 1e3, ripple, worst_residue,
            if output_rate < input_rate { format!("{worst_stopband:.1}") } else { "n/a".into() }
        );
        assert!(ripple <= 0.1, "{input_rate}→{output_rate}: passband ripple {ripple:.4} dB");
        assert!(min_gain > -0.1 && max_gain < 0.1, "{input_rate}→{output_rate}: gain {min_gain:.4}..{max_gain:.4} dB");
        assert!(worst_residue <= -80.0, "{input_rate}→{output_rate}: alias/image residue {worst_residue:.1} dB");
        if output_rate < input_rate {
            assert!(worst_stopband <= -80.0, "{input_rate}→{output_rate}: stopband only {worst_stopband:.1} dB");
        }
    }
}

/// An odd rate pair used to build one phase per L (24,000 → 767,999 Hz: 768k phases, 6.6 s and
/// hundreds of MB); the table is now bounded whatever the pair.
#[test]
fn odd_rate_pairs_build_a_bounded_table() {
    use realtime_wasm::audio::MAX_PHASES;
    for (input, output) in [(24_000, 767_999), (767_999, 24_000), (24_000, 44_101), (44_100, 24_000)] {
        let r = Resampler::new(input, output);
        assert!(r.table_len() <= r.taps() * (MAX_PHASES + 1), "{input}→{output}: {} coefficients", r.table_len());
        // Downsampling from an extreme rate needs a long filter (taps grow with the ratio); the
        // phases no longer multiply it.
        if input < output {
            assert!(r.table_len() < 1 << 16, "{input}→{output}: {} coefficients", r.table_len());
        }
    }
    // And it still resamples in step: 1 s in, 1 s out, for the extreme pair.
    let mut r = Resampler::new(24_000, 767_999);
    let out = resample(&mut r, &sine(24_000, 440.0, 1.0, 0.5));
    assert!(out.len().abs_diff(767_999) <= 1, "{} outputs for 1 s", out.len());
    let range = steady(&out, &r);
    let (amplitude, _) = fit(&out[range], 767_999, 440.0);
    assert!((db(amplitude / 0.5)).abs() < 0.1, "gain {:.3} dB", db(amplitude / 0.5));
}

/// `n` samples of uniform noise in ±0.5 (a fixed generator: the tests do not depend on luck).
fn noise(n: usize, mut seed: u32) -> Vec<f32> {
    (0..n)
        .map(|_| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        })
        .collect()
}

#[test]
fn chunk_boundaries_leave_no_trace() {
    for &(input_rate, output_rate) in PAIRS {
        let input = noise(9_000, 12_345);
        let mut whole = Vec::new();
        Resampler::new(input_rate, output_rate).process(&input, &mut whole);
        let chunked = resample(&mut Resampler::new(input_rate, output_rate), &input);
        assert_eq!(whole, chunked, "{input_rate}→{output_rate}");
        let expected = input.len() as f64 * output_rate as f64 / input_rate as f64;
        assert!((whole.len() as f64 - expected).abs() <= 1.0, "{input_rate}→{output_rate}: {} outputs for {expected}", whole.len());
    }
}

/// The table the playback worklet runs (`Resampler::table`) is the resampler: its definition —
/// output j is row `phase` · the `taps` inputs ending at `newest`, `newest · up + phase` starting at
/// `(taps − 1) · up` behind `taps − 1` zeros and advancing by `down`; with `grid`, rows
/// interpolated — computed here in f64 gives what `process` gives (the worklet's own test checks
/// its JS against the same definition). A table that dropped a row, reversed the taps or mixed up
/// the stepping fails.
#[test]
fn the_table_handed_to_the_worklet_is_the_resampler() {
    for &(input_rate, output_rate) in &[(24_000, 48_000), (24_000, 44_100), (24_000, 44_101), (16_000, 47_999), (24_000, 16_000)] {
        let input = noise(4_000, 99);
        let mut resampler = Resampler::new(input_rate, output_rate);
        let processed = resample(&mut resampler, &input);
        let fresh = Resampler::new(input_rate, output_rate);
        let t = fresh.table().expect("different rates have a filter");
        let padded: Vec<f64> = std::iter::repeat(0.0).take(t.taps - 1).chain(input.iter().map(|&x| x as f64)).collect();
        let dot = |row: usize, start: usize| -> f64 { (0..t.taps).map(|k| t.phases[row * t.taps + k] as f64 * padded[start + k]).sum() };
        let mut defined = Vec::new();
        let mut position = (t.taps as u64 - 1) * t.up;
        while ((position / t.up) as usize) < padded.len() {
            let (newest, phase) = ((position / t.up) as usize, position % t.up);
            let start = newest + 1 - t.taps;
            defined.push(if t.grid > 0 {
                let x = phase as f64 * t.grid as f64 / t.up as f64;
                let r = x.floor() as usize;
                let (a, b) = (dot(r, start), dot(r + 1, start));
                a + (b - a) * (x - x.floor())
            } else {
                dot(phase as usize, start)
            });
            position += t.down;
        }
        assert_eq!(processed.len(), defined.len(), "{input_rate}→{output_rate}");
        let worst = processed.iter().zip(&defined).map(|(&p, &d)| (p as f64 - d).abs()).fold(0.0, f64::max);
        assert!(worst < 1e-5, "{input_rate}→{output_rate}: off by {worst}");
    }
}

#[test]
fn equal_rates_pass_through_and_reset_forgets() {
    let mut r = Resampler::new(24_000, 24_000);
    let mut out = Vec::new();
    r.process(&[0.1, -0.2, 0.3], &mut out);
    assert_eq!(out, [0.1, -0.2, 0.3]);
    assert_eq!(r.latency_seconds(), 0.0);
    let mut r = Resampler::new(48_000, 24_000);
    let input = sine(48_000, 1_000.0, 0.05, 0.5);
    let mut first = Vec::new();
    r.process(&input, &mut first);
    r.reset();
    let mut second = Vec::new();
    r.process(&input, &mut second);
    assert_eq!(first, second);
}

#[test]
fn pcm16_clamps_instead_of_wrapping() {
    assert_eq!(f32_to_i16(1.0), 32_767);
    assert_eq!(f32_to_i16(-1.0), -32_768);
    assert_eq!(f32_to_i16(1.5), 32_767);
    assert_eq!(f32_to_i16(-7.0), -32_768);
    assert_eq!(f32_to_i16(f32::NAN), 0);
    assert_eq!(f32_to_i16(f32::INFINITY), 32_767);
    assert_eq!(f32_to_i16(0.5), 16_384);
    let mut bytes = Vec::new();
    f32_to_pcm16(&[1.0, -1.0, 0.0], &mut bytes);
    assert_eq!(bytes, [0xFF, 0x7F, 0x00, 0x80, 0x00, 0x00]);
    let mut back = Vec::new();
    pcm16_to_f32(&bytes, &mut back);
    assert_eq!(back, [32_767.0 / 32_768.0, -1.0, 0.0]);
    // Every 16-bit value survives a round trip through float.
    for v in i16::MIN..=i16::MAX {
        let mut f = Vec::new();
        pcm16_to_f32(&v.to_le_bytes(), &mut f);
        assert_eq!(f32_to_i16(f[0]), v);
    }
}

#[test]
fn g711_matches_reference_values() {
    // ITU-T G.711 reference points (silence, extremes, segment edges).
    assert_eq!(linear_to_mulaw(0), 0xFF);
    assert_eq!(mulaw_to_linear(0xFF), 0);
    assert_eq!(mulaw_to_linear(0x00), -32_124);
    assert_eq!(mulaw_to_linear(0x80), 32_124);
    assert_eq!(linear_to_mulaw(32_767), 0x80);
    assert_eq!(linear_to_mulaw(-32_768), 0x00);
    assert_eq!(mulaw_to_linear(0xEF), 132); // segment 1, mantissa 0
    assert_eq!(linear_to_alaw(0), 0xD5);
    assert_eq!(alaw_to_linear(0xD5), 8);
    assert_eq!(alaw_to_linear(0x55), -8);
    assert_eq!(alaw_to_linear(0xAA), 32_256);
    assert_eq!(alaw_to_linear(0x2A), -32_256);
    assert_eq!(linear_to_alaw(32_767), 0xAA);
    assert_eq!(linear_to_alaw(-32_768), 0x2A);
}

#[test]
fn g711_codes_round_trip_and_quantise_monotonically() {
    for code in 0u8..=255 {
        let linear = alaw_to_linear(code);
        assert_eq!(linear_to_alaw(linear), code, "A-law code {code:#04x} ({linear})");
        let linear = mulaw_to_linear(code);
        // μ-law has two zeros (0x7F and 0xFF); zero encodes as 0xFF.
        let expected = if code == 0x7F { 0xFF } else { code };
        assert_eq!(linear_to_mulaw(linear), expected, "μ-law code {code:#04x} ({linear})");
    }
    // Encoding then decoding never moves a sample by more than half its segment's step, and never
    // backwards.
    let (mut last_mu, mut last_a) = (i16::MIN, i16::MIN);
    for v in i16::MIN..=i16::MAX {
        let (mu, a) = (mulaw_to_linear(linear_to_mulaw(v)), alaw_to_linear(linear_to_alaw(v)));
        assert!(mu >= last_mu && a >= last_a, "not monotonic at {v}");
        let step = |x: i16| ((x as i32).abs() / 16).max(16);
        assert!((mu as i32 - v as i32).abs() <= step(v).max(1_100), "μ-law {v} → {mu}");
        assert!((a as i32 - v as i32).abs() <= step(v).max(1_100), "A-law {v} → {a}");
        last_mu = mu;
        last_a = a;
    }
}

/// Issue #12.5: the capture and playback pipelines carry G.711 end to end — a 48 kHz tone leaves
/// as 8 kHz μ-law/A-law bytes (one a sample) and comes back as the same tone at 48 kHz, with the
/// signal-to-noise ratio G.711 promises (≈ 38 dB for a loud sine; PCM16 bytes read as G.711, or
/// the reverse, are noise).
#[test]
fn g711_pipelines_carry_a_tone_both_ways() {
    for encoding in [SampleEncoding::MuLaw, SampleEncoding::ALaw, SampleEncoding::Pcm16] {
        let wire = WireAudio { encoding, rate: 8_000 };
        let mut capture = CapturePipeline::new(48_000, wire);
        let mut playback = PlaybackPipeline::new(wire, 48_000);
        let tone = sine(48_000, 440.0, 1.0, 0.5);
        let (mut bytes, mut back) = (Vec::new(), Vec::new());
        for chunk in tone.chunks(960) {
            let (_, sent) = capture.push(chunk);
            bytes.extend_from_slice(sent);
            back.extend_from_slice(playback.push(sent));
        }
        let samples = bytes.len() / encoding.bytes_per_sample();
        assert!((7_900..=8_000).contains(&samples), "{encoding:?}: {samples} wire samples for 1 s");
        let steady = &back[4_800..back.len() - 4_800];
        let (amplitude, residual) = fit(steady, 48_000, 440.0);
        let snr = db(amplitude / 2f64.sqrt() / residual);
        assert!((amplitude - 0.5).abs() < 0.01, "{encoding:?}: amplitude {amplitude}");
        let floor = if encoding == SampleEncoding::Pcm16 { 70.0 } else { 35.0 };
        assert!(snr > floor, "{encoding:?}: SNR {snr:.1} dB");
        // The wrong decoder for these bytes is noise, not the tone.
        let other = if encoding == SampleEncoding::MuLaw { SampleEncoding::Pcm16 } else { SampleEncoding::MuLaw };
        let mut wrong = Vec::new();
        other.decode(&bytes, &mut wrong);
        let (_, wrong_residual) = fit(&wrong, 8_000, 440.0);
        assert!(wrong_residual > 0.05, "{encoding:?} read as {other:?} still fits the tone");
    }
}

/// The playback worklet takes 16-bit samples at the provider rate and scales them itself; when it
/// cannot resample, the main thread resamples what it decoded that way. Either road gives exactly
/// what decoding straight to floats and resampling gives, for every encoding (a trailing half
/// sample is dropped on both).
#[test]
fn linear_decoding_then_resampling_is_the_float_pipeline() {
    for encoding in [SampleEncoding::MuLaw, SampleEncoding::ALaw, SampleEncoding::Pcm16] {
        let wire = WireAudio { encoding, rate: 24_000 };
        let mut capture = CapturePipeline::new(24_000, wire);
        let (_, sent) = capture.push(&sine(24_000, 440.0, 0.1, 0.7));
        let mut bytes = sent.to_vec();
        bytes.push(0x7f);
        let (mut direct, mut linear) = (PlaybackPipeline::new(wire, 44_100), PlaybackPipeline::new(wire, 44_100));
        let mut floats = Vec::new();
        encoding.decode(&bytes, &mut floats);
        let mut samples = Vec::new();
        linear.decode(&bytes, &mut samples);
        assert_eq!(samples.len(), floats.len(), "{encoding:?}");
        assert!(samples.iter().zip(&floats).all(|(&s, &f)| s as f32 / 32768.0 == f), "{encoding:?}: the linear samples are the floats, unscaled");
        let expected = direct.push(&bytes).to_vec();
        assert!(expected.len() > 4_000, "{encoding:?}: {} frames", expected.len());
        assert_eq!(linear.resample(&samples), &expected[..], "{encoding:?}");
    }
}

#[test]
fn level_meter_reads_rms_peak_and_dbfs() {
    let tone = sine(48_000, 1_000.0, 0.1, 0.5);
    let level = Level::of(&tone);
    assert!((level.rms - 0.5 / 2f32.sqrt()).abs() < 1e-3);
    assert!((level.peak - 0.5).abs() < 1e-3);
    assert!((level.rms_dbfs() - (-9.03)).abs() < 0.05);
    assert_eq!(Level::of(&[]).meter(), 0.0);
    assert_eq!(Level::of(&[0.0; 128]).rms_dbfs(), -120.0);
    assert_eq!(Level::of(&[1.0, -1.0]).meter(), 1.0);
    assert_eq!(Level::of(&[f32::NAN, 0.5]).peak, 0.5);
}
