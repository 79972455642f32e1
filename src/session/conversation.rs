//! The session's view of the conversation: items in server order, and — for a provider that
//! forgets the conversation with its connection (OpenAI) — what each item said: text, transcripts,
//! function calls and results, so it can be replayed on a new connection.
//! (Assistant audio — what arrived, what was heard — is the playback accounting's, in `playback.rs`;
//! responses — which one is streaming, what caused it — the response tracker's, in `responses.rs`.)
//!
//! Must never: keep audio bytes (only transcripts are replayable; audio would grow without bound).

use crate::model::{Content, ItemStatus, Role, ServerMessage};
use super::collections::IdSet;

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
/// without a scan: a long session stays O(1) per event (40,000 items used to take 4 s).
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
                let contents = if self.record_contents { e.item.contents.iter().map(without_audio).collect() } else { Vec::new() };
                let entry = ItemEntry { id: id.clone(), role: e.item.role, status: e.item.status, contents };
                if self.ids.contains(&id) {
                    if let Some(existing) = self.items.iter_mut().rev().find(|i| i.id == id) {
                        let known = std::mem::replace(existing, entry);
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

    /// What arrives about an item after it was added: its final form, streamed text, transcripts,
    /// a truncation.
    fn record(&mut self, message: &ServerMessage) {
        match message {
            ServerMessage::ResponseOutputItemDone(o) => {
                let Some(entry) = o.item.id.as_deref().and_then(|id| self.entry(id)) else { return };
                let known = std::mem::replace(&mut entry.contents, o.item.contents.iter().map(without_audio).collect());
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

/// A part as recorded: audio bytes dropped (the transcript is what a replay can carry).
fn without_audio(content: &Content) -> Content {
    match content {
        Content::Audio { transcript, format, .. } => Content::Audio { audio: None, transcript: transcript.clone(), format: format.clone() },
        other => other.clone(),
    }
}

/// A later report of an item may come without the text learnt meanwhile (a transcript that
/// completed, streamed text): what was known fills what the report leaves empty.
fn keep_known_text(contents: &mut Vec<Content>, known: Vec<Content>) {
    if contents.is_empty() {
        *contents = known;
        return;
    }
    for (part, known) in contents.iter_mut().zip(known) {
        match (part, known) {
            (Content::Audio { transcript: t @ None, .. }, Content::Audio { transcript: Some(k), .. }) => *t = Some(k),
            (Content::Audio { transcript: Some(t), .. }, Content::Audio { transcript: Some(k), .. }) if t.is_empty() => *t = k,
            (Content::Text { text }, Content::Text { text: k }) if text.is_empty() => *text = k,
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
        assert_eq!(c.items().len(), 40_000);
        assert_eq!(c.items()[39_999].id, "item_39999");
    }
}
