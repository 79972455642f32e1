// The tool-call log: one `<li data-call-id data-name data-status>` per call the SDK ran.
//
// Owns: rendering `toolCallStarted` / `toolCallCompleted` events (name, arguments, result or
// error, duration, cancelled). Text only: arguments and results are JSON shown via textContent.

function json(value) {
  if (value === undefined) return '';
  try {
    const s = JSON.stringify(value);
    return s.length > 400 ? `${s.slice(0, 400)}…` : s;
  } catch {
    return String(value);
  }
}

export class ToolLog {
  /** @param {HTMLOListElement} list */
  constructor(list) {
    this.list = list;
    this.calls = new Map();
  }

  #span(cls, text) {
    const el = document.createElement('span');
    el.className = cls;
    el.textContent = text;
    return el;
  }

  started({ callId, name, arguments: args }) {
    const li = document.createElement('li');
    li.className = 'tool-call';
    li.dataset.callId = callId;
    li.dataset.name = name;
    li.dataset.status = 'running';

    const head = document.createElement('p');
    head.className = 'tool-head';
    const call = document.createElement('code');
    call.className = 'tool-name';
    call.textContent = name;
    const status = this.#span('tool-status', 'running…');
    head.append(call, status);

    const argsLine = document.createElement('p');
    argsLine.className = 'tool-line';
    argsLine.append(this.#span('tool-key', 'args'), Object.assign(document.createElement('code'), { textContent: json(args ?? {}) }));

    li.append(head, argsLine);
    this.list.prepend(li);
    this.calls.set(callId, { li, status });
  }

  completed({ callId, name, result, error, cancelled, durationMs }) {
    let entry = this.calls.get(callId);
    if (!entry) {
      this.started({ callId, name, arguments: undefined });
      entry = this.calls.get(callId);
    }
    const { li, status } = entry;
    const state = cancelled ? 'cancelled' : error !== undefined ? 'error' : 'done';
    li.dataset.status = state;
    const ms = Number.isFinite(durationMs) ? ` · ${Math.round(durationMs)} ms` : '';
    status.textContent = { done: 'done', error: 'failed', cancelled: 'cancelled' }[state] + ms;

    const line = document.createElement('p');
    line.className = 'tool-line';
    if (state === 'error') line.append(this.#span('tool-key', 'error'), Object.assign(document.createElement('code'), { textContent: String(error) }));
    else if (state === 'done') line.append(this.#span('tool-key', 'result'), Object.assign(document.createElement('code'), { textContent: json(result) }));
    else line.append(this.#span('tool-key', 'note'), this.#span('tool-note', 'cancelled by barge-in; the result was not sent'));
    li.append(line);
  }
}
