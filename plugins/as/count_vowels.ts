// count_vowels: counts vowels in the input.
//
//   export count_vowels() -> i32
//   input : any bytes, decoded as UTF-8 (invalid sequences become U+FFFD)
//   config: "vowels" = the set of characters that count as vowels
//           (default "aeiouAEIOU"; compared per Unicode code point)
//   var   : "total" = running total over all calls of this instance, stored
//           as a decimal ASCII string (e.g. "42") so a host can read it easily
//   output: UTF-8 JSON, e.g. {"count":3,"total":3,"vowels":"aeiouAEIOU"}
import { Host, Var, Config } from "@extism/as-pdk";

const DEFAULT_VOWELS = "aeiouAEIOU";

// Parses a decimal ASCII number; anything that is not one counts as 0.
function parseTotal(s: string | null): u64 {
  if (s === null) return 0;
  let n: u64 = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return 0;
    n = n * 10 + <u64>(c - 48);
  }
  return n;
}

// Returns the string as a JSON string literal (with quotes).
function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) out += '\\"';
    else if (c == 0x5c) out += "\\\\";
    else if (c == 0x0a) out += "\\n";
    else if (c == 0x0d) out += "\\r";
    else if (c == 0x09) out += "\\t";
    else if (c < 0x20) {
      const hex = c.toString(16);
      out += "\\u" + "0000".substring(hex.length) + hex;
    } else out += String.fromCharCode(c);
  }
  return out + '"';
}

function isVowel(vowels: string, cp: i32): bool {
  for (let j = 0; j < vowels.length; ) {
    const v = vowels.codePointAt(j);
    if (v == cp) return true;
    j += v > 0xffff ? 2 : 1;
  }
  return false;
}

export function count_vowels(): i32 {
  const text = String.UTF8.decode(Host.input().buffer);
  const configured = Config.get("vowels");
  const vowels = configured === null ? DEFAULT_VOWELS : configured;

  let count: u64 = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i);
    if (isVowel(vowels, cp)) count++;
    i += cp > 0xffff ? 2 : 1;
  }

  const total = parseTotal(Var.getString("total")) + count;
  Var.set("total", Uint8Array.wrap(String.UTF8.encode(total.toString())));

  const json =
    '{"count":' + count.toString() +
    ',"total":' + total.toString() +
    ',"vowels":' + jsonString(vowels) + "}";
  // Host.outputString passes the UTF-16 length as the byte length, which is
  // wrong for non-ASCII text, so encode to UTF-8 ourselves.
  Host.output(Uint8Array.wrap(String.UTF8.encode(json)));
  return 0;
}
