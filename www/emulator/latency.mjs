// Network latency for one emulated connection (`emu_latency_ms=L`, both providers).
//
// Owns: delaying every frame by L ms in each direction on an accepted `ws` socket, order kept:
// server → client frames (`ws.send`) and the close or drop that follows them leave L ms after
// the provider sent them; client → server frames (`message` events) reach the provider L ms
// after they arrived. A real round trip, so barge-in and turn-taking figures are not measured on
// a loopback that flatters the server-driven path.
// Must never: reorder frames, or deliver anything after the socket is gone.
//
//   delayFrames(ws, ms)   patches this socket instance (call before the provider handler sees it)

/**
 * One FIFO per direction with a due time per entry: equal delays keep arrival order, and a slow
 * timer never lets a later frame overtake an earlier one.
 */
function fifo(ms) {
  const queue = [];
  let timer = null;
  const run = () => {
    timer = null;
    const now = Date.now();
    while (queue.length && queue[0].due <= now) queue.shift().fn();
    if (queue.length) timer = setTimeout(run, Math.max(0, queue[0].due - Date.now()));
  };
  return {
    push(fn) {
      queue.push({ due: Date.now() + ms, fn });
      if (!timer) timer = setTimeout(run, ms);
    },
    clear() {
      queue.length = 0;
      clearTimeout(timer);
      timer = null;
    },
  };
}

/** Delays every frame on `ws` by `ms` in each direction (no-op for 0 or less). */
export function delayFrames(ws, ms) {
  if (!(ms > 0)) return;
  const down = fifo(ms);
  const up = fifo(ms);
  const send = ws.send.bind(ws);
  const close = ws.close.bind(ws);
  const terminate = ws.terminate.bind(ws);
  const emit = ws.emit.bind(ws);
  const open = () => ws.readyState === ws.OPEN;
  ws.send = (data, options, callback) => {
    down.push(() => {
      if (open()) send(data, options, callback);
    });
  };
  // A close or drop the provider asks for follows the frames it sent before.
  ws.close = (code, reason) => down.push(() => {
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) close(code, reason);
  });
  ws.terminate = () => down.push(() => terminate());
  ws.emit = (event, ...args) => {
    if (event === 'message') {
      up.push(() => {
        if (open()) emit(event, ...args);
      });
      return true;
    }
    if (event === 'close') {
      // Nothing is delivered after the socket is gone (the provider would answer into the void).
      up.clear();
      down.clear();
    }
    return emit(event, ...args);
  };
}
