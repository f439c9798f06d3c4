import { FormatError } from './format-error.js';

/** A parsed `.npy` array: C-order data as float64, whatever the stored precision. */
export interface NpyArray {
  shape: number[];
  data: Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** numpy's own np.load refuses headers over 10 000 bytes by default; a 2-D float array needs < 128. */
const MAX_HEADER_BYTES = 10_000;
/** Nesting of ( and [ in the header; numpy writes at most 2 (a list of tuples). */
const MAX_DEPTH = 4;
const SUPPORTED = 'only float32 and float64 (<f4, >f4, <f8, >f8) are supported';

/**
 * Parses a NumPy `.npy` file, versions 1.0, 2.0 and 3.0 (the format of numpy.lib.format):
 * the magic `\x93NUMPY`, two version bytes, the header length (little-endian uint16 in v1,
 * uint32 in v2/v3), then a Python dict literal with 'descr', 'fortran_order' and 'shape',
 * then the raw C-order data. The dict is read by a small tokenizer, never evaluated.
 *
 * dtypes: `<f4 >f4 <f8 >f8`, and `=` (native) read as little-endian, which is what every
 * platform numpy writes `=` from in practice (numpy itself writes `<` or `>`).
 *
 * @throws FormatError 415 for Fortran order or any other dtype (objects, integers,
 *   structured); 400 for a bad magic or version, a truncated or malformed header, data
 *   whose length is not product(shape)·itemsize, empty data, or NaN/Inf values.
 */
export function parseNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < MAGIC.length || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new FormatError(400, 'not a .npy file: it does not start with the magic \\x93NUMPY');
  }
  if (bytes.length < 10) {
    throw new FormatError(400, `truncated .npy header: ${bytes.length} bytes, at least 10 needed`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) {
    throw new FormatError(400, `unsupported .npy version ${major}.${minor}: 1.0, 2.0 and 3.0 are known`);
  }
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = 10;
    headerLength = view.getUint16(8, true);
  } else {
    if (bytes.length < 12) {
      throw new FormatError(400, `truncated .npy header: ${bytes.length} bytes, version ${major}.0 needs 12`);
    }
    headerStart = 12;
    headerLength = view.getUint32(8, true);
  }
  if (headerLength > MAX_HEADER_BYTES) {
    throw new FormatError(
      400,
      `the .npy header declares ${headerLength} bytes; at most ${MAX_HEADER_BYTES} are read`,
    );
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) {
    throw new FormatError(
      400,
      `truncated .npy header: it declares ${headerLength} bytes, but only ${bytes.length - headerStart} follow`,
    );
  }
  let text: string;
  try {
    // v1/v2 headers are latin-1 (ASCII in practice), v3 is UTF-8.
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(
      bytes.subarray(headerStart, dataStart),
    );
  } catch {
    throw new FormatError(400, 'malformed .npy header: it is not valid UTF-8');
  }
  const header = readHeader(text);

  const match = /^([<>=|]?)([a-zA-Z])(\d*)$/.exec(header.descr);
  const order = match?.[1] ?? '';
  const itemSize = Number(match?.[3] ?? Number.NaN);
  if (match?.[2] === 'O')
    throw new FormatError(415, `unsupported dtype '${header.descr}' (Python objects): ${SUPPORTED}`);
  if (match?.[2] !== 'f' || (itemSize !== 4 && itemSize !== 8) || !['<', '>', '='].includes(order)) {
    throw new FormatError(415, `unsupported dtype '${header.descr}': ${SUPPORTED}`);
  }
  if (header.fortranOrder) {
    throw new FormatError(
      415,
      'Fortran-order arrays are not supported: save a C-order array (np.ascontiguousarray)',
    );
  }
  const count = header.shape.reduce((a, b) => a * b, 1);
  const payload = bytes.length - dataStart;
  if (count === 0) throw new FormatError(400, `the array is empty: shape (${header.shape.join(', ')})`);
  if (payload !== count * itemSize) {
    throw new FormatError(
      400,
      `the .npy data is ${payload} bytes, but shape (${header.shape.join(', ')}) of '${header.descr}' needs ${count * itemSize}`,
    );
  }
  const littleEndian = order !== '>';
  const data = new Float64Array(count);
  for (let i = 0, at = dataStart; i < count; i++, at += itemSize) {
    const v = itemSize === 8 ? view.getFloat64(at, littleEndian) : view.getFloat32(at, littleEndian);
    if (!Number.isFinite(v)) {
      throw new FormatError(400, `element ${i} (C order) is ${v}; values must be finite`);
    }
    data[i] = v;
  }
  return { shape: header.shape, data };
}

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

type Value = string | boolean | number | null | Value[];
type Token = { kind: 'punct'; text: string } | { kind: 'value'; value: Value };

/** The header dict, checked for exactly numpy's three keys and their types. */
function readHeader(text: string): NpyHeader {
  const bad = (why: string): never => {
    throw new FormatError(
      400,
      `malformed .npy header (${why}): ${JSON.stringify(text.trim().slice(0, 200))}`,
    );
  };
  const tokens = tokenize(text, bad);
  let at = 0;
  const peek = () => tokens[at];
  const expectPunct = (p: string) => {
    const t = tokens[at++];
    if (t?.kind !== 'punct' || t.text !== p) bad(`expected '${p}'`);
  };
  // value := literal | '(' [value (',' value)* [',']] ')' | '[' … ']'
  const parseValue = (depth = 0): Value => {
    if (depth > MAX_DEPTH) return bad('nested too deeply');
    const t = tokens[at++];
    if (t === undefined) return bad('unexpected end');
    if (t.kind === 'value') return t.value;
    if (t.text !== '(' && t.text !== '[') return bad(`unexpected '${t.text}'`);
    const close = t.text === '(' ? ')' : ']';
    const items: Value[] = [];
    for (;;) {
      const next = peek();
      if (next?.kind === 'punct' && next.text === close) {
        at++;
        return items;
      }
      items.push(parseValue(depth + 1));
      const sep = tokens[at++];
      if (sep?.kind === 'punct' && sep.text === close) return items;
      if (sep?.kind !== 'punct' || sep.text !== ',') return bad(`expected ',' or '${close}'`);
    }
  };
  expectPunct('{');
  const dict = new Map<string, Value>();
  for (;;) {
    const next = peek();
    if (next?.kind === 'punct' && next.text === '}') {
      at++;
      break;
    }
    const key = parseValue();
    if (typeof key !== 'string') bad('keys must be strings');
    expectPunct(':');
    dict.set(key as string, parseValue());
    const sep = tokens[at++];
    if (sep?.kind === 'punct' && sep.text === '}') break;
    if (sep?.kind !== 'punct' || sep.text !== ',') bad("expected ',' or '}'");
  }
  if (at !== tokens.length) bad('text after the dict');
  const keys = [...dict.keys()].sort().join(',');
  if (keys !== 'descr,fortran_order,shape')
    bad(`keys must be 'descr', 'fortran_order', 'shape'; got ${keys}`);
  const descr = dict.get('descr');
  const fortranOrder = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (Array.isArray(descr)) throw new FormatError(415, `structured dtypes are not supported: ${SUPPORTED}`);
  if (typeof descr !== 'string') return bad("'descr' must be a string");
  if (typeof fortranOrder !== 'boolean') return bad("'fortran_order' must be True or False");
  if (
    !Array.isArray(shape) ||
    !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)
  ) {
    return bad("'shape' must be a tuple of non-negative integers");
  }
  return { descr, fortranOrder, shape: shape as number[] };
}

/**
 * Tokens of the Python literal subset numpy writes: strings in '…' or "…" (with backslash
 * escapes of the quote and backslash only), True/False/None, decimal integers (with an
 * optional Python 2 `L`), and the punctuation { } ( ) [ ] : ,.
 */
function tokenize(text: string, bad: (why: string) => never): Token[] {
  // Sticky regexes read in place: no slicing, so tokenizing stays linear in the header.
  const INTEGER = /([0-9]+)L?/y;
  const WORD = /[A-Za-z_]+/y;
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') {
      i++;
    } else if ('{}()[]:,'.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else if (c === "'" || c === '"') {
      let s = '';
      i++;
      for (;;) {
        const d = text[i];
        if (d === undefined) return bad('unterminated string');
        i++;
        if (d === c) break;
        if (d === '\\') {
          const e = text[i++];
          if (e !== c && e !== '\\') return bad('unsupported escape in a string');
          s += e;
        } else {
          s += d;
        }
      }
      tokens.push({ kind: 'value', value: s });
    } else if (c >= '0' && c <= '9') {
      INTEGER.lastIndex = i;
      const m = INTEGER.exec(text)!;
      const n = Number(m[1]);
      if (!Number.isSafeInteger(n)) return bad(`integer ${m[1]} is too large`);
      tokens.push({ kind: 'value', value: n });
      i += m[0].length;
    } else {
      WORD.lastIndex = i;
      const word = WORD.exec(text)?.[0];
      if (word === 'True' || word === 'False') tokens.push({ kind: 'value', value: word === 'True' });
      else if (word === 'None') tokens.push({ kind: 'value', value: null });
      else return bad(`unexpected ${JSON.stringify(word ?? c)}`);
      i += word.length;
    }
  }
  return tokens;
}
