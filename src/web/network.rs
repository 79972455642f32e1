//! The browser's `online`/`offline` events, reported while a session lives (the reconnect policy
//! makes no attempts while offline). RAII: dropping the watch removes both listeners. The listeners
//! are added and removed by `platform.js` (no `web_sys::window()` in the wasm).

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

/// The listeners' remover (the callback they call is the driver's, which outlives the watch).
pub(crate) struct NetworkWatch(js_sys::Function);

impl NetworkWatch {
    /// Calls `changed(online)` on every `online`/`offline` event, and `changed(false)` at once when
    /// the browser is offline already; `None` outside a window.
    pub(crate) fn start(changed: &js_sys::Function) -> Option<NetworkWatch> {
        watch_network(changed).map(NetworkWatch)
    }
}

impl Drop for NetworkWatch {
    fn drop(&mut self) {
        unwatch_network(&self.0);
    }
}
