// The official OpenAI Realtime schema, compiled with ajv.
//
// Owns: loading `openai-realtime-schemas.json` (keys `schemas`, `dependencies`,
// `event_groups`), turning its OpenAPI-isms into JSON Schema 2020-12 (`nullable:
// true` → "or null"; `oneOf` → `anyOf`; `x-*`, `example`, `discriminator` ignored), one
// validator per client event type (group `realtime-client-events`) and per server event
// type (group `realtime-server-events`), and translating a failed client event into the
// OpenAI error the real service answers (missing/unknown parameter, invalid type,
// invalid value): unions are narrowed by their `type`/`role` discriminators first, so the
// error names what the client meant, not a sibling branch. Unknown parameters are detected by a
// walk over the schema's `properties` (the spec rarely says additionalProperties:
// false, but the real service rejects unknown fields, e.g. beta-only names).
//
//   loadSchema(path) → OpenAISchema | null (null when the file is absent)
//   schema.clientTypes                     list of client event types
//   schema.validateClient(event) → RealtimeError | null
//   schema.validateServer(event) → [{ path, message }]  (empty = valid)

import fs from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import * as errors from './errors.mjs';

const cache = new Map();

function convert(node) {
  if (Array.isArray(node)) return node.map(convert);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('x-') || k === 'example' || k === 'discriminator' || k === 'nullable') continue;
    // oneOf → anyOf: several spec unions overlap (e.g. `conversation`: any string | "auto"/"none"),
    // which would make valid events fail "exactly one"; the service accepts them.
    out[k === 'oneOf' ? 'anyOf' : k] = convert(v);
  }
  if (node.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    if (!out.type && !out.enum) return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

function jsonType(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

function expectedType(t) {
  const one = Array.isArray(t) ? t.filter((x) => x !== 'null') : [t];
  return one.map((x) => (x === 'integer' ? 'an integer' : x === 'object' ? 'an object' : x === 'array' ? 'an array' : `a ${x}`)).join(' or ');
}

/** "/session/audio/0/x" → "session.audio[0].x" */
function relParam(instancePath, extra) {
  const parts = instancePath.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let s = '';
  for (const p of parts) s += /^\d+$/.test(p) ? `[${p}]` : s ? `.${p}` : p;
  return s;
}

function valueAt(root, instancePath) {
  let v = root;
  for (const p of instancePath.split('/').filter(Boolean)) v = v?.[p.replace(/~1/g, '/').replace(/~0/g, '~')];
  return v;
}

export class OpenAISchema {
  constructor(raw) {
    const components = { ...raw.schemas, ...raw.dependencies };
    this.components = {};
    for (const [k, v] of Object.entries(components)) this.components[k] = convert(v);
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, allowUnionTypes: true });
    this.ajv.addSchema({ $id: 'oai', components: { schemas: this.components } });
    this.pointerValidators = new Map();
    this.client = new Map();
    this.server = new Map();
    for (const group of raw.event_groups ? Object.values(raw.event_groups) : []) {
      const target = group.id === 'realtime-client-events' ? this.client : group.id === 'realtime-server-events' ? this.server : null;
      if (!target) continue;
      for (const section of group.sections ?? []) {
        const s = this.components[section.key];
        const type = s?.properties?.type?.enum?.[0] ?? s?.properties?.type?.const;
        if (type) target.set(type, { name: section.key, validate: null });
      }
    }
    this.clientTypes = [...this.client.keys()];
  }

  #validator(entry) {
    entry.validate ??= this.ajv.compile({ $ref: `oai#/components/schemas/${entry.name}` });
    return entry.validate;
  }

  /** First schema problem of a client event, as the OpenAI error the service sends, or null. */
  validateClient(event) {
    if (typeof event.type !== 'string') return errors.missingType();
    const entry = this.client.get(event.type);
    if (!entry) return errors.unknownType(event.type, this.clientTypes);
    const validate = this.#validator(entry);
    // The spec's RealtimeConversationItem union lacks `item_reference`, which the service
    // accepts in `response.input` (its description says so): check those entries by hand.
    let checked = event;
    const input = event.type === 'response.create' ? event.response?.input : null;
    if (Array.isArray(input) && input.some((i) => i?.type === 'item_reference')) {
      for (let i = 0; i < input.length; i++) {
        if (input[i]?.type !== 'item_reference') continue;
        if (typeof input[i].id !== 'string') return errors.missingParam(`response.input[${i}].id`);
        const extra = Object.keys(input[i]).find((k) => k !== 'type' && k !== 'id');
        if (extra) return errors.unknownParam(`response.input[${i}].${extra}`);
      }
      checked = { ...event, response: { ...event.response, input: input.filter((i) => i?.type !== 'item_reference') } };
    }
    if (!validate(checked)) return this.#narrow(`/components/schemas/${entry.name}`, checked, '') ?? this.#translate(validate.errors, checked, '');
    const unknown = this.#unknownParam(this.components[entry.name], checked, '');
    return unknown ? errors.unknownParam(unknown) : null;
  }

  /** Validation errors of a server event against its official schema. */
  validateServer(event) {
    const entry = this.server.get(event?.type);
    if (!entry) return [{ path: 'type', message: `not a server event type: ${event?.type}` }];
    const validate = this.#validator(entry);
    if (validate(event)) return [];
    return validate.errors.map((e) => ({ path: e.instancePath || '/', message: `${e.message} ${JSON.stringify(e.params)}` }));
  }

  #translate(errs, event, base = '') {
    // Union branches whose discriminator (`type`/`role`) does not match are not what the
    // client meant: drop their errors. What is left names the real problem; when nothing
    // is left, the problem is the discriminator itself (merge the allowed values).
    const DISC = /^(.*\/(?:oneOf|anyOf)\/\d+)\/properties\/(?:type|role)\/(?:enum|const)$/;
    const branchOf = (e) => (e.schemaPath.match(/^.*\/(?:oneOf|anyOf)\/\d+/) ?? [''])[0];
    const excluded = new Set();
    for (const e of errs) {
      const m = DISC.exec(e.schemaPath);
      if (m) excluded.add(m[1]);
    }
    const under = (path, strict) => {
      for (const q of excluded) if (path === q ? !strict : path.startsWith(q + '/')) return true;
      return false;
    };
    const depthOf = (e) => e.instancePath.split('/').length;
    const rank = { required: 0, type: 1, enum: 2, const: 2, additionalProperties: 3 };
    const candidates = errs.filter((e) => !['oneOf', 'anyOf', 'allOf', 'if', 'not'].includes(e.keyword) && !under(e.schemaPath, false));
    let best;
    if (candidates.length) {
      // A primitive that fails both "type" (of an object branch) and "enum" (of a string
      // branch) is best explained by the enum.
      const r = (e) => {
        const v = valueAt(event, e.instancePath);
        return e.keyword === 'enum' && v !== null && typeof v !== 'object' ? 0.5 : rank[e.keyword] ?? 9;
      };
      best = candidates.sort((a, b) => depthOf(b) - depthOf(a) || r(a) - r(b))[0];
    } else {
      const disc = errs.filter((e) => DISC.test(e.schemaPath) && !under(branchOf(e), true));
      const pool = disc.length ? disc : errs;
      const deepest = pool.sort((a, b) => depthOf(b) - depthOf(a))[0];
      const same = pool.filter((e) => e.instancePath === deepest.instancePath && (e.keyword === 'enum' || e.keyword === 'const'));
      const allowed = [...new Set(same.flatMap((e) => e.params.allowedValues ?? [e.params.allowedValue]))];
      best = same.length ? { ...deepest, keyword: 'enum', params: { allowedValues: allowed } } : deepest;
    }
    const value = valueAt(event, best.instancePath);
    const paramOf = (ip, extra) => {
      const rel = relParam(ip, extra);
      if (!base) return rel;
      if (!rel) return base;
      return rel.startsWith('[') ? base + rel : `${base}.${rel}`;
    };
    switch (best.keyword) {
      case 'required':
        return errors.missingParam(paramOf(best.instancePath, best.params.missingProperty));
      case 'additionalProperties':
        return errors.unknownParam(paramOf(best.instancePath, best.params.additionalProperty));
      case 'type':
        return errors.invalidType(paramOf(best.instancePath), expectedType(best.params.type), jsonType(value));
      case 'enum':
      case 'const': {
        const allowed = best.params.allowedValues ?? [best.params.allowedValue];
        return errors.invalidValue(
          paramOf(best.instancePath),
          `Invalid value: '${String(typeof value === 'object' ? JSON.stringify(value) : value).slice(0, 100)}'. Supported values are: ${allowed
            .filter((v) => v !== null)
            .map((v) => `'${v}'`)
            .join(', ')}.`,
        );
      }
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        return errors.invalidValue(
          paramOf(best.instancePath),
          `Invalid '${paramOf(best.instancePath)}': ${best.keyword === 'minimum' || best.keyword === 'exclusiveMinimum' ? 'below minimum' : 'above maximum'} value. Expected a value ${best.params.comparison} ${best.params.limit}, but got ${value} instead.`,
        );
      case 'maxLength':
      case 'minLength':
      case 'maxItems':
      case 'minItems':
        return errors.invalidValue(
          paramOf(best.instancePath),
          `Invalid '${paramOf(best.instancePath)}': ${best.keyword.startsWith('max') ? 'too long' : 'too short'}. Expected ${best.keyword.endsWith('Items') ? 'an array' : 'a string'} with ${best.keyword.startsWith('max') ? 'maximum' : 'minimum'} length ${best.params.limit}.`,
        );
      default:
        return errors.invalidValue(paramOf(best.instancePath), `Invalid '${paramOf(best.instancePath) || 'event'}': ${best.message}.`);
    }
  }

  #node(pointer) {
    let n = { components: { schemas: this.components } };
    for (const k of pointer.split('/').filter(Boolean)) n = n?.[k];
    return n;
  }

  /** Follow $refs: → [pointer, node]. */
  #deref(pointer) {
    let node = this.#node(pointer);
    let guard = 0;
    while (node?.$ref && guard++ < 20) {
      pointer = `/components/schemas/${node.$ref.split('/').pop()}`;
      node = this.#node(pointer);
    }
    return [pointer, node];
  }

  /** Union branches of a node, nested unions flattened, bare null branches dropped. */
  #branches(pointer, node) {
    const key = node.anyOf ? 'anyOf' : node.oneOf ? 'oneOf' : null;
    if (!key || node.properties) return null;
    const out = [];
    node[key].forEach((_, i) => {
      const [p, n] = this.#deref(`${pointer}/${key}/${i}`);
      if (!n || n.type === 'null') return;
      const nested = this.#branches(p, n);
      if (nested) out.push(...nested);
      else out.push([p, n]);
    });
    return out;
  }

  #validatorAt(pointer) {
    let v = this.pointerValidators.get(pointer);
    if (!v) {
      v = this.ajv.compile({ $ref: `oai#${pointer}` });
      this.pointerValidators.set(pointer, v);
    }
    return v;
  }

  /**
   * Walk the instance through the schema, choosing union branches by their `type` /
   * `role` discriminators. A discriminator no branch accepts is the error (listing every
   * value the union accepts); inside the one matching branch, that branch's own errors
   * explain the problem better than the union's. Null when nothing more precise is found.
   */
  #narrow(pointer, value, path) {
    if (value === null || typeof value !== 'object') return null;
    const [ptr, node] = this.#deref(pointer);
    if (!node) return null;
    if (Array.isArray(value)) {
      if (!node.items) return null;
      for (let i = 0; i < value.length; i++) {
        const r = this.#narrow(`${ptr}/items`, value[i], `${path}[${i}]`);
        if (r) return r;
      }
      return null;
    }
    const branches = this.#branches(ptr, node);
    if (branches) {
      const objs = branches.filter(([, n]) => n.properties);
      const allowedOf = (n, key) => {
        const p = n.properties[key] ? this.#resolve(n.properties[key]) : null;
        return p?.enum ?? (p?.const !== undefined ? [p.const] : null);
      };
      const accepts = (n, key) => {
        const allowed = allowedOf(n, key);
        return !allowed || value[key] === undefined || allowed.includes(value[key]);
      };
      for (const key of ['type', 'role']) {
        if (value[key] === undefined) continue;
        const prior = (key === 'role' ? objs.filter(([, n]) => accepts(n, 'type')) : objs).filter(([, n]) => allowedOf(n, key));
        if (prior.length && !prior.some(([, n]) => accepts(n, key))) {
          const allowed = [...new Set(prior.flatMap(([, n]) => allowedOf(n, key)))].filter((v) => v !== null);
          const param = path ? `${path}.${key}` : key;
          return errors.invalidValue(param, `Invalid value: '${String(value[key]).slice(0, 100)}'. Supported values are: ${allowed.map((v) => `'${v}'`).join(', ')}.`);
        }
      }
      const match = objs.filter(([, n]) => accepts(n, 'type') && accepts(n, 'role'));
      if (match.length !== 1) return null;
      const [bp] = match[0];
      const validate = this.#validatorAt(bp);
      if (validate(value)) return null;
      const errs = validate.errors;
      return this.#narrow(bp, value, path) ?? this.#translate(errs, value, path);
    }
    if (!node.properties) return null;
    for (const [k, v] of Object.entries(value)) {
      if (!node.properties[k]) continue;
      const r = this.#narrow(`${ptr}/properties/${k}`, v, path ? `${path}.${k}` : k);
      if (r) return r;
    }
    return null;
  }

  #resolve(s) {
    let guard = 0;
    while (s && s.$ref && guard++ < 20) s = this.components[s.$ref.split('/').pop()];
    return s;
  }

  /** First instance key the schema does not declare (dotted path), or null. */
  #unknownParam(schema, value, path) {
    schema = this.#resolve(schema);
    if (!schema || value === null || typeof value !== 'object') return null;
    if (Array.isArray(value)) {
      if (!schema.items) return null;
      for (let i = 0; i < value.length; i++) {
        const r = this.#unknownParam(schema.items, value[i], `${path}[${i}]`);
        if (r) return r;
      }
      return null;
    }
    const branches = schema.oneOf ?? schema.anyOf;
    if (branches && !schema.properties) {
      const objs = branches.map((b) => this.#resolve(b)).filter((b) => b?.properties);
      let pick = objs.filter((b) => {
        const t = b.properties.type;
        const allowed = t?.enum ?? (t?.const !== undefined ? [t.const] : null);
        return allowed && allowed.includes(value.type);
      });
      if (pick.length !== 1 && objs.length === 1) pick = objs;
      return pick.length === 1 ? this.#unknownParam(pick[0], value, path) : null;
    }
    if (!schema.properties || schema.additionalProperties !== undefined || schema.patternProperties) return null;
    for (const [k, v] of Object.entries(value)) {
      const sub = schema.properties[k];
      const p = path ? `${path}.${k}` : k;
      if (!sub) return p;
      const r = this.#unknownParam(sub, v, p);
      if (r) return r;
    }
    return null;
  }
}

/** Load (and cache) the schema; null when the file does not exist. */
export function loadSchema(path) {
  if (!path) return null;
  if (cache.has(path)) return cache.get(path);
  let schema = null;
  if (fs.existsSync(path)) schema = new OpenAISchema(JSON.parse(fs.readFileSync(path, 'utf8')));
  cache.set(path, schema);
  return schema;
}
