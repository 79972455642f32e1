//! The session's view of the conversation: items in server order and the response in progress.
//! (Assistant audio — what arrived, what was heard — is the playback accounting's, in `playback.rs`.)

use crate::model::{ItemStatus, Role, ServerMessage};

#[derive(Debug, Clone, PartialEq)]
pub struct ItemEntry {
    pub id: String,
    pub role: Option<Role>,
    pub status: Option<ItemStatus>,
}

#[derive(Debug, Default)]
pub struct Conversation {
    items: Vec<ItemEntry>,
    active_response: Option<String>,
}

impl Conversation {
    pub fn items(&self) -> &[ItemEntry] {
        &self.items
    }

    pub fn active_response(&self) -> Option<&str> {
        self.active_response.as_deref()
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
            _ => {}
        }
    }
}
