// openapi_contract.js - the contract test's client (driven by tests/cli/openapi.sh): sends each case of a JSON
// file to a running `sample-host serve` and checks the answer against docs/openapi.json with ajv (JSON Schema
// 2020-12, as OpenAPI 3.1 uses): the status is one the operation documents, every header the response
// documents as required is there, each documented header present matches its schema, and the body is JSON of
// the response's schema. Prints "PASS: ..." / "FAIL: ..." lines (tests/run-tests.sh counts them).
//   node openapi_contract.js OPENAPI.json BASE_URL CASES.json
// A case: {"name", "op": operationId, or "method" + "path" (a path the document lacks: its 404/414 answer is
// checked against components.responses.ErrorNNN), "headers": {...}, "body": "example" (the operation's request
// example, encoded for its media type) or a string sent as is, "contentType", "status": the expected status,
// "error": the expected error code, "repeat": N (send N times, check the last)}.
'use strict';
const fs = require('fs');
const Ajv2020 = require('ajv/dist/2020').default;

const [docPath, baseUrl, casesPath] = process.argv.slice(2);
const doc = JSON.parse(fs.readFileSync(docPath, 'utf8'));
const cases = JSON.parse(fs.readFileSync(casesPath, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(doc, 'openapi.json');

// JSON pointer helpers: resolve a local $ref, remembering where it led.
const esc = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');
function at(pointer) {
  return pointer.split('/').slice(1).reduce((o, k) => (o === undefined ? undefined : o[k.replace(/~1/g, '/').replace(/~0/g, '~')]), doc);
}
function deref(node, pointer) {
  while (node && node.$ref) { pointer = node.$ref.slice(1); node = at(pointer); }
  return [node, pointer];
}
const validators = new Map();
function validate(pointer, value) {
  if (!validators.has(pointer)) validators.set(pointer, ajv.compile({ $ref: 'openapi.json#' + pointer }));
  const v = validators.get(pointer);
  return v(value) ? null : ajv.errorsText(v.errors);
}

function findOperation(c) {
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if ((c.op && op.operationId === c.op) || (!c.op && method === (c.method || '').toLowerCase() && path === c.path))
        return { path, method, op, pointer: `/paths/${esc(path)}/${method}` };
    }
  }
  return null;
}

function encodeExample(op) {
  const [body] = deref(op.requestBody, '');
  const [type, media] = Object.entries(body.content)[0];
  if (type === 'application/json') return [type, JSON.stringify(media.example)];
  return [type, new URLSearchParams(Object.entries(media.example).map(([k, v]) => [k, String(v)])).toString()];
}

async function run(c) {
  const found = findOperation(c);
  const method = found ? found.method.toUpperCase() : c.method;
  const path = found ? found.path : c.path;
  const headers = Object.assign({}, c.headers || {});
  let body;
  if (c.body === 'example') {
    const [type, text] = encodeExample(found.op);
    headers['Content-Type'] = type;
    body = text;
  } else if (c.body !== undefined) {
    body = c.body;
    if (c.contentType) headers['Content-Type'] = c.contentType;
  }
  let res, text;
  for (let i = 0; i < (c.repeat || 1); i++) {
    res = await fetch(baseUrl.replace(/\/$/, '') + path, { method, headers, body });
    text = await res.text();
  }
  const problems = [];
  if (res.status !== c.status) problems.push(`status ${res.status}, wanted ${c.status}`);
  // The documented response of this status: the operation's, or for a path not in the document the component.
  let response, pointer;
  if (found) {
    [response, pointer] = deref(found.op.responses[String(res.status)], `${found.pointer}/responses/${res.status}`);
  } else {
    [response, pointer] = deref(doc.components.responses[`Error${res.status}`], `/components/responses/Error${res.status}`);
  }
  if (!response) {
    problems.push(`status ${res.status} is not documented for ${method} ${path}`);
  } else {
    for (const [name, h0] of Object.entries(response.headers || {})) {
      const [h, hp] = deref(h0, `${pointer}/headers/${esc(name)}`);
      const value = res.headers.get(name);
      if (value === null) {
        if (h.required) problems.push(`header ${name} is missing (documented as required)`);
        continue;
      }
      const typed = h.schema && h.schema.type === 'integer' && /^-?\d+$/.test(value) ? Number(value) : value;
      const err = validate(`${hp}/schema`, typed);
      if (err) problems.push(`header ${name}: ${value}: ${err}`);
    }
    const type = res.headers.get('content-type') || '';
    const media = response.content && response.content[type.split(';')[0].trim()];
    if (!media) {
      problems.push(`content type ${type} is not documented`);
    } else {
      let json;
      try { json = JSON.parse(text); } catch (e) { problems.push(`the body is not JSON: ${text.slice(0, 200)}`); }
      if (json !== undefined) {
        const err = validate(`${pointer}/content/${esc(type.split(';')[0].trim())}/schema`, json);
        if (err) problems.push(`body: ${err}: ${text.slice(0, 300)}`);
        if (c.error && json.error !== c.error) problems.push(`error ${json.error}, wanted ${c.error}`);
      }
    }
  }
  const what = `${c.name}: ${method} ${path.length > 60 ? path.slice(0, 60) + '...' : path} answers ${c.status}` +
    `${c.error ? ' ' + c.error : ''} as the document says`;
  if (problems.length === 0) console.log(`PASS: ${what}`);
  else console.log(`FAIL: ${what}\n  ${problems.join('\n  ')}`);
  return problems.length === 0;
}

(async () => {
  let ok = true;
  for (const c of cases) ok = (await run(c)) && ok;
  process.exit(ok ? 0 : 1);
})();
