//! The browser's `online`/`offline` events, reported while a session lives (the reconnect policy
//! makes no attempts while offline). RAII: dropping the watch removes both listeners. The listeners
//! are added and removed by `platform.js` (no `web_sys::window()` in the wasm).

use super::driver::Callback;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    /// Calls `changed(online)` on every `online`/`offline` event of the window (and `changed(false)`
    /// at once when it is offline already); returns the function that stops it, or `undefined`
    /// outside a window (a worker), where there are no such events.
    #[wasm_bindgen(js_name = watchNetwork)]
    fn watch_network(changed: &js_sys::Function) -> Option<js_sys::Function>;
    /// Calls what `watch_network` returned (a function of ours that never throws: no `catch` glue,
    /// unlike `Function::call0`).
    #[wasm_bindgen(js_name = unwatchNetwork)]
    fn unwatch_network(unwatch: &js_sys::Function);
}

pub(crate) struct NetworkWatch {
    unwatch: js_sys::Function,
    _changed: Callback,
}

impl NetworkWatch {
    /// Calls `changed(online)` on every `online`/`offline` event, and `changed(false)` at once when
    /// the browser is offline already; `None` outside a window.
    pub(crate) fn start(changed: impl Fn(bool) + 'static) -> Option<NetworkWatch> {
        // The driver's one closure type (each signature has glue of its own).
        let changed = Callback::new(move |online: JsValue| changed(online.as_bool() == Some(true)));
        let unwatch = watch_network(changed.as_ref().unchecked_ref())?;
        Some(NetworkWatch { unwatch, _changed: changed })
    }
}

impl Drop for NetworkWatch {
    fn drop(&mut self) {
        unwatch_network(&self.unwatch);
    }
}
