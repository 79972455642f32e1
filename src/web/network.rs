//! The browser's `online`/`offline` events, reported while a session lives (the reconnect policy
//! makes no attempts while offline). RAII: dropping the watch removes both listeners.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub(crate) struct NetworkWatch {
    window: web_sys::Window,
    online: Closure<dyn FnMut()>,
    offline: Closure<dyn FnMut()>,
}

impl NetworkWatch {
    /// Calls `changed(online)` on every `online`/`offline` event of `window`; `None` outside a window
    /// (a worker), where the browser gives no such events.
    pub(crate) fn start(changed: impl Fn(bool) + Clone + 'static) -> Option<NetworkWatch> {
        let window = web_sys::window()?;
        let to = |online: bool| {
            let changed = changed.clone();
            Closure::<dyn FnMut()>::new(move || changed(online))
        };
        let (online, offline) = (to(true), to(false));
        window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref()).ok()?;
        let watch = NetworkWatch { window, online, offline };
        watch.window.add_event_listener_with_callback("offline", watch.offline.as_ref().unchecked_ref()).ok()?;
        Some(watch)
    }

    /// `navigator.onLine` (true when unknown).
    pub(crate) fn is_online() -> bool {
        web_sys::window().is_none_or(|w| w.navigator().on_line())
    }
}

impl Drop for NetworkWatch {
    fn drop(&mut self) {
        let _ = self.window.remove_event_listener_with_callback("online", self.online.as_ref().unchecked_ref());
        let _ = self.window.remove_event_listener_with_callback("offline", self.offline.as_ref().unchecked_ref());
    }
}
