// The demo's tools: plain functions the SDK runs as JS handlers when the model calls them.
//
// Owns: the tool declarations (name, description, JSON Schema) and their handlers: the current
// time, a dice roll and a small calculator. No DOM here, so Node tests import it directly.
// The calculator is a recursive-descent parser over numbers, + - * / % ^, parentheses, a few
// functions and constants: it never evaluates code (no eval, no Function).

/** Largest expression the calculator accepts, in characters. */
export const MAX_EXPRESSION = 200;

const FUNCTIONS = {
  sqrt: Math.sqrt,
  abs: Math.abs,
  round: Math.round,
  floor: Math.floor,
  ceil: Math.ceil,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  ln: Math.log,
  log: Math.log10,
  exp: Math.exp,
};
const CONSTANTS = { pi: Math.PI, e: Math.E };

/** Splits an expression into tokens; throws on a character it does not know. */
function tokenize(src) {
  const tokens = [];
  const re = /\s*(?:(\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)|([a-z]+)|(\*\*|[-+*/%^(),×÷−]))/iy;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) throw new SyntaxError(`unexpected "${src.slice(pos).trim()[0]}" at position ${pos + 1}`);
    pos = re.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: 'num', value: Number(m[1]) });
    else if (m[2] !== undefined) tokens.push({ kind: 'name', value: m[2].toLowerCase() });
    else tokens.push({ kind: 'op', value: { '**': '^', '×': '*', '÷': '/', '−': '-' }[m[3]] ?? m[3] });
  }
  return tokens;
}

/**
 * Evaluates an arithmetic expression without eval: `2 * (3 + 4)`, `sqrt(2)^2`, `10 % 3`, `-pi/2`.
 * @param {string} expression
 * @returns {number} a finite number
 * @throws {SyntaxError|RangeError} with a message the model (and the user) can read
 */
export function calculate(expression) {
  if (typeof expression !== 'string' || !expression.trim()) throw new SyntaxError('expression must be a non-empty string');
  if (expression.length > MAX_EXPRESSION) throw new RangeError(`expression is longer than ${MAX_EXPRESSION} characters`);
  const tokens = tokenize(expression);
  let i = 0;
  const peek = () => tokens[i];
  const isOp = (v) => peek()?.kind === 'op' && peek().value === v;
  const expect = (v) => {
    if (!isOp(v)) throw new SyntaxError(`expected "${v}"`);
    i++;
  };

  // expr := term (('+'|'-') term)*
  function expr() {
    let v = term();
    while (isOp('+') || isOp('-')) v = tokens[i++].value === '+' ? v + term() : v - term();
    return v;
  }
  // term := unary (('*'|'/'|'%') unary)*
  function term() {
    let v = unary();
    while (isOp('*') || isOp('/') || isOp('%')) {
      const op = tokens[i++].value;
      const r = unary();
      if ((op === '/' || op === '%') && r === 0) throw new RangeError('division by zero');
      v = op === '*' ? v * r : op === '/' ? v / r : v % r;
    }
    return v;
  }
  // unary := ('+'|'-') unary | power
  function unary() {
    if (isOp('-')) return i++, -unary();
    if (isOp('+')) return i++, unary();
    return power();
  }
  // power := atom ('^' unary)?   (right-associative: 2^3^2 = 2^9)
  function power() {
    const base = atom();
    if (isOp('^')) {
      i++;
      return base ** unary();
    }
    return base;
  }
  // atom := number | constant | function '(' expr ')' | '(' expr ')'
  function atom() {
    const t = peek();
    if (!t) throw new SyntaxError('unexpected end of expression');
    if (t.kind === 'num') return i++, t.value;
    if (t.kind === 'name') {
      i++;
      if (Object.hasOwn(CONSTANTS, t.value)) return CONSTANTS[t.value];
      if (!Object.hasOwn(FUNCTIONS, t.value)) throw new SyntaxError(`unknown name "${t.value}"`);
      expect('(');
      const v = expr();
      expect(')');
      return FUNCTIONS[t.value](v);
    }
    if (isOp('(')) {
      i++;
      const v = expr();
      expect(')');
      return v;
    }
    throw new SyntaxError(`unexpected "${t.value}"`);
  }

  const value = expr();
  if (i < tokens.length) throw new SyntaxError(`unexpected "${tokens[i].value}"`);
  if (!Number.isFinite(value)) throw new RangeError('the result is not a finite number');
  // Hide binary floating-point noise (0.1 + 0.2 → 0.3).
  return Number.parseFloat(value.toPrecision(12));
}

/** Random integer in [1, sides], from the browser's (or Node's) crypto RNG. */
function rollOne(sides) {
  const buf = new Uint32Array(1);
  const limit = Math.floor(0x1_0000_0000 / sides) * sides; // reject the biased tail
  do globalThis.crypto.getRandomValues(buf);
  while (buf[0] >= limit);
  return (buf[0] % sides) + 1;
}

function intArg(args, name, { min, max, fallback }) {
  const v = args?.[name] ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be an integer from ${min} to ${max}`);
  return v;
}

/** The current time, optionally in an IANA time zone. */
export function currentTime(args = {}, now = new Date()) {
  const timeZone = args?.timeZone || Intl.DateTimeFormat().resolvedOptions().timeZone;
  const local = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'full', timeStyle: 'long' }).format(now); // RangeError on a bad zone
  return { iso: now.toISOString(), timeZone, local };
}

/** Rolls `count` dice of `sides` sides. */
export function rollDice(args = {}) {
  const sides = intArg(args, 'sides', { min: 2, max: 1000, fallback: 6 });
  const count = intArg(args, 'count', { min: 1, max: 20, fallback: 1 });
  const rolls = Array.from({ length: count }, () => rollOne(sides));
  return { sides, rolls, total: rolls.reduce((a, b) => a + b, 0) };
}

/**
 * The tools to pass to `connect({ tools })`. `handler(args, { signal })` results go back to the model.
 * Names are what users type in the emulator's `call <tool> <json>` convention.
 */
export const demoTools = [
  {
    name: 'current_time',
    description: "The current date and time, in the user's time zone or a given IANA time zone.",
    parameters: {
      type: 'object',
      properties: { timeZone: { type: 'string', description: 'IANA time zone, e.g. "Europe/Paris". Optional.' } },
    },
    handler: (args) => currentTime(args),
  },
  {
    name: 'roll_dice',
    description: 'Rolls dice and returns each roll and the total.',
    parameters: {
      type: 'object',
      properties: {
        sides: { type: 'integer', minimum: 2, maximum: 1000, description: 'Sides per die (default 6).' },
        count: { type: 'integer', minimum: 1, maximum: 20, description: 'Number of dice (default 1).' },
      },
    },
    handler: (args) => rollDice(args),
  },
  {
    name: 'calculate',
    description: 'Evaluates an arithmetic expression: + - * / % ^, parentheses, sqrt, abs, round, floor, ceil, sin, cos, tan, ln, log, exp, pi, e.',
    parameters: {
      type: 'object',
      properties: { expression: { type: 'string', description: 'e.g. "(2 + 3) * 4"' } },
      required: ['expression'],
    },
    handler: (args) => ({ expression: args?.expression, result: calculate(args?.expression) }),
  },
];

/** Example `call …` lines for the emulator hint (each a valid call of a demo tool). */
export const toolExamples = [
  'call roll_dice {"sides": 6}',
  'call calculate {"expression": "(2 + 3) * 4"}',
  'call current_time {}',
];
