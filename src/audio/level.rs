//! Signal level of a block of samples: RMS and peak, linear (0–1) and in dBFS.

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Level {
    pub rms: f32,
    pub peak: f32,
}

impl Level {
    pub fn of(samples: &[f32]) -> Level {
        if samples.is_empty() {
            return Level::default();
        }
        let (mut sum, mut peak) = (0.0f64, 0.0f32);
        for &s in samples {
            let s = if s.is_nan() { 0.0 } else { s };
            sum += (s as f64) * (s as f64);
            peak = peak.max(s.abs());
        }
        Level { rms: crate::float::sqrt(sum / samples.len() as f64) as f32, peak: peak.min(1.0) }
    }

    /// RMS in dBFS (a full-scale sine is -3 dBFS; silence is -inf, floored at -120).
    pub fn rms_dbfs(&self) -> f32 {
        (20.0 * crate::float::log10(self.rms.max(1e-6))).max(-120.0)
    }

    /// A 0–1 meter value: -60 dBFS and below reads 0, 0 dBFS reads 1.
    pub fn meter(&self) -> f32 {
        ((self.rms_dbfs() + 60.0) / 60.0).clamp(0.0, 1.0)
    }
}
