//! The response sequencer: at most one response writes to the default conversation at a time.
//!
//! A `createResponse` made while one is active (or already requested) waits until `responseDone`;
//! out-of-band responses (`excludeFromConversation`) go at once. If the server still answers
//! `conversation_already_has_active_response` to one of ours (a VAD-started response raced it), the
//! error is swallowed and the request waits for that response to end — the app never sees an error
//! caused by the SDK's own sends.

use super::output::Ticket;
use crate::model::CreateResponse;
use std::collections::VecDeque;

/// A parked or in-flight request, with the app's ticket when the app made it.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub request: CreateResponse,
    pub ticket: Option<Ticket>,
}

#[derive(Debug)]
struct InFlight {
    message_id: String,
    request: CreateResponse,
    /// The response created after we sent it (ours, unless a refusal follows).
    answered_by: Option<String>,
}

#[derive(Debug, Default)]
pub struct ResponseSequencer {
    /// Ids of in-conversation responses the server has created and not finished.
    active: Vec<String>,
    /// Our request, sent and not yet over: until the response it caused is done, or the server
    /// refuses it. A `responseCreated` in the meantime may be ours or a VAD-started one that raced
    /// it; only a refusal tells them apart, so the request stays in flight until that response ends.
    in_flight: Option<InFlight>,
    waiting: VecDeque<Request>,
}

pub const BUSY_ERROR_CODE: &str = "conversation_already_has_active_response";

impl ResponseSequencer {
    /// Whether `request` may be sent now.
    pub fn may_send(&self, request: &CreateResponse) -> bool {
        request.exclude_from_conversation == Some(true) || (self.active.is_empty() && self.in_flight.is_none())
    }

    pub fn park(&mut self, request: Request) {
        self.waiting.push_back(request);
    }

    /// Records our in-conversation request, identified by its message id, as sent.
    pub fn sent(&mut self, message_id: String, request: CreateResponse) {
        if request.exclude_from_conversation != Some(true) {
            self.in_flight = Some(InFlight { message_id, request, answered_by: None });
        }
    }

    /// `responseCreated`. Out-of-band responses (`in_conversation == Some(false)`) do not count.
    pub fn created(&mut self, response_id: Option<&str>, in_conversation: Option<bool>) {
        if in_conversation == Some(false) {
            return;
        }
        let id = response_id.unwrap_or_default();
        if let Some(flight) = self.in_flight.as_mut().filter(|f| f.answered_by.is_none()) {
            flight.answered_by = Some(id.to_owned());
        }
        if self.active.iter().any(|a| a == id && !id.is_empty()) {
            return;
        }
        // A placeholder left by `refused` stands for exactly this response.
        match self.active.iter_mut().find(|a| a.is_empty()) {
            Some(placeholder) => *placeholder = id.to_owned(),
            None => self.active.push(id.to_owned()),
        }
    }

    /// `responseDone`: returns the next parked request when the conversation is free again.
    pub fn done(&mut self, response_id: Option<&str>, in_conversation: Option<bool>) -> Option<Request> {
        if in_conversation == Some(false) {
            return self.next_ready();
        }
        let id = response_id.unwrap_or_default();
        if self.in_flight.as_ref().is_some_and(|f| f.answered_by.as_deref() == Some(id)) {
            self.in_flight = None;
        }
        let position = self.active.iter().position(|a| a == id).or_else(|| self.active.iter().position(String::is_empty));
        if let Some(i) = position {
            self.active.remove(i);
        }
        self.next_ready()
    }

    /// A server error about `originating` message: when it is our in-flight request refused as
    /// busy, the request goes back to wait (and the caller swallows the error).
    pub fn refused(&mut self, originating: Option<&str>, code: Option<&str>) -> bool {
        if code != Some(BUSY_ERROR_CODE) {
            return false;
        }
        match (&self.in_flight, originating) {
            (Some(flight), Some(origin)) if flight.message_id == origin => {
                if let Some(flight) = self.in_flight.take() {
                    self.waiting.push_front(Request { request: flight.request, ticket: None });
                }
                // The server has an active response we have not seen created yet; its
                // `responseCreated`/`responseDone` will release the request.
                if self.active.is_empty() {
                    self.active.push(String::new());
                }
                true
            }
            _ => false,
        }
    }

    /// The next parked request, if the conversation is free.
    pub fn next_ready(&mut self) -> Option<Request> {
        if self.active.is_empty() && self.in_flight.is_none() {
            self.waiting.pop_front()
        } else {
            None
        }
    }

    /// A new connection: responses of the old one will not finish; requests still waiting go out
    /// once the new one is open — first our request the old one never answered (lost with it).
    pub fn forget_active(&mut self) {
        if let Some(flight) = self.in_flight.take().filter(|f| f.answered_by.is_none()) {
            self.waiting.push_front(Request { request: flight.request, ticket: None });
        }
        self.active.clear();
    }

    /// Everything parked (on close: each is rejected).
    pub fn drain(&mut self) -> Vec<Request> {
        self.in_flight = None;
        self.active.clear();
        self.waiting.drain(..).collect()
    }

    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }
}
