//! The session's view of the conversation: items in server order, the response in progress, and the
//! assistant item being spoken (with how much of its audio has arrived, which bounds truncation).

use crate::model::{ItemStatus, Role, ServerMessage};

#[derive(Debug, Clone, PartialEq)]
pub struct ItemEntry {
    pub id: String,
    pub role: Option<Role>,
    pub status: Option<ItemStatus>,
}

/// The assistant audio item currently arriving or playing.
#[derive(Debug, Clone, PartialEq)]
pub struct SpokenItem {
    pub item_id: String,
    pub response_id: Option<String>,
    pub content_index: u32,
    /// PCM16 bytes received so far.
    pub audio_bytes: usize,
}

#[derive(Debug, Default)]
pub struct Conversation {
    items: Vec<ItemEntry>,
    active_response: Option<String>,
    spoken: Option<SpokenItem>,
}

impl Conversation {
    pub fn items(&self) -> &[ItemEntry] {
        &self.items
    }

    pub fn active_response(&self) -> Option<&str> {
        self.active_response.as_deref()
    }

    pub fn spoken(&self) -> Option<&SpokenItem> {
        self.spoken.as_ref()
    }

    pub fn observe(&mut self, message: &ServerMessage) {
        match message {
            ServerMessage::ConversationItemAdded(e) | ServerMessage::ConversationItemDone(e) => {
                let Some(id) = e.item.id.clone() else { return };
                let entry = ItemEntry { id: id.clone(), role: e.item.role, status: e.item.status };
                if let Some(existing) = self.items.iter_mut().find(|i| i.id == id) {
                    *existing = entry;
                    return;
                }
                let at = match e.previous_item_id.as_deref() {
                    Some("root") => 0,
                    Some(previous) => self.items.iter().position(|i| i.id == previous).map_or(self.items.len(), |p| p + 1),
                    None => self.items.len(),
                };
                self.items.insert(at, entry);
            }
            ServerMessage::ConversationItemDeleted(r) => self.items.retain(|i| i.id != r.item_id),
            ServerMessage::ResponseCreated(r) if r.in_conversation != Some(false) => {
                self.active_response = r.response_id.clone();
            }
            ServerMessage::ResponseDone(r) => {
                if self.active_response == r.response_id {
                    self.active_response = None;
                }
            }
            ServerMessage::OutputAudioDelta(a) => {
                let bytes = a.audio.as_ref().map_or(0, |d| d.len());
                match &mut self.spoken {
                    Some(s) if s.item_id == a.position.item_id => s.audio_bytes += bytes,
                    _ => {
                        self.spoken = Some(SpokenItem {
                            item_id: a.position.item_id.clone(),
                            response_id: a.position.response_id.clone(),
                            content_index: a.position.content_index,
                            audio_bytes: bytes,
                        })
                    }
                }
            }
            ServerMessage::ConversationItemTruncated(t) => {
                if self.spoken.as_ref().is_some_and(|s| s.item_id == t.item_id) {
                    self.spoken = None;
                }
            }
            _ => {}
        }
    }
}
