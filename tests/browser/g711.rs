//! G.711 end to end (issue #12.5): a session asking for `audio/pcmu` or `audio/pcma` captures,
//! sends, receives, plays and accounts its audio in that format, against the OpenAI emulator
//! (which decodes what it hears and echoes it back in the same format).

use super::*;

async fn fetch_json(url: &str) -> JsValue {
    let response = JsFuture::from(web_sys::window().unwrap().fetch_with_str(url)).await.unwrap();
    JsFuture::from(response.unchecked_into::<web_sys::Response>().json().unwrap()).await.unwrap()
}

/// The PCM16 samples of a WAV the emulator serves (its decoding of what the SDK sent).
async fn fetch_wav_samples(url: &str) -> Vec<i16> {
    let response = JsFuture::from(web_sys::window().unwrap().fetch_with_str(url)).await.unwrap();
    let buffer = JsFuture::from(response.unchecked_into::<web_sys::Response>().array_buffer().unwrap()).await.unwrap();
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    bytes[44..].chunks_exact(2).map(|p| i16::from_le_bytes([p[0], p[1]])).collect()
}

#[wasm_bindgen_test]
async fn g711_sessions_capture_send_play_and_account_in_their_format() {
    for media_type in ["audio/pcmu", "audio/pcma"] {
        let tag = if media_type == "audio/pcmu" { "g711-pcmu" } else { "g711-pcma" };
        let init = web_sys::RequestInit::new();
        init.set_method("DELETE");
        let _ = JsFuture::from(web_sys::window().unwrap().fetch_with_str_and_init(&format!("{}/emulator/recordings/{tag}", emulator()), &init)).await;
        let knobs: &'static str = if tag == "g711-pcmu" { "&emu_tag=g711-pcmu&emu_speed=4" } else { "&emu_tag=g711-pcma&emu_speed=4" };
        let format = format!(r#"{{ "mediaType": "{media_type}", "sampleRate": 8000 }}"#);
        let options = json(&format!(
            r#"{{ "inputAudioFormat": {format}, "outputAudioFormat": {format}, "voiceActivityDetection": {{ "silenceDurationMs": 300 }} }}"#
        ));
        let session = connect(knobs, options).await.unwrap();
        let rec = Recorder::attach(&session, &["playbackEnded", "responseDone", "error"]);
        let mic = tone_microphone();
        JsFuture::from(session.attach_microphone_stream(get(&mic, "stream"))).await.unwrap();
        gloo_timers::future::TimeoutFuture::new(300).await;
        speak(&mic, true);
        gloo_timers::future::TimeoutFuture::new(1_000).await;
        speak(&mic, false);
        let ended = rec.wait("playbackEnded", |_| true).await;
        session.stop_microphone();
        assert!(rec.of("error").is_empty(), "{media_type}: {:?}", rec.of("error").iter().map(|e| js_sys::JSON::stringify(e).unwrap()).collect::<Vec<_>>());

        // What the emulator heard: 8 kHz audio whose loud part is the 220 Hz tone (PCM16 bytes
        // labelled G.711 decode to noise: hundreds of crossings more).
        let summary = fetch_json(&format!("{}/emulator/recordings/{tag}", emulator())).await;
        let input = get(&summary, "input_audio");
        assert_eq!(number(&input, "rate"), 8_000.0, "{media_type}: {:?}", js_sys::JSON::stringify(&summary));
        let samples = fetch_wav_samples(&format!("{}/emulator/recordings/{tag}/input.wav", emulator())).await;
        let loud: Vec<i16> = samples.iter().copied().filter(|s| s.unsigned_abs() > 2_000).collect();
        assert!(loud.len() > 4_000, "{media_type}: {} loud samples of {}", loud.len(), samples.len());
        // Half-cycles of the loudest 0.5 s, counted with hysteresis (a Schmitt trigger at ±1000).
        let start = samples.iter().position(|s| s.unsigned_abs() > 2_000).unwrap() + 400;
        let window = &samples[start..(start + 4_000).min(samples.len())];
        let (mut high, mut half_cycles) = (window[0] > 0, 0);
        for &s in window {
            if (high && s < -1_000) || (!high && s > 1_000) {
                high = !high;
                half_cycles += 1;
            }
        }
        web_sys::console::log_1(&format!("{media_type}: {} input samples, {half_cycles} half-cycles in 0.5 s", samples.len()).into());
        assert!((200..=240).contains(&half_cycles), "{media_type}: {half_cycles} half-cycles in 0.5 s of a 220 Hz tone");

        // What came back: accounted at one byte a sample, 8 kHz, and played to its last sample.
        let sent = get(&summary, "audio_sent");
        let item = get(&ended, "itemId").as_string().unwrap();
        let sent_ms = number(&get(&sent, &item), "duration_ms");
        let (played, received) = (number(&ended, "playedMs"), number(&ended, "receivedMs"));
        web_sys::console::log_1(&format!("{media_type}: sent {sent_ms} ms, received {received} ms, played {played} ms").into());
        assert!((received - sent_ms).abs() < 1.0, "{media_type}: the SDK counted {received} ms of {sent_ms} ms sent");
        assert!((played - received).abs() < 0.5, "{media_type}: played {played} of {received} ms");
        assert!(received > 900.0, "{media_type}: the echo of a 1 s utterance is {received} ms");

        // The formats are fixed at connect.
        let change = json(r#"{ "type": "sessionUpdate", "options": { "outputAudioFormat": { "mediaType": "audio/pcm", "sampleRate": 24000 } } }"#);
        let e = JsFuture::from(session.send(change)).await.unwrap_err();
        assert_eq!(get(&e, "code").as_string().as_deref(), Some("unsupported"), "{e:?}");
        JsFuture::from(session.close()).await.unwrap();
    }
    assert_no_unhandled_rejections().await;
}
