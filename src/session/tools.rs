//! Function invocation: the seed's `FunctionInvokingRealtimeClient`, minus its traps.
//!
//! Calls are collected per response from `responseOutputItemDone` (never `conversationItemDone`,
//! which would double-invoke) after the app has seen the message, into that response's batch in the
//! response tracker (`responses.rs`), which also knows whether the response is done and which tools
//! its request allowed. Registered handlers start at once — the message stream keeps flowing while
//! they run — serially or concurrently. When the response is done and every call of it has
//! finished, the results go back as `createConversationItem`s followed by one `createResponse`
//! (sequenced by the tracker). Iteration and error counters are per user turn: a new user input
//! resets them (the seed never did). A cancelled call (barge-in, provider cancellation) has its
//! result dropped.
//!
//! A tool the app declared without a handler is the app's to answer (the seed's function-invoking
//! client leaves such calls to its caller): the SDK neither runs nor answers it, and when a response
//! mixes such calls with handled ones it sends the handled results but leaves the follow-up
//! `createResponse` to the app. Only a name nobody declared gets "not found".

use crate::prelude::*;
use crate::text::text;
use super::output::{ErrorCode, SessionEvent, ToolRun};
use super::responses;
use crate::model::{ClientMessage, Content, ConversationItem, CreateResponse};
use crate::json::{Json, JsonValue};

/// The seed's knobs, with its defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct InvocationOptions {
    /// Tell the model what a handler's exception said (otherwise a generic failure text).
    pub include_detailed_errors: bool,
    pub allow_concurrent_invocation: bool,
    /// Tool rounds allowed per user turn.
    pub max_iterations_per_turn: u32,
    /// Failed calls in a row before the SDK stops invoking for this turn.
    pub max_consecutive_errors: u32,
    /// Stop (instead of answering "not found") when the model calls a tool nobody declared.
    pub terminate_on_unknown_calls: bool,
    /// Answer "not found" for declared tools without a handler too (the SDK's behaviour before
    /// they were left to the app).
    pub answer_calls_without_handler: bool,
}

impl Default for InvocationOptions {
    fn default() -> Self {
        Self {
            include_detailed_errors: false,
            allow_concurrent_invocation: false,
            max_iterations_per_turn: 40,
            max_consecutive_errors: 3,
            terminate_on_unknown_calls: false,
            answer_calls_without_handler: false,
        }
    }
}

pub const FAILED_TEXT: &str = "Error: Function invocation failed.";
pub const NOT_FOUND_TEXT: &str = "Error: Function not found.";

/// What the invoker asks the session to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Run(ToolRun),
    Cancel(String),
    Event(SessionEvent),
    /// A tool result or the follow-up `createResponse`, sent like any client message.
    Send(ClientMessage),
}

#[derive(Debug, Clone, PartialEq)]
enum Status {
    Queued(JsonValue),
    Running { started_ms: f64 },
    /// The text or value the model will get; `error` marks a failure.
    Finished { result: JsonValue, error: Option<String> },
    Cancelled,
}

#[derive(Debug, Clone)]
struct Call {
    call_id: String,
    name: String,
    status: Status,
}

/// The response tracker, keeping each response's batch of calls.
pub type ResponseTracker = responses::ResponseTracker<Batch>;

/// The calls one response made (kept by the response tracker with the response).
#[derive(Debug, Default)]
pub struct Batch {
    calls: Vec<Call>,
    /// Some call of this response is the app's to answer: the app asks for the next response.
    app_answers: bool,
}

impl Batch {
    /// Every call has finished or was cancelled: the results can go back once the response is done.
    pub fn settled(&self) -> bool {
        self.calls.iter().all(|c| matches!(c.status, Status::Finished { .. } | Status::Cancelled))
    }
}

#[derive(Debug, Default)]
pub struct ToolInvoker {
    pub options: InvocationOptions,
    /// Tool names with a handler (a handful: a list, not a tree set, whose code cost the package ~9 kB).
    handlers: Vec<String>,
    iterations: u32,
    consecutive_errors: u32,
    /// Stopped for the rest of this user turn.
    halted: bool,
}

impl ToolInvoker {
    pub fn new(options: InvocationOptions, handlers: impl IntoIterator<Item = String>) -> Self {
        let mut invoker = Self { options, ..Self::default() };
        for name in handlers {
            invoker.register(&name);
        }
        invoker
    }

    pub fn register(&mut self, name: &str) {
        if !self.handlers.iter().any(|h| h == name) {
            self.handlers.push(name.to_owned());
        }
    }

    pub fn unregister(&mut self, name: &str) {
        self.handlers.retain(|h| h != name);
    }

    /// A new user input: counters start over.
    pub fn new_turn(&mut self) {
        self.iterations = 0;
        self.consecutive_errors = 0;
        self.halted = false;
    }

    /// Calls still running or waiting, as `(call id, name)`.
    pub fn pending<'a>(&self, responses: &'a ResponseTracker) -> Vec<(&'a str, &'a str)> {
        responses
            .batches()
            .flat_map(|b| &b.calls)
            .filter(|c| matches!(c.status, Status::Queued(_) | Status::Running { .. }))
            .map(|c| (c.call_id.as_str(), c.name.as_str()))
            .collect()
    }

    /// `responseOutputItemDone`: the function calls of `item`, limited to the response's own tool
    /// list when its request gave one; `declared` tells the tools the app declared (with or
    /// without a handler).
    pub fn output_item_done(
        &mut self,
        responses: &mut ResponseTracker,
        response_id: Option<&str>,
        item: &ConversationItem,
        declared: &dyn Fn(&str) -> bool,
        now_ms: f64,
    ) -> Vec<Action> {
        let mut actions = Vec::new();
        // The item's calls are read where they are (no owned copies of every id, name and
        // argument text first: that list's element type cost its own drop and iteration code).
        if item.function_calls().next().is_none() || self.halted {
            return actions;
        }
        if self.iterations >= self.options.max_iterations_per_turn {
            let mut names = String::new();
            for (i, (_, name, _)) in item.function_calls().enumerate() {
                if i > 0 {
                    names.push_str(", ");
                }
                names.push_str(name);
            }
            actions.push(Action::Event(SessionEvent::sdk_error(
                ErrorCode::MaxToolIterations,
                text!("not invoking ", names, ": ", self.iterations, " tool rounds already this turn (maxIterationsPerTurn)"),
            )));
            return actions;
        }
        let mut app_answers = false;
        let mut collected = Vec::new();
        for (call_id, name, arguments) in item.function_calls() {
            let permitted = responses.tools_of(response_id).is_none_or(|list| list.iter().any(|t| t.name() == name));
            let known = permitted && self.handlers.iter().any(|h| h == name);
            if !known && permitted && declared(name) && !self.options.answer_calls_without_handler {
                app_answers = true;
                continue;
            }
            let status = if !known {
                if self.options.terminate_on_unknown_calls {
                    self.halt(responses, &mut actions, ErrorCode::UnknownTool, text!("the model called ", crate::json::to_string(name), ", which has no handler"));
                    return actions;
                }
                self.count_error();
                Status::Finished { result: Json::Null, error: Some(NOT_FOUND_TEXT.into()) }
            } else {
                // Blank arguments (JSON's white space, which is ASCII) are no arguments.
                match crate::json::parse(if arguments.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) { "{}" } else { arguments }) {
                    Ok(args) => Status::Queued(args.to_value()),
                    Err(e) => {
                        self.count_error();
                        Status::Finished { result: Json::Null, error: Some(text!("Error: arguments are not valid JSON (", e, ").")) }
                    }
                }
            };
            let (call_id, name) = (call_id.to_owned(), name.to_owned());
            if let Status::Finished { error, .. } = &status {
                actions.push(Action::Event(SessionEvent::ToolCallCompleted {
                    call_id: call_id.clone(),
                    name: name.clone(),
                    result: None,
                    error: error.clone(),
                    cancelled: false,
                    duration_ms: 0.0,
                }));
            }
            collected.push(Call { call_id, name, status });
        }
        let batch = responses.batch(response_id);
        batch.calls.extend(collected);
        batch.app_answers |= app_answers;
        self.go_on(responses, now_ms, &mut actions);
        actions
    }

    /// After calls were added or one finished: halt when the errors in a row reached the limit,
    /// else start what may run and send back what is complete (one copy for both callers).
    fn go_on(&mut self, responses: &mut ResponseTracker, now_ms: f64, actions: &mut Vec<Action>) {
        if self.too_many_errors() {
            return self.halt(responses, actions, ErrorCode::TooManyToolErrors, self.too_many_message());
        }
        self.schedule(responses, now_ms, actions);
        self.complete(responses, actions);
    }

    /// A response ended (the tracker has it done): its batch may now be complete.
    pub fn response_done(&mut self, responses: &mut ResponseTracker) -> Vec<Action> {
        let mut actions = Vec::new();
        self.complete(responses, &mut actions);
        actions
    }

    /// A handler finished (its value, or its exception message).
    pub fn finished(&mut self, responses: &mut ResponseTracker, call_id: &str, outcome: Result<JsonValue, String>, now_ms: f64) -> Vec<Action> {
        let mut actions = Vec::new();
        // A loop, not `find_map` (a `Map` adapter's `try_fold` of its own).
        let mut found = None;
        for batch in responses.batches_mut() {
            if let Some(call) = batch.calls.iter_mut().find(|c| c.call_id == call_id) {
                found = Some(call);
                break;
            }
        }
        let Some(call) = found else {
            return actions; // cancelled and dropped, or never ours
        };
        let Status::Running { started_ms } = call.status else { return actions };
        let duration_ms = (now_ms - started_ms).max(0.0);
        let (result, error) = match outcome {
            Ok(value) => (value, None),
            Err(message) => {
                let text = if self.options.include_detailed_errors { text!("Error: ", message) } else { FAILED_TEXT.into() };
                (Json::Null, Some((text, message)))
            }
        };
        actions.push(Action::Event(SessionEvent::ToolCallCompleted {
            call_id: call.call_id.clone(),
            name: call.name.clone(),
            result: error.is_none().then(|| result.clone()),
            error: error.as_ref().map(|(_, raw)| raw.clone()),
            cancelled: false,
            duration_ms,
        }));
        let failed = error.is_some();
        call.status = Status::Finished { result, error: error.map(|(text, _)| text) };
        if failed {
            self.count_error();
        } else {
            self.consecutive_errors = 0;
        }
        self.go_on(responses, now_ms, &mut actions);
        actions
    }

    /// Barge-in or an explicit interrupt: every pending call is cancelled and its batch dropped.
    pub fn cancel_all(&mut self, responses: &mut ResponseTracker, now_ms: f64) -> Vec<Action> {
        let mut actions = Vec::new();
        for batch in responses.batches_mut() {
            for call in &core::mem::take(batch).calls {
                cancel(call, now_ms, &mut actions);
            }
        }
        responses.take_settled(Batch::settled); // done responses have nothing left
        actions
    }

    /// The provider voided these calls (Gemini `toolCallCancellation`): their results are dropped;
    /// the rest of their batch still goes back.
    pub fn cancel_calls(&mut self, responses: &mut ResponseTracker, call_ids: &[String], now_ms: f64) -> Vec<Action> {
        let mut actions = Vec::new();
        for batch in responses.batches_mut() {
            for call in &mut batch.calls {
                if !call_ids.contains(&call.call_id) {
                    continue;
                }
                cancel(call, now_ms, &mut actions);
                call.status = Status::Cancelled;
            }
        }
        self.schedule(responses, now_ms, &mut actions);
        self.complete(responses, &mut actions);
        actions
    }

    fn count_error(&mut self) {
        self.consecutive_errors = self.consecutive_errors.saturating_add(1);
    }

    fn too_many_errors(&self) -> bool {
        self.consecutive_errors > self.options.max_consecutive_errors
    }

    fn too_many_message(&self) -> String {
        text!(self.consecutive_errors, " tool calls failed in a row (maxConsecutiveErrors ", self.options.max_consecutive_errors, "): stopped invoking for this turn")
    }

    /// Stops invoking for this turn: pending calls are cancelled, nothing is sent back.
    fn halt(&mut self, responses: &mut ResponseTracker, actions: &mut Vec<Action>, code: ErrorCode, message: String) {
        self.halted = true;
        actions.push(Action::Event(SessionEvent::sdk_error(code, message)));
        for batch in responses.batches_mut() {
            for call in &core::mem::take(batch).calls {
                if matches!(call.status, Status::Running { .. }) {
                    actions.push(Action::Cancel(call.call_id.clone()));
                }
            }
        }
        responses.take_settled(Batch::settled);
    }

    /// Starts queued calls: all of them, or one at a time when invocation is serial.
    fn schedule(&mut self, responses: &mut ResponseTracker, now_ms: f64, actions: &mut Vec<Action>) {
        let concurrent = self.options.allow_concurrent_invocation;
        // Nested loops, not `flat_map`: its adapter state is more wasm than the loops.
        let mut running = false;
        for batch in responses.batches() {
            running |= batch.calls.iter().any(|c| matches!(c.status, Status::Running { .. }));
        }
        for batch in responses.batches_mut() {
            for call in &mut batch.calls {
                if running && !concurrent {
                    return;
                }
                if let Status::Queued(arguments) = &call.status {
                    let arguments = arguments.clone();
                    actions.push(Action::Event(SessionEvent::ToolCallStarted {
                        call_id: call.call_id.clone(),
                        name: call.name.clone(),
                        arguments: arguments.clone(),
                    }));
                    actions.push(Action::Run(ToolRun { call_id: call.call_id.clone(), name: call.name.clone(), arguments }));
                    call.status = Status::Running { started_ms: now_ms };
                    running = true;
                }
            }
        }
    }

    /// Sends back every batch whose response is done and whose calls have all finished.
    #[allow(clippy::field_reassign_with_default)] // on purpose: see the comment inside
    fn complete(&mut self, responses: &mut ResponseTracker, actions: &mut Vec<Action>) {
        // The settled batches by reference, their parts taken out in place: no consuming iterator
        // over batches or calls in the wasm.
        for batch in &mut responses.take_settled(Batch::settled) {
            let mut any = false;
            for call in &mut batch.calls {
                if let Status::Finished { result, error } = &mut call.status {
                    any = true;
                    let (call_id, name, result, error) =
                        (core::mem::take(&mut call.call_id), core::mem::take(&mut call.name), core::mem::take(result), error.take());
                    // Set on a default in place (a `..default()` literal builds a whole default, then moves it).
                    let mut item = ConversationItem::default();
                    item.contents = vec![Content::FunctionResult { call_id, name: Some(name), result, error }];
                    actions.push(Action::Send(ClientMessage::CreateConversationItem { message_id: None, item, previous_item_id: None }));
                }
            }
            if any && !batch.app_answers {
                self.iterations = self.iterations.saturating_add(1);
                actions.push(Action::Send(ClientMessage::CreateResponse(CreateResponse::default())));
            }
        }
    }
}

/// Read in place (the callers' calls are iterated by reference): no consuming iterator over, nor
/// copy of, a `Call`.
fn cancel(call: &Call, now_ms: f64, actions: &mut Vec<Action>) {
    match call.status {
        Status::Running { started_ms } => {
            actions.push(Action::Cancel(call.call_id.clone()));
            actions.push(Action::Event(SessionEvent::ToolCallCompleted {
                call_id: call.call_id.clone(),
                name: call.name.clone(),
                result: None,
                error: None,
                cancelled: true,
                duration_ms: (now_ms - started_ms).max(0.0),
            }));
        }
        Status::Queued(_) | Status::Finished { .. } | Status::Cancelled => {}
    }
}
