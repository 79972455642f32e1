//! The response tracker: every response the session knows of, by response id — streaming or done,
//! in the conversation or out of band, the request of ours that caused it (with its per-response
//! tool list) and the function calls it made — and our `createResponse` requests waiting their turn.
//!
//! At most one response writes to the default conversation at a time. A `createResponse` made
//! while one is streaming (or one of ours is in flight) waits until `responseDone`; out-of-band
//! responses (`excludeFromConversation`) go at once. If the server still answers
//! `conversation_already_has_active_response` to one of ours (a VAD-started response raced it), the
//! error is swallowed and the request waits for that response to end — the app never sees an error
//! caused by the SDK's own sends.
//!
//! Which response a request caused: the next in-conversation `responseCreated` after it went out,
//! until a busy refusal of that request says otherwise — then that response was the server's own
//! (VAD), and it loses the request and its tool list, which wait to go again.
//!
//! Must never: run, answer or cancel tool calls (the invoker's, in `tools.rs`, on the batches kept
//! here — the tracker keeps a response's `Batch` without knowing what is in it), or send anything
//! (the session does).

use crate::prelude::*;
use super::output::Ticket;
use crate::model::{CreateResponse, Tool};

pub const BUSY_ERROR_CODE: &str = "conversation_already_has_active_response";

/// A parked request, with the app's ticket when the app made it.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub request: CreateResponse,
    pub ticket: Option<Ticket>,
}

#[derive(Debug)]
struct Tracked<Batch> {
    /// The server's id (a message without one is tracked under `""`).
    id: String,
    /// `responseCreated` came (not only its output items).
    announced: bool,
    /// `responseDone` came (or the connection that streamed it is gone).
    done: bool,
    /// Writes to the default conversation: holds it while streaming. Out-of-band responses, and
    /// ones only known from their output items, do not.
    in_conversation: bool,
    /// Our request it answers; `None`: started by the server (VAD) or unknown.
    cause: Option<CreateResponse>,
    /// Its function calls, kept until they have settled (after `responseDone` too).
    batch: Batch,
}

#[derive(Debug)]
pub struct ResponseTracker<Batch> {
    /// In creation order.
    responses: Vec<Tracked<Batch>>,
    /// Our in-conversation request, sent and not yet answered by a `responseCreated`.
    in_flight: Option<CreateResponse>,
    /// Our requests waiting their turn, first out first. A `Vec` (the app's queued createResponse
    /// calls: usually a few): `VecDeque`'s code per element type costs more wasm than shifting
    /// them costs time.
    waiting: Vec<Request>,
    /// A busy refusal said the server has a response in progress we have not seen created yet;
    /// its `responseCreated`/`responseDone` will release what waits.
    unseen_busy: bool,
}

impl<Batch> Default for ResponseTracker<Batch> {
    fn default() -> Self {
        ResponseTracker { responses: Vec::new(), in_flight: None, waiting: Vec::new(), unseen_busy: false }
    }
}

impl<Batch: Default> ResponseTracker<Batch> {
    /// Whether `request` may be sent now.
    pub fn may_send(&self, request: &CreateResponse) -> bool {
        is_out_of_band(request) || self.conversation_free()
    }

    fn conversation_free(&self) -> bool {
        self.in_flight.is_none() && !self.unseen_busy && !self.responses.iter().any(|r| r.in_conversation && !r.done)
    }

    pub fn park(&mut self, request: Request) {
        self.waiting.push(request);
    }

    /// Our request went out (it starts a response). Out-of-band ones are not followed: nothing
    /// ties their response to them.
    pub fn sent(&mut self, request: CreateResponse) {
        if !is_out_of_band(&request) {
            self.in_flight = Some(request);
        }
    }

    /// `responseCreated`. `in_conversation == Some(false)`: an out-of-band response.
    pub fn created(&mut self, response_id: Option<&str>, in_conversation: Option<bool>) {
        let id = response_id.unwrap_or_default();
        let in_conversation = in_conversation != Some(false);
        if self.responses.iter().any(|r| r.id == id && r.announced && !r.done) && !id.is_empty() {
            return; // announced twice
        }
        let cause = if in_conversation {
            self.unseen_busy = false; // this is the one a refusal spoke of, if any
            self.in_flight.take()
        } else {
            None
        };
        match self.responses.iter_mut().find(|r| r.id == id) {
            // Known from an output item that came first.
            Some(known) => {
                known.announced = true;
                known.done = false;
                known.in_conversation = in_conversation;
                known.cause = cause;
            }
            None => self.responses.push(Tracked { id: id.to_owned(), announced: true, done: false, in_conversation, cause, batch: Batch::default() }),
        }
    }

    /// `responseDone`: returns the next parked request when the conversation is free again. The
    /// response stays tracked until its calls have settled ([`ResponseTracker::take_settled`]).
    pub fn done(&mut self, response_id: Option<&str>, in_conversation: Option<bool>) -> Option<Request> {
        let id = response_id.unwrap_or_default();
        match self.responses.iter_mut().find(|r| r.id == id && !r.done) {
            Some(response) => response.done = true,
            None if in_conversation != Some(false) => self.unseen_busy = false,
            None => {}
        }
        self.next_ready()
    }

    /// A server error about `originating` message: when it refuses one of our requests as busy,
    /// the request goes back to wait (and the caller swallows the error). A response taken for
    /// its answer was the server's own.
    pub fn refused(&mut self, originating: Option<&str>, code: Option<&str>) -> bool {
        let Some(origin) = originating.filter(|_| code == Some(BUSY_ERROR_CODE)) else { return false };
        let ours = |request: &CreateResponse| request.message_id.as_deref() == Some(origin);
        let request = if self.in_flight.as_ref().is_some_and(ours) {
            // Refused before the server's response was announced: it is still to come.
            self.unseen_busy = !self.responses.iter().any(|r| r.in_conversation && !r.done);
            self.in_flight.take()
        } else {
            let answer = self.responses.iter_mut().find(|r| !r.done && r.cause.as_ref().is_some_and(ours));
            answer.and_then(|r| r.cause.take())
        };
        match request {
            Some(request) => {
                self.wait_first(request);
                true
            }
            None => false,
        }
    }

    /// `request` goes back to the head of the queue (a refused or lost request of ours goes before
    /// those that came after it). One call site of `Vec::insert`: one panic Location in the wasm.
    fn wait_first(&mut self, request: CreateResponse) {
        self.waiting.insert(0, Request { request, ticket: None });
    }

    /// The next parked request, if the conversation is free.
    pub fn next_ready(&mut self) -> Option<Request> {
        if self.conversation_free() {
            (!self.waiting.is_empty()).then(|| self.waiting.remove(0))
        } else {
            None
        }
    }

    /// A new connection: responses of the old one will never finish (their calls settle as those
    /// of any ended response); requests still waiting go out once the new one is open — first our
    /// request the old one never answered (lost with it).
    pub fn forget_connection(&mut self) {
        if let Some(request) = self.in_flight.take() {
            self.wait_first(request);
        }
        self.unseen_busy = false;
        for response in &mut self.responses {
            response.done = true;
        }
    }

    /// The session closed: everything parked (each is rejected); nothing holds the conversation.
    pub fn drain(&mut self) -> Vec<Request> {
        self.forget_connection();
        core::mem::take(&mut self.waiting)
    }

    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// The in-conversation response streaming now (the latest, should the server run two).
    pub fn active(&self) -> Option<&str> {
        self.responses.iter().rev().find(|r| r.in_conversation && !r.done).map(|r| r.id.as_str())
    }

    /// The per-response tool list of `response_id`, when our request gave it one.
    pub fn tools_of(&self, response_id: Option<&str>) -> Option<&[Tool]> {
        let id = response_id.unwrap_or_default();
        let response = self.responses.iter().find(|r| r.id == id)?;
        response.cause.as_ref()?.tools.as_deref()
    }

    /// The batch of calls of `response_id`; a response not seen created is tracked from here on
    /// (holding nothing; its `responseDone` settles it).
    pub fn batch(&mut self, response_id: Option<&str>) -> &mut Batch {
        let id = response_id.unwrap_or_default();
        let index = match self.responses.iter().position(|r| r.id == id) {
            Some(i) => i,
            None => {
                let unknown = Tracked { id: id.to_owned(), announced: false, done: false, in_conversation: false, cause: None, batch: Batch::default() };
                self.responses.push(unknown);
                self.responses.len() - 1
            }
        };
        &mut self.responses[index].batch
    }

    pub fn batches(&self) -> impl Iterator<Item = &Batch> {
        self.responses.iter().map(|r| &r.batch)
    }

    pub fn batches_mut(&mut self) -> impl Iterator<Item = &mut Batch> {
        self.responses.iter_mut().map(|r| &mut r.batch)
    }

    /// Forgets the responses that are done and whose batch `settled` accepts, returning their
    /// batches in order (a done response without calls is forgotten with an empty one).
    pub fn take_settled(&mut self, settled: impl Fn(&Batch) -> bool) -> Vec<Batch> {
        // `retain_mut`: no index, no `remove(i)` (each a panic path with its own Location in the wasm).
        let mut taken = Vec::new();
        self.responses.retain_mut(|r| {
            let take = r.done && settled(&r.batch);
            if take {
                taken.push(core::mem::take(&mut r.batch));
            }
            !take
        });
        taken
    }
}

fn is_out_of_band(request: &CreateResponse) -> bool {
    request.exclude_from_conversation == Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(id: &str, tool: Option<&str>) -> CreateResponse {
        let tools = tool.map(|name| vec![Tool::Function { name: name.into(), description: None, parameters: None }]);
        CreateResponse { message_id: Some(id.into()), tools, ..CreateResponse::default() }
    }

    fn tool_names(tracker: &ResponseTracker<()>, id: &str) -> Option<Vec<String>> {
        tracker.tools_of(Some(id)).map(|t| t.iter().map(|t| t.name().to_owned()).collect())
    }

    #[test]
    fn our_request_owns_the_response_it_caused_until_a_refusal_says_otherwise() {
        let mut t: ResponseTracker<()> = ResponseTracker::default();
        let ours = request("m1", Some("a"));
        assert!(t.may_send(&ours));
        t.sent(ours.clone());
        assert!(!t.may_send(&request("m2", None)), "in flight");
        t.created(Some("r1"), Some(true));
        assert_eq!(tool_names(&t, "r1"), Some(vec!["a".to_owned()]));
        assert!(t.refused(Some("m1"), Some(BUSY_ERROR_CODE)));
        assert_eq!(tool_names(&t, "r1"), None, "r1 was the server's own");
        assert_eq!(t.waiting(), 1);
        assert!(!t.refused(Some("m1"), Some(BUSY_ERROR_CODE)), "refused once");
        let next = t.done(Some("r1"), Some(true)).expect("the request goes again");
        assert_eq!(next.request, ours);
    }

    #[test]
    fn a_refusal_before_the_racing_response_is_seen_holds_the_conversation_until_it_ends() {
        let mut t: ResponseTracker<()> = ResponseTracker::default();
        t.sent(request("m1", Some("a")));
        assert!(t.refused(Some("m1"), Some(BUSY_ERROR_CODE)));
        assert!(t.next_ready().is_none(), "the server is busy with a response not seen yet");
        t.created(Some("r_vad"), Some(true));
        assert_eq!(tool_names(&t, "r_vad"), None);
        assert!(t.done(Some("r_vad"), Some(true)).is_some());
        // Or its `responseDone` alone releases it.
        t.sent(request("m2", None));
        assert!(t.refused(Some("m2"), Some(BUSY_ERROR_CODE)));
        assert!(t.done(Some("r_unseen"), None).is_some());
    }

    #[test]
    fn out_of_band_responses_neither_wait_nor_hold_the_conversation() {
        let mut t: ResponseTracker<()> = ResponseTracker::default();
        t.created(Some("r1"), Some(true));
        let oob = CreateResponse { exclude_from_conversation: Some(true), ..CreateResponse::default() };
        assert!(t.may_send(&oob) && !t.may_send(&request("m1", None)));
        t.sent(oob);
        t.created(Some("r_oob"), Some(false));
        assert_eq!(t.active(), Some("r1"));
        t.park(Request { request: request("m1", None), ticket: Some(Ticket(7)) });
        assert!(t.done(Some("r_oob"), Some(false)).is_none());
        assert_eq!(t.done(Some("r1"), Some(true)).and_then(|r| r.ticket), Some(Ticket(7)));
    }

    #[test]
    fn responses_are_forgotten_once_done_and_settled_and_with_the_connection() {
        let mut t: ResponseTracker<()> = ResponseTracker::default();
        t.sent(request("m1", None));
        t.created(Some("r1"), Some(true));
        t.batch(Some("r2")); // known only from an output item: holds nothing
        assert_eq!(t.active(), Some("r1"));
        assert!(t.take_settled(|_| true).is_empty(), "nothing is done");
        t.done(Some("r1"), Some(true));
        assert_eq!(t.take_settled(|_| true).len(), 1);
        assert!(t.may_send(&request("m2", None)));
        t.sent(request("m2", None));
        t.forget_connection();
        assert_eq!(t.waiting(), 1, "the unanswered request goes again on the new connection");
        assert_eq!(t.take_settled(|_| true).len(), 1, "r2 will never finish: it settles");
        assert_eq!(t.drain().len(), 1);
        assert!(t.next_ready().is_none() && t.active().is_none());
    }
}
