// http_get: HTTP GET through the host.
//
//   export http_get() -> i32
//   input : the URL
//   output: the response body; the call fails with "HTTP status N" for a
//           status outside 200-299, or "HTTP request failed" if the host
//           returned no body and no status
//
// PDK 1.0.0 has no Http class: it only declares the raw http_request import,
// so the request JSON ({"url","method","headers"}) is written here, and
// http_status_code (which the PDK does not declare) is declared below.
import { Host, Memory } from "@extism/as-pdk";
import { error_set, http_request, length } from "@extism/as-pdk/lib/env";

@external("extism:host/env", "http_status_code")
declare function http_status_code(): i32;

function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) out += '\\"';
    else if (c == 0x5c) out += "\\\\";
    else if (c < 0x20) {
      const hex = c.toString(16);
      out += "\\u" + "0000".substring(hex.length) + hex;
    } else out += String.fromCharCode(c);
  }
  return out + '"';
}

function failWith(msg: string): i32 {
  error_set(Memory.allocateString(msg).offset);
  return 1;
}

export function http_get(): i32 {
  const url = String.UTF8.decode(Host.input().buffer);
  const req = '{"url":' + jsonString(url) + ',"method":"GET","headers":{}}';
  // Both the request block and the (absent, 0) body belong to the host after
  // the call.
  const body = http_request(Memory.allocateString(req).offset, 0);
  const status = http_status_code();
  if (body == 0 && status == 0) return failWith("HTTP request failed");
  if (status < 200 || status > 299) {
    return failWith("HTTP status " + status.toString());
  }
  if (body != 0) Host.outputMemory(new Memory(body, length(body)));
  return 0;
}
