//! Carrying a conversation to a new connection of a provider that forgets it with the old one
//! (OpenAI): the items replayed, their acknowledgements, and the two-way mapping between the ids
//! the new connection gives the replayed items and the ids the app knows.
//!
//! The session asks for a replay when a resumed connection opens; each replayed item goes out as a
//! `createConversationItem` tagged with a message id of ours, and the server acknowledges it with
//! `conversationItemAdded` (in order) or refuses it with an `error` naming that message id. Those
//! echoes are the session's, not news for the app: [`Replay::acknowledge`] takes them. Once every
//! item is acknowledged the resumed session is open.
//!
//! Must never: decide what a provider can replay (the codec's `replay_item`), send anything, or
//! rename an id the app did not get from an earlier connection.

use crate::prelude::*;
use crate::text::text;
use crate::model::{ClientMessage, ConversationItem, ServerMessage};
use super::collections::{IdMap, IdSet};

/// The message ids of replayed items start with this (a server error echoing one is about a replay).
pub const REPLAY_MESSAGE_PREFIX: &str = "rtw_replay_";

#[derive(Debug, Default)]
pub struct Replay {
    /// Replayed items not yet acknowledged, oldest first: (message id, the id the app knows). A
    /// `Vec` (a replay is a conversation's worth of items): `VecDeque`'s ring code costs more wasm.
    waiting: Vec<(String, String)>,
    /// Echoes still to come for acknowledged items (`conversationItemDone`), by server id.
    echoes: IdSet,
    /// App id → id on the current connection, and back.
    to_server: IdMap<String>,
    to_app: IdMap<String>,
    sent: u64,
}

/// What a message meant for the replay.
#[derive(Debug, Clone, PartialEq)]
pub enum Acknowledged {
    /// Not about the replay: deliver it.
    No,
    /// An echo of a replayed item: swallowed.
    Echo,
    /// The server refused a replayed item (the error is for the app).
    Refused,
}

impl Replay {
    /// The message that replays `item` (which the app knows as `app_id`), after those of the
    /// items before it. A new connection's replay starts from [`Replay::forget`]: the old one's
    /// ids mean nothing any more.
    pub fn item(&mut self, app_id: String, item: ConversationItem) -> ClientMessage {
        self.sent += 1;
        let message_id = text!(REPLAY_MESSAGE_PREFIX, self.sent);
        self.waiting.push((message_id.clone(), app_id));
        ClientMessage::CreateConversationItem { message_id: Some(message_id), item, previous_item_id: None }
    }

    /// The connection is gone: so are its ids and whatever it had still to acknowledge.
    pub fn forget(&mut self) {
        self.waiting.clear();
        self.echoes.clear();
        self.to_server.clear();
        self.to_app.clear();
    }

    /// Whether replayed items are still waiting for the server.
    pub fn in_progress(&self) -> bool {
        !self.waiting.is_empty()
    }

    /// Takes the server's echo of a replayed item (mapping its new id to the app's) or its refusal.
    /// `message` still has the server's ids.
    pub fn acknowledge(&mut self, message: &ServerMessage) -> Acknowledged {
        match message {
            ServerMessage::ConversationItemAdded(e) if !self.waiting.is_empty() => {
                // Not empty (the guard): the oldest is the one the server answers.
                let (Some(server_id), (_, app_id)) = (e.item.id.clone(), self.waiting.remove(0)) else {
                    return Acknowledged::No;
                };
                self.to_server.insert(app_id.clone(), server_id.clone());
                self.to_app.insert(server_id.clone(), app_id);
                self.echoes.insert(server_id);
                Acknowledged::Echo
            }
            ServerMessage::ConversationItemDone(e) if e.item.id.as_ref().is_some_and(|id| self.echoes.remove(id)) => Acknowledged::Echo,
            ServerMessage::Error(e) => {
                let Some(origin) = e.originating_message_id.as_deref() else { return Acknowledged::No };
                // `retain`, not `position` + `remove(at)` (a panic path with its Location in the
                // wasm): the ids are unique (a counter), so it drops that one message.
                let before = self.waiting.len();
                self.waiting.retain(|(message_id, _)| message_id != origin);
                if self.waiting.len() < before { Acknowledged::Refused } else { Acknowledged::No }
            }
            _ => Acknowledged::No,
        }
    }

    /// The id the current connection knows for an id the app knows.
    fn server_id(&self, app_id: &mut String) {
        if let Some(id) = self.to_server.get(app_id.as_str()) {
            app_id.clone_from(id);
        }
    }

    fn app_id(&self, server_id: &mut String) {
        if let Some(id) = self.to_app.get(server_id.as_str()) {
            server_id.clone_from(id);
        }
    }

    /// Renames the item ids of an outgoing message to the current connection's.
    pub fn to_server(&self, message: &mut ClientMessage) {
        if self.to_server.is_empty() {
            return;
        }
        match message {
            ClientMessage::CreateConversationItem { previous_item_id: Some(id), .. } => self.server_id(id),
            ClientMessage::TruncateConversationItem { item_id, .. }
            | ClientMessage::DeleteConversationItem { item_id, .. }
            | ClientMessage::RetrieveConversationItem { item_id, .. } => self.server_id(item_id),
            _ => {}
        }
    }

    /// Renames the item ids of an incoming message to the ones the app knows.
    pub fn to_app(&self, message: &mut ServerMessage) {
        if self.to_app.is_empty() {
            return;
        }
        let rename = |id: &mut Option<String>| {
            if let Some(id) = id {
                self.app_id(id);
            }
        };
        match message {
            ServerMessage::ConversationItemAdded(e) | ServerMessage::ConversationItemDone(e) | ServerMessage::ConversationItemRetrieved(e) => {
                rename(&mut e.item.id);
                rename(&mut e.previous_item_id);
            }
            ServerMessage::ConversationItemTruncated(t) => self.app_id(&mut t.item_id),
            ServerMessage::ConversationItemDeleted(r) | ServerMessage::InputAudioBufferCommitted(r) => {
                self.app_id(&mut r.item_id);
                rename(&mut r.previous_item_id);
            }
            _ => {}
        }
    }
}
