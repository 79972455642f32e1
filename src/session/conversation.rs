//! The session's view of the conversation: items in server order and the response in progress.
//! (Assistant audio — what arrived, what was heard — is the playback accounting's, in `playback.rs`.)

use crate::model::{ItemStatus, Role, ServerMessage};
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq)]
pub struct ItemEntry {
    pub id: String,
    pub role: Option<Role>,
    pub status: Option<ItemStatus>,
}

/// Items in server order. Lookups go from the newest end (an item's `done` and the next item's
/// `previousItemId` are almost always about the last items), and a set of ids answers "seen?"
/// without a scan: a long session stays O(1) per event (40,000 items used to take 4 s).
#[derive(Debug, Default)]
pub struct Conversation {
    items: Vec<ItemEntry>,
    ids: HashSet<String>,
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
                if self.ids.contains(&id) {
                    if let Some(existing) = self.items.iter_mut().rev().find(|i| i.id == id) {
                        *existing = entry;
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
