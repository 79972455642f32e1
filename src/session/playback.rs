//! Playback accounting: which assistant audio is played, how much of each item the listener has
//! actually heard, and what to truncate on barge-in.
//!
//! The driver plays what `Output::PlayAudio` hands it and reports back rendered positions — counted
//! by the audio thread from samples actually rendered (silence during an underrun is not counted), not
//! guessed from the wall clock. On barge-in the session asks the driver to stop
//! (`Output::StopPlayback`); the driver fades out, flushes, and reports the final position with the
//! output latency, from which the truncation point follows: heard = played − latency, clamped to the
//! audio received, and no truncation at all when the item was heard to the end.

use crate::prelude::*;
use crate::model::ServerMessage;


/// One assistant audio item.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayedItem {
    pub item_id: String,
    pub response_id: Option<String>,
    pub content_index: u32,
    /// Samples received (at the provider's output rate, in its wire encoding).
    pub received_samples: u64,
    /// Milliseconds rendered so far, as last reported by the driver.
    pub played_ms: f64,
    /// All its audio has arrived (its response is done).
    pub complete: bool,
    /// `playbackEnded` was reported.
    pub ended: bool,
}

/// An item played to its end (for the `playbackEnded` event).
#[derive(Debug, Clone, PartialEq)]
pub struct Ended {
    pub item_id: String,
    pub played_ms: f64,
    pub received_ms: f64,
}

/// What a barge-in did, for the `interrupted` event.
#[derive(Debug, Clone, PartialEq)]
pub struct Interruption {
    pub item_id: String,
    pub played_ms: f64,
    pub output_latency_ms: f64,
    /// What the listener heard: played − output latency, within [0, received].
    pub heard_ms: f64,
    pub received_ms: f64,
    /// The truncation sent (ms), or `None` when the item had been heard to the end.
    pub truncated_at_ms: Option<u32>,
    pub content_index: u32,
}

#[derive(Debug)]
pub struct Playback {
    output_rate: u32,
    /// Bytes a sample takes on the wire (2 for PCM16, 1 for G.711). Non-zero by type: dividing by
    /// it needs no zero check (and no panic path) per delta.
    bytes_per_sample: core::num::NonZeroU64,
    items: Vec<PlayedItem>,
    /// Items and responses cut off: their late audio is not played.
    muted_items: Vec<String>,
    muted_responses: Vec<String>,
    /// An interrupt asked of the driver, not yet confirmed.
    stopping: Option<String>,
}

/// How many finished items to remember (enough for late deltas and reports).
const REMEMBERED_ITEMS: usize = 16;

impl Playback {
    pub fn new(output_rate: u32, bytes_per_sample: usize) -> Self {
        Playback {
            output_rate: output_rate.max(1),
            bytes_per_sample: core::num::NonZeroU64::new(bytes_per_sample as u64).unwrap_or(core::num::NonZeroU64::MIN),
            items: Vec::new(), muted_items: Vec::new(), muted_responses: Vec::new(),
            stopping: None,
        }
    }

    /// An audio delta: whether to play it (late deltas of an interrupted item or response are not).
    pub fn on_audio(&mut self, item_id: &str, response_id: Option<&str>, content_index: u32, bytes: usize) -> bool {
        if self.muted_items.iter().any(|i| i == item_id) || response_id.is_some_and(|r| self.muted_responses.iter().any(|m| m == r)) {
            return false;
        }
        match self.items.iter_mut().find(|i| i.item_id == item_id) {
            Some(item) => item.received_samples += bytes as u64 / self.bytes_per_sample,
            None => {
                if self.items.len() >= REMEMBERED_ITEMS {
                    self.items.remove(0);
                }
                self.items.push(PlayedItem {
                    item_id: item_id.to_owned(),
                    response_id: response_id.map(str::to_owned),
                    content_index,
                    received_samples: bytes as u64 / self.bytes_per_sample,
                    played_ms: 0.0,
                    complete: false,
                    ended: false,
                });
            }
        }
        true
    }

    /// Returns the items that, with this message, are known to have been played to the end.
    pub fn observe(&mut self, message: &ServerMessage) -> Vec<Ended> {
        match message {
            // A new response means new audio; forget the mutes of old ones only by age.
            ServerMessage::ResponseCreated(_) => {
                trim(&mut self.muted_items);
                trim(&mut self.muted_responses);
                Vec::new()
            }
            ServerMessage::ResponseDone(r) => {
                let rate = self.output_rate as f64;
                let mut ended = Vec::new();
                for item in &mut self.items {
                    if item.response_id.is_none() || item.response_id != r.response_id {
                        continue;
                    }
                    item.complete = true;
                    if let Some(end) = end_if_played(item, rate) {
                        ended.push(end);
                    }
                }
                ended
            }
            _ => Vec::new(),
        }
    }

    pub fn progress(&mut self, item_id: &str, played_ms: f64) -> Option<Ended> {
        let rate = self.output_rate as f64;
        let item = self.items.iter_mut().find(|i| i.item_id == item_id)?;
        item.played_ms = item.played_ms.max(played_ms);
        end_if_played(item, rate)
    }

    /// Whether audio received is still to be heard (playing, queued or held).
    pub fn is_audible(&self) -> bool {
        let rate = self.output_rate as f64;
        self.items.iter().any(|i| unheard(i, rate))
    }

    /// Whether `response_id` is still sending audio that has started to play: its listener hears
    /// a reply even while the player waits for the next delta (a network stall empties its queue).
    pub fn is_streaming(&self, response_id: &str) -> bool {
        self.items.iter().any(|i| !i.ended && !i.complete && i.response_id.as_deref() == Some(response_id))
    }

    /// The item to stop, if audio is still to be heard (received beyond what was played), and
    /// marks it stopping. `None`: nothing is playing.
    pub fn begin_interrupt(&mut self) -> Option<String> {
        if self.stopping.is_some() {
            return None;
        }
        let rate = self.output_rate as f64;
        // Audio plays in arrival order: the oldest item with audio left is the one being heard;
        // later ones are queued behind it and flushed with it. All of them are muted.
        let mut id = None;
        for item in &mut self.items {
            if !unheard(item, rate) {
                continue;
            }
            self.muted_items.push(item.item_id.clone());
            if let Some(response_id) = &item.response_id {
                self.muted_responses.push(response_id.clone());
            }
            match id {
                None => id = Some(item.item_id.clone()),
                Some(_) => item.ended = true, // flushed unheard: no `playbackEnded` will come for it
            }
        }
        let id = id?;
        self.stopping = Some(id.clone());
        Some(id)
    }

    /// The driver stopped `item_id` at `played_ms` (rendered), with `output_latency_ms` still in the
    /// pipe to the speaker.
    pub fn stopped(&mut self, item_id: &str, played_ms: f64, output_latency_ms: f64) -> Option<Interruption> {
        if self.stopping.as_deref() == Some(item_id) {
            self.stopping = None;
        }
        let rate = self.output_rate as f64;
        let item = self.items.iter_mut().find(|i| i.item_id == item_id)?;
        item.played_ms = item.played_ms.max(played_ms);
        item.ended = true; // cut off: `interrupted` tells the story, not `playbackEnded`
        let received_ms = item.received_samples as f64 / rate * 1_000.0;
        let latency = if output_latency_ms.is_finite() { output_latency_ms.max(0.0) } else { 0.0 };
        // Not `clamp`: with a bound that is not a constant it keeps its `min > max` assertion, whose
        // message formats floats with `{:?}` and links core's float printer (~15 kB of wasm).
        let heard_ms = (item.played_ms - latency).max(0.0).min(received_ms);
        let heard_all = heard_ms >= received_ms - 0.5;
        Some(Interruption {
            item_id: item.item_id.clone(),
            played_ms: item.played_ms,
            output_latency_ms: latency,
            heard_ms,
            received_ms,
            truncated_at_ms: (!heard_all).then(|| crate::float::floor(heard_ms) as u32),
            content_index: item.content_index,
        })
    }
}

/// Received beyond what was played, and not cut off.
fn unheard(item: &PlayedItem, rate: f64) -> bool {
    !item.ended && item.received_samples as f64 / rate * 1_000.0 > item.played_ms + 0.5
}

/// Reports an item once: complete, not cut off, and rendered to its last sample.
fn end_if_played(item: &mut PlayedItem, rate: f64) -> Option<Ended> {
    let received_ms = item.received_samples as f64 / rate * 1_000.0;
    if item.ended || !item.complete || item.played_ms + 0.01 < received_ms {
        return None;
    }
    item.ended = true;
    Some(Ended { item_id: item.item_id.clone(), played_ms: item.played_ms, received_ms })
}

fn trim(list: &mut Vec<String>) {
    if list.len() > REMEMBERED_ITEMS {
        let excess = list.len() - REMEMBERED_ITEMS;
        list.drain(..excess);
    }
}
