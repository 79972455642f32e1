//! The session's view of the conversation: items in server order, and — for a provider that
//! forgets the conversation with its connection (OpenAI) — what each item said: text, transcripts,
//! function calls and results, so it can be replayed on a new connection.
//! (Assistant audio — what arrived, what was heard — is the playback accounting's, in `playback.rs`;
//! responses — which one is streaming, what caused it — the response tracker's, in `responses.rs`.)
//!
//! Must never: keep audio bytes (only transcripts are replayable; audio would grow without bound),
//! or grow with the length of a call: it keeps the newest [`MAX_CONVERSATION_ITEMS`] items and, of what they
//! say, the newest [`MAX_RECORDED_BYTES`]; older items are forgotten, oldest first.

use crate::prelude::*;
use crate::model::{Content, ItemStatus, Role, ServerMessage};
use super::collections::IdSet;
use crate::json::Json;

/// The most items the view keeps. A replay of more could not help: the model's context holds
/// less (and a long call's view must not grow without bound: the hour-long soak grew by 3 kB a
/// minute before).
pub const MAX_CONVERSATION_ITEMS: usize = 1_000;

/// The most text (texts, transcripts, call arguments and results) the recorded items keep for a
/// replay: ≈ 64k tokens, twice the context window of OpenAI's realtime models.
pub const MAX_RECORDED_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct ItemEntry {
    pub id: String,
    pub role: Option<Role>,
    pub status: Option<ItemStatus>,
    /// What the item said, audio bytes left out (kept only when contents are recorded).
    pub contents: Vec<Content>,
}

/// Items in server order. Lookups go from the newest end (an item's `done` and the next item's
/// `previousItemId` are almost always about the last items), and a set of ids answers "seen?"
/// without a scan: a long session stays O(1) per event (40,000 items used to take 4 s), but for
/// adding an item to a recording view, which sums what the (at most [`MAX_CONVERSATION_ITEMS`])
/// items say.
#[derive(Debug, Default)]
pub struct Conversation {
    items: Vec<ItemEntry>,
    ids: IdSet,
    /// Keep what items say (for a replay on a new connection).
    record_contents: bool,
}

impl Conversation {
    /// A view that also records what items say (text, transcripts, calls and results).
    pub fn recording_contents() -> Self {
        Conversation { record_contents: true, ..Conversation::default() }
    }

    pub fn items(&self) -> &[ItemEntry] {
        &self.items
    }

    pub fn observe(&mut self, message: &ServerMessage) {
        match message {
            ServerMessage::ConversationItemAdded(e) | ServerMessage::ConversationItemDone(e) => {
                let Some(id) = e.item.id.clone() else { return };
                let contents = if self.record_contents { without_audio(&e.item.contents) } else { Vec::new() };
                let entry = ItemEntry { id: id.clone(), role: e.item.role, status: e.item.status, contents };
                if self.ids.contains(&id) {
                    if let Some(existing) = self.items.iter_mut().rev().find(|i| i.id == id) {
                        let known = core::mem::replace(existing, entry);
                        keep_known_text(&mut existing.contents, known.contents);
                    }
                    return;
                }
                let at = match e.previous_item_id.as_deref() {
                    Some("root") => 0,
                    Some(previous) if self.ids.contains(previous) => {
                        self.items.iter().rposition(|i| i.id == previous).map_or(self.items.len(), |p| p + 1)
                    }
                    _ => self.items.len(),
                };
                self.ids.insert(id);
                self.items.insert(at, entry);
                self.forget_oldest();
            }
            ServerMessage::ConversationItemDeleted(r) => {
                if self.ids.remove(&r.item_id) {
                    self.items.retain(|i| i.id != r.item_id);
                }
            }
            _ if self.record_contents => self.record(message),
            _ => {}
        }
    }

    /// Over [`MAX_CONVERSATION_ITEMS`] or [`MAX_RECORDED_BYTES`]: the oldest items go, down to nine tenths of
    /// the limit, so a long call forgets in batches rather than shifting the view at every item.
    /// Checked as items are added (an item's text streamed after it was added counts from the next).
    /// A forgotten item reported again (a late `done`) comes back as a new one, at the end.
    fn forget_oldest(&mut self) {
        let recorded = if self.record_contents { recorded_bytes(&self.items) } else { 0 };
        let mut over_bytes = if recorded > MAX_RECORDED_BYTES { recorded - MAX_RECORDED_BYTES / 10 * 9 } else { 0 };
        let mut forget = if self.items.len() > MAX_CONVERSATION_ITEMS { self.items.len() - MAX_CONVERSATION_ITEMS / 10 * 9 } else { 0 };
        over_bytes = over_bytes.saturating_sub(recorded_bytes(&self.items[..forget]));
        // The newest item stays, however large: it is the one being talked about.
        while over_bytes > 0 && forget + 1 < self.items.len() {
            over_bytes = over_bytes.saturating_sub(recorded_bytes(&self.items[forget..=forget]));
            forget += 1;
        }
        for entry in self.items.drain(..forget) {
            self.ids.remove(&entry.id);
        }
    }

    /// What arrives about an item after it was added: its final form, streamed text, transcripts,
    /// a truncation.
    fn record(&mut self, message: &ServerMessage) {
        match message {
            ServerMessage::ResponseOutputItemDone(o) => {
                let Some(entry) = o.item.id.as_deref().and_then(|id| self.entry(id)) else { return };
                let known = core::mem::replace(&mut entry.contents, without_audio(&o.item.contents));
                entry.status = o.item.status.or(entry.status);
                keep_known_text(&mut entry.contents, known);
            }
            ServerMessage::OutputTextDelta(t) | ServerMessage::OutputAudioTranscriptionDelta(t) => {
                let audio = matches!(message, ServerMessage::OutputAudioTranscriptionDelta(_));
                if let Some(text) = self.part_text(&t.position.item_id, t.position.content_index, audio) {
                    text.push_str(&t.text);
                }
            }
            ServerMessage::OutputTextDone(t) | ServerMessage::OutputAudioTranscriptionDone(t) => {
                let audio = matches!(message, ServerMessage::OutputAudioTranscriptionDone(_));
                if let Some(text) = self.part_text(&t.position.item_id, t.position.content_index, audio) {
                    text.clone_from(&t.text);
                }
            }
            ServerMessage::InputAudioTranscriptionCompleted(t) => {
                if let (Some(text), Some(done)) = (self.part_text(&t.item_id, t.content_index, true), &t.transcription) {
                    text.clone_from(done);
                }
            }
            // The server drops the transcript of what was not heard; so does the replay.
            ServerMessage::ConversationItemTruncated(t) => {
                if let Some(Content::Audio { transcript, .. }) = self.entry(&t.item_id).and_then(|e| e.contents.get_mut(t.content_index as usize)) {
                    *transcript = None;
                }
            }
            _ => {}
        }
    }

    fn entry(&mut self, id: &str) -> Option<&mut ItemEntry> {
        if !self.ids.contains(id) {
            return None;
        }
        self.items.iter_mut().rev().find(|i| i.id == id)
    }

    /// The text (or, for audio, the transcript) of part `index` of item `id`, the part created when
    /// it is the next one (streamed output announces its parts only in events left unmapped).
    fn part_text(&mut self, id: &str, index: u32, audio: bool) -> Option<&mut String> {
        let entry = self.entry(id)?;
        let index = index as usize;
        if index == entry.contents.len() {
            entry.contents.push(if audio {
                Content::Audio { audio: None, transcript: Some(String::new()), format: None }
            } else {
                Content::Text { text: String::new() }
            });
        }
        match entry.contents.get_mut(index)? {
            Content::Text { text } => Some(text),
            Content::Audio { transcript, .. } => Some(transcript.get_or_insert_with(String::new)),
            _ => None,
        }
    }
}

/// Bytes of text entries keep (what [`MAX_RECORDED_BYTES`] counts).
fn recorded_bytes(entries: &[ItemEntry]) -> usize {
    // Over a slice (every caller sums several entries) and with `+=`, not `map(..).sum()`: each
    // `Map` adapter's fold is code of its own.
    let mut bytes = 0;
    for content in entries.iter().flat_map(|e| &e.contents) {
        bytes += match content {
            Content::Text { text } => text.len(),
            Content::Audio { transcript, .. } => transcript.as_ref().map_or(0, String::len),
            Content::Image { image_url, .. } => image_url.len(),
            Content::FunctionCall { name, arguments, .. } => name.len() + arguments.len(),
            Content::FunctionResult { result, error, .. } => json_bytes(result) + error.as_ref().map_or(0, String::len),
            Content::Error { error } => error.message.len(),
            Content::Raw { value } => json_bytes(value),
        };
    }
    bytes
}

/// About the length of `value` as JSON text (its strings, numbers and keys).
fn json_bytes(value: &Json) -> usize {
    match value {
        Json::Null | Json::Bool(_) => 4,
        Json::Number(n) => n.len(),
        Json::String(s) => s.len() + 2,
        Json::Array(items) => {
            let mut bytes = 2;
            for item in items {
                bytes += json_bytes(item) + 1;
            }
            bytes
        }
        Json::Object(pairs) => {
            let mut bytes = 2;
            for (key, value) in pairs {
                bytes += key.len() + 4 + json_bytes(value);
            }
            bytes
        }
    }
}

/// Parts as recorded: audio bytes dropped (the transcript is what a replay can carry).
fn without_audio(contents: &[Content]) -> Vec<Content> {
    // A loop, not `map(..).collect()`: the iterator's collect code is per element type.
    let mut out = Vec::with_capacity(contents.len());
    for content in contents {
        out.push(match content {
            Content::Audio { transcript, format, .. } => Content::Audio { audio: None, transcript: transcript.clone(), format: format.clone() },
            other => other.clone(),
        });
    }
    out
}

/// A later report of an item may come without the text learnt meanwhile (a transcript that
/// completed, streamed text): what was known fills what the report leaves empty.
fn keep_known_text(contents: &mut Vec<Content>, mut known: Vec<Content>) {
    if contents.is_empty() {
        *contents = known;
        return;
    }
    // Texts taken out of `known` in place, which then goes whole (not consumed part by part: an
    // `IntoIter<Content>` and a drop per unmatched part cost more wasm).
    for (part, known) in contents.iter_mut().zip(known.iter_mut()) {
        match (part, known) {
            (Content::Audio { transcript: t @ None, .. }, Content::Audio { transcript: k @ Some(_), .. }) => *t = k.take(),
            (Content::Audio { transcript: Some(t), .. }, Content::Audio { transcript: Some(k), .. }) if t.is_empty() => *t = core::mem::take(k),
            (Content::Text { text }, Content::Text { text: k }) if text.is_empty() => *text = core::mem::take(k),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConversationItem, ConversationItemEvent, ItemReference};

    fn added(id: &str, previous: Option<&str>) -> ServerMessage {
        let item = ConversationItem { id: Some(id.into()), ..ConversationItem::default() };
        ServerMessage::ConversationItemAdded(ConversationItemEvent { message_id: None, previous_item_id: previous.map(Into::into), item })
    }

    fn order(c: &Conversation) -> Vec<&str> {
        c.items().iter().map(|i| i.id.as_str()).collect()
    }

    #[test]
    fn items_keep_server_order_through_inserts_updates_and_deletes() {
        let mut c = Conversation::default();
        for m in [added("a", None), added("c", Some("a")), added("b", Some("a")), added("z", Some("root")), added("d", Some("unknown"))] {
            c.observe(&m);
        }
        assert_eq!(order(&c), ["z", "a", "b", "c", "d"]);
        let mut done = ConversationItem { id: Some("b".into()), status: Some(ItemStatus::Completed), ..ConversationItem::default() };
        done.role = Some(Role::User);
        c.observe(&ServerMessage::ConversationItemDone(ConversationItemEvent { message_id: None, previous_item_id: None, item: done }));
        assert_eq!(order(&c), ["z", "a", "b", "c", "d"], "done updates in place");
        assert_eq!(c.items()[2].status, Some(ItemStatus::Completed));
        c.observe(&ServerMessage::ConversationItemDeleted(ItemReference { message_id: None, item_id: "a".into(), previous_item_id: None }));
        c.observe(&added("a", Some("d")));
        assert_eq!(order(&c), ["z", "b", "c", "d", "a"], "a deleted id can come back");
    }

    /// A long session: 40,000 items, each added then done (quadratic before: ~4 s).
    #[test]
    fn a_long_conversation_stays_linear() {
        let mut c = Conversation::default();
        let mut previous: Option<String> = None;
        for i in 0..40_000 {
            let id = format!("item_{i}");
            c.observe(&added(&id, previous.as_deref()));
            let item = ConversationItem { id: Some(id.clone()), status: Some(ItemStatus::Completed), ..ConversationItem::default() };
            c.observe(&ServerMessage::ConversationItemDone(ConversationItemEvent { message_id: None, previous_item_id: None, item }));
            previous = Some(id);
        }
        assert!((MAX_CONVERSATION_ITEMS * 9 / 10..=MAX_CONVERSATION_ITEMS).contains(&c.items().len()), "{}", c.items().len());
        assert_eq!(c.items().last().map(|i| i.id.as_str()), Some("item_39999"));
    }

    fn said(id: &str, text: &str) -> ServerMessage {
        let item = ConversationItem { id: Some(id.into()), contents: vec![Content::Text { text: text.into() }], ..ConversationItem::default() };
        ServerMessage::ConversationItemAdded(ConversationItemEvent { message_id: None, previous_item_id: None, item })
    }

    /// A long call keeps the newest items, in order, and forgets the oldest: their ids too (a
    /// forgotten id is news again).
    #[test]
    fn the_view_keeps_the_newest_items_and_forgets_the_oldest() {
        let mut c = Conversation::recording_contents();
        for i in 0..MAX_CONVERSATION_ITEMS + 1 {
            c.observe(&said(&format!("item_{i}"), "hi"));
        }
        let kept = c.items().len();
        assert_eq!(kept, MAX_CONVERSATION_ITEMS / 10 * 9, "forgotten in one batch down to nine tenths");
        let first = MAX_CONVERSATION_ITEMS + 1 - kept;
        assert_eq!(c.items()[0].id, format!("item_{first}"));
        assert!(c.items().windows(2).all(|w| w[0].id < w[1].id || w[0].id.len() < w[1].id.len()), "in order");
        assert!(!c.ids.contains("item_0") && c.ids.contains(&format!("item_{first}")));
        c.observe(&said("item_0", "back"));
        assert_eq!(c.items().last().map(|i| i.id.as_str()), Some("item_0"));
        assert_eq!(c.ids.len(), c.items().len(), "one id per item kept");
    }

    /// What the items say is bounded too (a replay can carry no more than a context): the oldest
    /// go, down to nine tenths; the newest stays however large it is.
    #[test]
    fn recorded_text_is_bounded_and_the_newest_item_stays() {
        let mut c = Conversation::recording_contents();
        let large = "x".repeat(MAX_RECORDED_BYTES / 4);
        for i in 0..4 {
            c.observe(&said(&format!("item_{i}"), &large));
        }
        assert_eq!(c.items().len(), 4, "exactly at the limit: all kept");
        c.observe(&said("item_4", "one more"));
        let total: usize = recorded_bytes(c.items());
        assert!(total <= MAX_RECORDED_BYTES / 10 * 9, "{total}");
        assert_eq!(c.items().iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["item_1", "item_2", "item_3", "item_4"]);
        c.observe(&said("huge", &"y".repeat(MAX_RECORDED_BYTES * 2)));
        assert_eq!(c.items().iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["huge"], "alone over the limit, and kept");
        // Both limits over at once: what the count forgets counts against the bytes too (no more
        // is forgotten than the bytes need).
        // Texts sized so that the item over the count is also the one over the bytes.
        let mut both = Conversation::recording_contents();
        let text = "z".repeat(MAX_RECORDED_BYTES / MAX_CONVERSATION_ITEMS);
        for i in 0..=MAX_CONVERSATION_ITEMS {
            both.observe(&said(&format!("item_{i}"), &text));
        }
        assert_eq!(both.items().len(), MAX_CONVERSATION_ITEMS / 10 * 9);
        // Without recording (a provider that keeps the conversation) only the count is bounded.
        let mut plain = Conversation::default();
        for i in 0..10 {
            plain.observe(&said(&format!("item_{i}"), &large));
        }
        assert_eq!(plain.items().len(), 10);
    }
}
