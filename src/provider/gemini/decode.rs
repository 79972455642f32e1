//! Gemini Live server frames → neutral server messages, synthesizing the response lifecycle the
//! neutral session (and its function invocation) relies on. A frame that maps to nothing keeps its
//! place as `raw`: no frame is lost.

use crate::prelude::*;
use crate::text::text;
use super::{GeminiCodec, Turn};
use crate::model::{
    decode_base64, Base64Data, CallsCancelled, Content, ConversationItem, GoAway, InputTranscription, ItemStatus,
    OutputAudio, OutputPosition, OutputText, RawEvent, ResponseInfo, ResponseOutputItem, ResponseStatus, Role, ServerMessage,
    SessionInfo, SpeechEvent, Usage,
};
use crate::provider::DecodeError;
use crate::json::{self, Json};

fn error(message: impl Into<String>) -> DecodeError {
    DecodeError { event_type: None, message: message.into() }
}

pub(super) fn server_frame(codec: &mut GeminiCodec, frame: &str) -> Result<Vec<ServerMessage>, DecodeError> {
    let v = match json::parse(frame) {
        Ok(v) if v.is_object() => v,
        Ok(_) => return Err(error("not a JSON message object")),
        Err(e) => return Err(error(text!("not a JSON message object: ", e))),
    };
    let mut out = Vec::new();
    if let Some(setup) = v.get("setupComplete") {
        out.push(ServerMessage::SessionCreated(SessionInfo {
            message_id: None,
            session_id: setup.get("sessionId").and_then(Json::as_str).map(str::to_owned),
            options: codec.options.clone(),
        }));
    }
    if let Some(content) = v.get("serverContent").filter(|c| c.is_object()) {
        server_content(codec, content, v.get("usageMetadata"), &mut out)?;
    } else if let Some(usage) = v.get("usageMetadata").filter(|u| u.is_object()) {
        // Usage may trail the turn; keep it for the response still open, if any.
        if codec.turn.is_none() {
            out.push(raw(&v));
        } else if let Some(turn) = codec.turn.as_mut() {
            turn.usage = Some(self::usage(usage));
        }
    }
    if let Some(call) = v.get("toolCall") {
        tool_call(codec, call, &mut out)?;
    }
    if let Some(cancellation) = v.get("toolCallCancellation") {
        let ids = cancellation.get("ids").and_then(Json::as_array).ok_or_else(|| error("toolCallCancellation.ids must be an array"))?;
        let mut call_ids = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(id) = id.as_str() {
                call_ids.push(id.to_owned());
            }
        }
        out.push(ServerMessage::ToolCallsCancelled(CallsCancelled { message_id: None, call_ids }));
    }
    if let Some(go_away) = v.get("goAway") {
        let left = go_away.get("timeLeft").and_then(Json::as_str).and_then(parse_duration_ms);
        out.push(ServerMessage::GoAway(GoAway { message_id: None, time_left_ms: left }));
    }
    if let Some(update) = v.get("sessionResumptionUpdate") {
        if update.get("resumable").and_then(Json::as_bool) != Some(false) {
            if let Some(handle) = update.get("newHandle").and_then(Json::as_str).filter(|h| !h.is_empty()) {
                codec.handle = Some(handle.to_owned());
            }
        }
    }
    if out.is_empty() || v.get("sessionResumptionUpdate").is_some() {
        out.push(raw(&v));
    }
    Ok(out)
}

fn raw(v: &Json) -> ServerMessage {
    let payload = v.to_value();
    // The first key in sorted order (as serde_json's map kept them, before this tree).
    let mut key: Option<&str> = None;
    for (k, _) in payload.as_object().unwrap_or_default() {
        if key.is_none_or(|first| k.as_ref() < first) {
            key = Some(k);
        }
    }
    let key = key.map(str::to_owned);
    ServerMessage::Raw(RawEvent { message_id: None, event_type: key, payload })
}

/// `"1.5s"` → 1500.
fn parse_duration_ms(text: &str) -> Option<u64> {
    let seconds = crate::json::parse_number(text.strip_suffix("s")?)?;
    (seconds.is_finite() && seconds >= 0.0).then(|| crate::float::round(seconds * 1_000.0) as u64)
}

fn ensure_turn<'a>(codec: &'a mut GeminiCodec, out: &mut Vec<ServerMessage>) -> &'a mut Turn {
    if codec.turn.is_none() {
        // The model answers: the user's turn is over, and so is its transcription.
        if let Some(item_id) = codec.input_item_id.take() {
            out.push(transcription(ServerMessage::InputAudioTranscriptionCompleted, item_id, core::mem::take(&mut codec.input_transcript)));
        }
        let response_id = codec.id("resp");
        out.push(ServerMessage::ResponseCreated(response_info(response_id.clone(), ResponseStatus::InProgress)));
        codec.turn = Some(Turn {
            response_id,
            item_id: None,
            output_index: 0,
            text: String::new(),
            transcript: String::new(),
            audio_bytes: 0,
            interrupted: false,
            calls: Vec::new(),
            usage: None,
        });
    }
    codec.turn.get_or_insert_with(Turn::default)
}

/// A synthesized response's lifecycle message: in the conversation, nothing else reported yet.
/// Every field named (not `..default()`): built in place, not built and then moved.
fn response_info(response_id: String, status: ResponseStatus) -> ResponseInfo {
    ResponseInfo {
        message_id: None,
        response_id: Some(response_id),
        status: Some(status),
        status_reason: None,
        error: None,
        usage: None,
        items: Vec::new(),
        output_modalities: None,
        voice: None,
        output_audio_format: None,
        max_output_tokens: None,
        metadata: None,
        in_conversation: Some(true),
    }
}

/// `item` as an output of the turn's response, at the turn's output index.
fn output_item(turn: &Turn, item: ConversationItem) -> ResponseOutputItem {
    ResponseOutputItem { message_id: None, response_id: Some(turn.response_id.clone()), output_index: turn.output_index, item }
}

/// The turn's message item, announced on its first part.
fn ensure_item(codec: &mut GeminiCodec, out: &mut Vec<ServerMessage>) -> OutputPosition {
    let fresh = codec.id("item");
    let turn = ensure_turn(codec, out);
    let item_id = match &turn.item_id {
        Some(id) => id.clone(),
        None => {
            turn.item_id = Some(fresh.clone());
            let item = ConversationItem { id: Some(fresh.clone()), role: Some(Role::Assistant), status: Some(ItemStatus::InProgress), contents: Vec::new() };
            out.push(ServerMessage::ResponseOutputItemAdded(output_item(turn, item)));
            fresh
        }
    };
    OutputPosition { response_id: Some(turn.response_id.clone()), item_id, output_index: turn.output_index, content_index: 0 }
}

fn server_content(codec: &mut GeminiCodec, content: &Json, usage: Option<&Json>, out: &mut Vec<ServerMessage>) -> Result<(), DecodeError> {
    if content.get("interrupted").and_then(Json::as_bool) == Some(true) {
        // The barge-in signal: the same message OpenAI's server VAD sends.
        out.push(ServerMessage::InputAudioBufferSpeechStarted(SpeechEvent::default()));
        if let Some(turn) = codec.turn.as_mut() {
            turn.interrupted = true;
        }
    }
    if let Some(transcription) = content.get("inputTranscription").filter(|t| t.is_object()) {
        let text = transcription.get("text").and_then(Json::as_str).unwrap_or_default();
        let item_id = match &codec.input_item_id {
            Some(id) => id.clone(),
            None => {
                let id = codec.id("input");
                codec.input_item_id = Some(id.clone());
                id
            }
        };
        codec.input_transcript.push_str(text);
        out.push(self::transcription(ServerMessage::InputAudioTranscriptionDelta, item_id.clone(), text.to_owned()));
        if transcription.get("finished").and_then(Json::as_bool) == Some(true) {
            out.push(self::transcription(ServerMessage::InputAudioTranscriptionCompleted, item_id, core::mem::take(&mut codec.input_transcript)));
            codec.input_item_id = None;
        }
    }
    if let Some(parts) = content.get("modelTurn").and_then(|t| t.get("parts")) {
        let parts = parts.as_array().ok_or_else(|| error("serverContent.modelTurn.parts must be an array"))?;
        for part in parts {
            let thought = part.get("thought").and_then(Json::as_bool) == Some(true);
            if let (Some(text), false) = (part.get("text").and_then(Json::as_str), thought) {
                text_delta(codec, text, false, out);
            } else if let Some(data) = part.get("inlineData").and_then(|d| d.get("data")).and_then(Json::as_str) {
                let bytes = decode_base64(data).map_err(|e| error(text!("inlineData: ", e)))?;
                let position = ensure_item(codec, out);
                if let Some(turn) = codec.turn.as_mut() {
                    turn.audio_bytes += bytes.len();
                }
                out.push(ServerMessage::OutputAudioDelta(OutputAudio { message_id: None, position, audio: Some(Base64Data::from(bytes)) }));
            } else {
                // Executable code, code results, thoughts: kept whole, in order.
                ensure_turn(codec, out);
                out.push(ServerMessage::Raw(RawEvent { message_id: None, event_type: Some("serverContent.modelTurn.part".into()), payload: part.to_value() }));
            }
        }
    }
    if let Some(text) = content.get("outputTranscription").and_then(|t| t.get("text")).and_then(Json::as_str) {
        text_delta(codec, text, true, out);
    }
    if content.get("turnComplete").and_then(Json::as_bool) == Some(true) {
        let usage = usage.filter(|u| u.is_object()).map(self::usage);
        finish_turn(codec, usage, out);
    }
    Ok(())
}

/// An input transcription message (delta or completed) of the user item `item_id`.
fn transcription(kind: fn(InputTranscription) -> ServerMessage, item_id: String, text: String) -> ServerMessage {
    kind(InputTranscription { message_id: None, item_id, content_index: 0, transcription: Some(text), usage: None, error: None })
}

/// A piece of the turn's text (`transcript`: of its audio transcript), kept for the done events.
fn text_delta(codec: &mut GeminiCodec, text: &str, transcript: bool, out: &mut Vec<ServerMessage>) {
    let position = ensure_item(codec, out);
    if let Some(turn) = codec.turn.as_mut() {
        if transcript { &mut turn.transcript } else { &mut turn.text }.push_str(text);
    }
    let delta = OutputText { message_id: None, position, text: text.to_owned() };
    out.push(if transcript { ServerMessage::OutputAudioTranscriptionDelta(delta) } else { ServerMessage::OutputTextDelta(delta) });
}

/// Closes the turn: the done events of its content, its item, and `responseDone`.
fn finish_turn(codec: &mut GeminiCodec, usage: Option<Usage>, out: &mut Vec<ServerMessage>) {
    let Some(mut turn) = codec.turn.take() else {
        // A turn with no content (e.g. the end of an interrupted one already closed): still a
        // response for the app, so every turnComplete pairs with a responseCreated.
        ensure_turn(codec, out);
        return finish_turn(codec, usage, out);
    };
    let mut contents = Vec::new();
    if let Some(item_id) = &turn.item_id {
        let position = OutputPosition { response_id: Some(turn.response_id.clone()), item_id: item_id.clone(), output_index: turn.output_index, content_index: 0 };
        if !turn.text.is_empty() {
            out.push(ServerMessage::OutputTextDone(OutputText { message_id: None, position: position.clone(), text: turn.text.clone() }));
            contents.push(Content::Text { text: turn.text.clone() });
        }
        if turn.audio_bytes > 0 {
            out.push(ServerMessage::OutputAudioDone(OutputAudio { message_id: None, position: position.clone(), audio: None }));
        }
        if !turn.transcript.is_empty() {
            out.push(ServerMessage::OutputAudioTranscriptionDone(OutputText { message_id: None, position, text: turn.transcript.clone() }));
        }
        if turn.audio_bytes > 0 || !turn.transcript.is_empty() {
            contents.push(Content::Audio { audio: None, transcript: (!turn.transcript.is_empty()).then(|| turn.transcript.clone()), format: None });
        }
    }
    let status = if turn.interrupted { ResponseStatus::Cancelled } else { ResponseStatus::Completed };
    let item_status = if turn.interrupted { ItemStatus::Incomplete } else { ItemStatus::Completed };
    let mut items = Vec::new();
    if let Some(item_id) = turn.item_id.take() {
        let item = ConversationItem { id: Some(item_id), role: Some(Role::Assistant), status: Some(item_status), contents };
        out.push(ServerMessage::ResponseOutputItemDone(output_item(&turn, item.clone())));
        items.push(item);
    }
    // Moved over whole (`append`), not item by item (`extend`: a consuming iterator and its drop).
    items.append(&mut turn.calls);
    let mut done = response_info(turn.response_id, status);
    done.status_reason = turn.interrupted.then(|| "turn_detected".to_owned());
    done.usage = usage.or(turn.usage);
    done.items = items;
    out.push(ServerMessage::ResponseDone(done));
}

/// A tool call ends its response: Gemini waits for the `toolResponse`.
fn tool_call(codec: &mut GeminiCodec, call: &Json, out: &mut Vec<ServerMessage>) -> Result<(), DecodeError> {
    let calls = call.get("functionCalls").and_then(Json::as_array).ok_or_else(|| error("toolCall.functionCalls must be an array"))?;
    for function in calls {
        let generated = codec.id("call");
        let turn = ensure_turn(codec, out);
        let call_id = function.get("id").and_then(Json::as_str).map(str::to_owned).unwrap_or(generated);
        let name = function.get("name").and_then(Json::as_str).unwrap_or_default().to_owned();
        let arguments = function.get("args").map_or_else(|| "{}".to_owned(), crate::json::to_string);
        turn.output_index += 1;
        let item = ConversationItem {
            id: Some(text!("item_", call_id)),
            role: None,
            status: Some(ItemStatus::Completed),
            contents: vec![Content::FunctionCall { call_id: call_id.clone(), name: name.clone(), arguments }],
        };
        out.push(ServerMessage::ResponseOutputItemAdded(output_item(turn, item.clone())));
        out.push(ServerMessage::ResponseOutputItemDone(output_item(turn, item.clone())));
        turn.calls.push(item);
        codec.call_names.insert(call_id, name);
    }
    finish_turn(codec, None, out);
    Ok(())
}

/// `usageMetadata` → usage by modality.
fn usage(v: &Json) -> Usage {
    let count = |key: &str| v.get(key).and_then(Json::as_u64);
    // A loop, not `iter().find(…)`: the adapter's code is per closure.
    let by_modality = |key: &str, modality: &str| {
        for detail in v.get(key)?.as_array()? {
            if detail.get("modality").and_then(Json::as_str) == Some(modality) {
                return detail.get("tokenCount")?.as_u64();
            }
        }
        None
    };
    Usage {
        input_tokens: count("promptTokenCount"),
        output_tokens: count("responseTokenCount"),
        total_tokens: count("totalTokenCount"),
        cached_input_tokens: count("cachedContentTokenCount"),
        input_text_tokens: by_modality("promptTokensDetails", "TEXT"),
        input_audio_tokens: by_modality("promptTokensDetails", "AUDIO"),
        input_image_tokens: by_modality("promptTokensDetails", "IMAGE"),
        output_text_tokens: by_modality("responseTokensDetails", "TEXT"),
        output_audio_tokens: by_modality("responseTokensDetails", "AUDIO"),
    }
}
