//! `session.messages()`: the server messages as a JS async iterator, single consumer, ending on
//! close. Messages are buffered from the moment a consumer exists; a second concurrent consumer is
//! a clear error (the seed only documented the rule).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[derive(Default)]
struct State {
    active: bool,
    ended: bool,
    buffered: VecDeque<JsValue>,
    waiting: Option<js_sys::Function>,
    /// The iterator's methods, kept alive with the session.
    closures: Vec<Closure<dyn FnMut() -> JsValue>>,
}

pub struct MessageStream {
    state: Rc<RefCell<State>>,
}

fn result(value: &JsValue, done: bool) -> JsValue {
    let object = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&object, &"value".into(), value);
    let _ = js_sys::Reflect::set(&object, &"done".into(), &done.into());
    object.into()
}

impl MessageStream {
    pub fn new() -> Self {
        MessageStream { state: Rc::new(RefCell::new(State::default())) }
    }

    /// A consumer is reading (so messages are delivered or buffered).
    pub fn is_active(&self) -> bool {
        let state = self.state.borrow();
        state.active && !state.ended
    }

    pub fn push(&self, message: JsValue) {
        let waiting = {
            let mut state = self.state.borrow_mut();
            if !state.active || state.ended {
                return;
            }
            match state.waiting.take() {
                Some(resolve) => resolve,
                None => {
                    state.buffered.push_back(message);
                    return;
                }
            }
        };
        let _ = waiting.call1(&JsValue::UNDEFINED, &result(&message, false));
    }

    pub fn end(&self) {
        let waiting = {
            let mut state = self.state.borrow_mut();
            state.ended = true;
            state.waiting.take()
        };
        if let Some(resolve) = waiting {
            let _ = resolve.call1(&JsValue::UNDEFINED, &result(&JsValue::UNDEFINED, true));
        }
    }

    /// A new async iterator, or an error while another one is being consumed.
    pub fn consumer(&self) -> Result<JsValue, JsValue> {
        {
            let mut state = self.state.borrow_mut();
            if state.active {
                return Err(js_sys::Error::new(
                    "messages() already has a consumer: a session's message stream has a single reader (call return() on the first iterator, or use on())",
                )
                .into());
            }
            state.active = true;
            state.buffered.clear();
        }
        let iterator = js_sys::Object::new();
        let weak = Rc::downgrade(&self.state);
        let next = Closure::<dyn FnMut() -> JsValue>::new(move || {
            let Some(state) = weak.upgrade() else { return js_sys::Promise::resolve(&result(&JsValue::UNDEFINED, true)).into() };
            let mut state = state.borrow_mut();
            if let Some(message) = state.buffered.pop_front() {
                return js_sys::Promise::resolve(&result(&message, false)).into();
            }
            if state.ended || !state.active {
                return js_sys::Promise::resolve(&result(&JsValue::UNDEFINED, true)).into();
            }
            let mut slot = None;
            let promise = js_sys::Promise::new(&mut |resolve, _| slot = Some(resolve));
            state.waiting = slot;
            promise.into()
        });
        let weak = Rc::downgrade(&self.state);
        let finish = Closure::<dyn FnMut() -> JsValue>::new(move || {
            if let Some(state) = weak.upgrade() {
                let waiting = {
                    let mut state = state.borrow_mut();
                    state.active = false;
                    state.buffered.clear();
                    state.waiting.take()
                };
                if let Some(resolve) = waiting {
                    let _ = resolve.call1(&JsValue::UNDEFINED, &result(&JsValue::UNDEFINED, true));
                }
            }
            js_sys::Promise::resolve(&result(&JsValue::UNDEFINED, true)).into()
        });
        let this = iterator.clone();
        let itself = Closure::<dyn FnMut() -> JsValue>::new(move || this.clone().into());
        let _ = js_sys::Reflect::set(&iterator, &"next".into(), next.as_ref());
        let _ = js_sys::Reflect::set(&iterator, &"return".into(), finish.as_ref());
        let _ = js_sys::Reflect::set(&iterator, &js_sys::Symbol::async_iterator(), itself.as_ref());
        self.state.borrow_mut().closures.extend([next, finish, itself]);
        Ok(iterator.into())
    }
}
