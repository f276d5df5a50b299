// Checks terraform/ without Terraform or a cloud:
//   1. every .tf and .tfvars file parses (HCL → JSON with @cdktf/hcl2json, the HCL parser
//      Terraform uses, compiled to WebAssembly);
//   2. the resources the deployment needs exist with the required settings, for production
//      (the variable defaults plus environments/production.tfvars) and staging;
//   3. every environment variable the binary reads (its --help) is set by the task
//      definition or listed in SAFE_DEFAULTS below with the reason its default is right;
//   4. the binary starts with the task definition's environment and answers as the ALB and
//      clients expect (health, public URL, Host allow-list);
//   5. exchange mode (upstream_auth = "exchange", RFC 8693): the variables' validations and
//      preconditions, the exchange client's secret only ever a valueFrom of the secret, the
//      task definition of each environment in that mode, the environments' commented-out
//      settings, and (when the binary has the mode) the binary started in it.
// Prints one PASS/FAIL line per check; exits 1 when anything failed.
//
//   node check.mjs TERRAFORM_DIR JUSTIFI_MCP_BINARY HCL2JSON_PACKAGE_DIR

import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

if (process.argv.length !== 5) {
  console.error('usage: node check.mjs TERRAFORM_DIR JUSTIFI_MCP_BINARY HCL2JSON_PACKAGE_DIR');
  process.exit(2);
}
const [terraformDir, binary, hcl2jsonDir] = process.argv.slice(2).map((arg) => path.resolve(arg));
const { parse } = createRequire(import.meta.url)(path.resolve(hcl2jsonDir));

// Variables the binary reads that the task definition leaves at their default, and why that
// default is right behind the ALB. A variable the binary gains must be set in terraform/ecs.tf
// or added here, or this check fails.
const SAFE_DEFAULTS = {
  MCP_ALLOWED_ORIGINS: 'default: localhost origins plus MCP_PUBLIC_URL\'s origin; the hosted clients are not browsers on other origins',
  MCP_SESSION_TTL: 'default 24h: a session id only names a protocol version, it never authenticates',
  MCP_ELICITATION_TIMEOUT: 'default 10m, and unused behind the ALB: only the stdio transport asks a client inside a call',
  MCP_REQUEST_STATE_TTL: 'default 5m: the multi round-trip window the spec calls short; the state is bound to caller, tool and arguments',
  MCP_HEADER_TIMEOUT: 'default 10s: a request\'s headers and body come from the ALB, which buffers them',
  MCP_WRITE_TIMEOUT: 'default 30s per write: the ALB reads promptly; a stuck client is the ALB\'s connection, not ours',
  MCP_MAX_CONNECTIONS: 'default 10000: far above what 0.5 vCPU serves; the ALB spreads load and auto scaling adds tasks',
  MCP_MAX_BODY_BYTES: 'default 1 MiB: JSON-RPC requests of the tool catalog are a few KiB',
  MCP_MAX_TOOL_CALLS: 'default 256 in flight per task: beyond it a quick 503 with Retry-After beats a queue of JustiFi calls',
  MCP_RATE_LIMIT: 'default 20 requests/s per caller (token subject or client id): far above what one person\'s assistant sends',
  MCP_METRICS: 'unset: the metrics are served on MCP_METRICS_PORT and MCP_METRICS_PATH (set by the task, scraped by the sidecar) and never on the public MCP port, so the ALB never exposes them',
  MCP_MAX_BODY_BYTES_IN_FLIGHT: 'default 32 MiB of request bodies being received at once: room to spare in a 1 GiB task, and only authenticated requests have their bodies read',
  MCP_MAX_STREAMS_PER_CALLER: 'default 4 GET event streams per caller: a client opens one; more only take connections from everyone else',
  MCP_STREAM_MAX_LIFETIME: 'default 30m: an event stream then ends and the client opens another, so no stream holds a connection for ever',
  JUSTIFI_TOKEN_CACHE_SIZE: 'default 10000 client-credentials tokens: more developers than use a task, a few MiB at most',
  JUSTIFI_TOKEN_FETCHES_PER_SECOND: 'default 10 POST /oauth/token calls per second for new credentials over all callers: what a flood of made-up credentials can make JustiFi do',
  JUSTIFI_EXCHANGE_SUBJECT_TOKEN_TYPE: 'default: RFC 8693\'s access-token type; only an authorization server that wants its own URI needs it set',
  JUSTIFI_SCOPE_IMPLICATIONS: 'default: every X:write implies X:read over the advertised scopes, the hierarchy JustiFi\'s scopes have',
  JUSTIFI_TOKEN_FETCH_BURST: 'default 20 token fetches at once above that rate: a team starting up is never held back',
  JUSTIFI_JWKS_MIN_REFRESH: 'default 5m: Auth0 says max-age=15 for its JWKS; once every 5 minutes is plenty',
  JUSTIFI_JWKS_MAX_REFRESH: 'default 1h: a key Auth0 removes stops being trusted within the hour',
  MCP_RATE_LIMIT_BURST: 'default 100: a client listing tools and calling several at once is never limited',
  JUSTIFI_TIMEOUT: 'default 30s per JustiFi call (retries included)',
  JUSTIFI_CA_FILE: 'default: the image\'s system CA store (api.justifi.ai and Auth0 have public certificates)',
  JUSTIFI_ENABLED_TOOLS: 'default all tools; each call is still limited by the token\'s scopes',
  JUSTIFI_OAUTH_ISSUER: 'default https://{JUSTIFI_AUTH0_DOMAIN}/, the Auth0 tenant\'s issuer (set it in the secret only for a custom domain)',
  JUSTIFI_CLIENT_ID: 'unset: read only over stdio or with MCP_AUTH=none (loopback); OAuth callers bring their own credentials (optional secret key, inject_client_credentials)',
  JUSTIFI_CLIENT_SECRET: 'unset: read only over stdio or with MCP_AUTH=none (loopback); OAuth callers bring their own credentials (optional secret key, inject_client_credentials)',
};
// Variables whose default is wrong behind the ALB: the task definition must set them.
const REQUIRED_BEHIND_ALB = ['MCP_TRANSPORT', 'MCP_HOST', 'MCP_PORT', 'MCP_PUBLIC_URL', 'MCP_SESSION_SECRET', 'MCP_DRAIN_TIMEOUT', 'MCP_IDLE_TIMEOUT'];

const EXPECTED = {
  production: { name: 'justifi-mcp', domain: 'mcp.justifi.ai', secret: 'justifi-mcp/environment', logGroup: '/ecs/justifi-mcp', desiredCount: 3 },
  staging: {},
};

// ---------------------------------------------------------------------------------------
// Reporting

let failures = 0;
function report(ok, name, detail) {
  if (ok) console.log(`PASS ${name}`);
  else {
    failures += 1;
    console.log(`FAIL ${name}${detail ? `: ${detail}` : ''}`);
  }
}
function check(name, fn) {
  let result;
  try {
    result = fn();
  } catch (error) {
    result = `threw ${error.message}`;
  }
  report(result === true, name, result === true ? '' : result === false ? '' : String(result));
}
const show = (value) => (value instanceof Unknown ? `<${value.expr}>` : JSON.stringify(value));
const expectEq = (actual, expected) => (actual === expected ? true : `is ${show(actual)}, expected ${show(expected)}`);

// ---------------------------------------------------------------------------------------
// Files

function filesUnder(dir, suffix) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '.terraform') out.push(...filesUnder(full, suffix));
    } else if (entry.name.endsWith(suffix)) out.push(full);
  }
  return out.sort();
}

async function parseFile(file) {
  try {
    return await parse(path.basename(file), fs.readFileSync(file, 'utf8'));
  } catch (error) {
    report(false, `parses ${path.relative(terraformDir, file)}`, error.message);
    return null;
  }
}

// The root module: .tf files directly in terraform/ (hcl2json gives blocks as lists of bodies).
function mergeModule(parsedFiles) {
  const module = { resource: {}, data: {}, variable: {}, output: {}, locals: {} };
  const add = (table, key, body, what) => {
    if (key in table) report(false, `${what} declared once`, 'declared twice');
    table[key] = body;
  };
  for (const doc of parsedFiles) {
    for (const kind of ['resource', 'data']) {
      for (const [type, named] of Object.entries(doc[kind] ?? {}))
        for (const [name, bodies] of Object.entries(named)) {
          module[kind][type] ??= {};
          add(module[kind][type], name, bodies[0], `${kind} ${type}.${name}`);
        }
    }
    for (const kind of ['variable', 'output'])
      for (const [name, bodies] of Object.entries(doc[kind] ?? {})) add(module[kind], name, bodies[0], `${kind} ${name}`);
    for (const block of doc.locals ?? [])
      for (const [name, value] of Object.entries(block)) add(module.locals, name, value, `local ${name}`);
  }
  return module;
}

// ---------------------------------------------------------------------------------------
// A small evaluator: hcl2json keeps every expression as a "${...}" template string. This
// resolves the ones made of var.*, local.*, literals, tostring(), ceil(), max(), min(), + - * /,
// == / !=, && / || / !,
// ( ), c ? a : b, [a, b], concat(), contains() and can(regex()); anything else (resource
// attributes, other functions, terraform.workspace) stays as its "${...}" text, which checks
// compare, and a condition that names one of them is not decided here.

class Unknown {
  constructor(expr) {
    this.expr = expr;
  }
}

function templateParts(text) {
  const parts = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      literal += '${';
      i += 3;
    } else if (text.startsWith('${', i)) {
      let depth = 1;
      let j = i + 2;
      let quoted = false;
      for (; j < text.length && depth > 0; j += 1) {
        const c = text[j];
        if (quoted) {
          if (c === '\\') j += 1;
          else if (c === '"') quoted = false;
        } else if (c === '"') quoted = true;
        else if (c === '{') depth += 1;
        else if (c === '}') depth -= 1;
      }
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ expr: text.slice(i + 2, j - 1) });
      i = j;
    } else {
      literal += text[i];
      i += 1;
    }
  }
  if (literal || parts.length === 0) parts.push({ literal });
  return parts;
}

function splitTopLevel(expr, operators) {
  // The last top-level binary operator, so a - b + c groups left to right.
  let depth = 0;
  let quoted = false;
  let found = null;
  for (let i = 0; i < expr.length; i += 1) {
    const c = expr[i];
    if (quoted) {
      if (c === '\\') i += 1;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if ('([{'.includes(c)) depth += 1;
    else if (')]}'.includes(c)) depth -= 1;
    else if (depth === 0 && operators.includes(c) && expr[i - 1] === ' ' && expr[i + 1] === ' ') found = i;
  }
  return found === null ? null : [expr.slice(0, found), expr[found], expr.slice(found + 1)];
}

// Scans expr at bracket depth 0 outside strings, calling visit(index, char) until it returns
// a value other than undefined.
function scanTopLevel(expr, visit) {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < expr.length; i += 1) {
    const c = expr[i];
    if (quoted) {
      if (c === '\\') i += 1;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if ('([{'.includes(c)) depth += 1;
    else if (')]}'.includes(c)) depth -= 1;
    else if (depth === 0) {
      const result = visit(i, c);
      if (result !== undefined) return result;
    }
  }
  return undefined;
}

// c ? a : b at the top level, as [c, a, b] (nested conditionals stay in a or b).
function splitConditional(expr) {
  const question = scanTopLevel(expr, (i, c) => (c === '?' ? i : undefined));
  if (question === undefined) return null;
  let pending = 0;
  const colon = scanTopLevel(expr, (i, c) => {
    if (i <= question) return undefined;
    if (c === '?') pending += 1;
    else if (c === ':' && pending-- === 0) return i;
    return undefined;
  });
  return colon === undefined ? null : [expr.slice(0, question), expr.slice(question + 1, colon), expr.slice(colon + 1)];
}

// a || b, a && b (op of two characters), or a == b / a != b (op null) at the top level, as
// [a, op, b]; the last one, so operators of one precedence group left to right.
function splitBinary(expr, op) {
  let found = null;
  scanTopLevel(expr, (i, c) => {
    const pair = expr.slice(i, i + 2);
    if (op ? pair === op : (pair === '==' || pair === '!=')) found = i;
    return undefined;
  });
  return found === null ? null : [expr.slice(0, found), expr.slice(found, found + 2), expr.slice(found + 2)];
}

// The comma-separated items of a list or argument list (without its brackets).
function splitItems(inner) {
  const items = [];
  let start = 0;
  scanTopLevel(inner, (i, c) => {
    if (c === ',') {
      items.push(inner.slice(start, i));
      start = i + 1;
    }
    return undefined;
  });
  items.push(inner.slice(start));
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

// Whether expr is one bracketed whole: "[...]" or "name(...)".
function wholeBracket(expr, open) {
  const first = expr.indexOf(open);
  if (first < 0) return false;
  let depth = 0;
  let quoted = false;
  for (let i = first; i < expr.length; i += 1) {
    const c = expr[i];
    if (quoted) {
      if (c === '\\') i += 1;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if ('([{'.includes(c)) depth += 1;
    else if (')]}'.includes(c) && --depth === 0) return i === expr.length - 1;
  }
  return false;
}

class Evaluator {
  // raw: local.* that are objects or lists come back as written (their "${...}" strings
  // unresolved), so checks can compare a container's references.
  constructor(module, tfvars, { raw = false } = {}) {
    this.module = module;
    this.tfvars = tfvars;
    this.raw = raw;
    this.depth = 0;
  }

  variable(name) {
    if (name in this.tfvars) return this.tfvars[name];
    const declared = this.module.variable[name];
    if (declared && 'default' in declared) return this.resolve(declared.default);
    return new Unknown(`var.${name}`);
  }

  local(name) {
    if (!(name in this.module.locals)) return new Unknown(`local.${name}`);
    const value = this.module.locals[name];
    if (this.raw && value !== null && typeof value === 'object') return value;
    if (++this.depth > 50) throw new Error(`local.${name} refers to itself`);
    try {
      return this.resolve(this.module.locals[name]);
    } finally {
      this.depth -= 1;
    }
  }

  expression(text) {
    const expr = text.trim();
    let m;
    const conditional = splitConditional(expr);
    if (conditional) {
      const condition = this.expression(conditional[0]);
      return typeof condition === 'boolean' ? this.expression(conditional[condition ? 1 : 2]) : new Unknown(expr);
    }
    // Precedence, lowest first: || then && then == and !=; then unary ! and the operands.
    for (const op of ['||', '&&']) {
      const split = splitBinary(expr, op);
      if (!split) continue;
      const [left, right] = [this.expression(split[0]), this.expression(split[2])];
      const decides = op === '||'; // true decides ||, false decides &&
      if (left === decides || right === decides) return decides;
      return typeof left === 'boolean' && typeof right === 'boolean' ? !decides : new Unknown(expr);
    }
    const equality = splitBinary(expr, null);
    if (equality) {
      const [left, right] = [this.expression(equality[0]), this.expression(equality[2])];
      if (left instanceof Unknown || right instanceof Unknown || (left !== null && typeof left === 'object') || (right !== null && typeof right === 'object'))
        return new Unknown(expr);
      return (left === right) === (equality[1] === '==');
    }
    if (expr.startsWith('!')) {
      const operand = this.expression(expr.slice(1));
      return typeof operand === 'boolean' ? !operand : new Unknown(expr);
    }
    if (expr.startsWith('(') && wholeBracket(expr, '(')) return this.expression(expr.slice(1, -1));
    if (expr.startsWith('contains(') && wholeBracket(expr, '(')) {
      const args = splitItems(expr.slice('contains('.length, -1));
      const [list, item] = args.map((arg) => this.expression(arg));
      return args.length === 2 && Array.isArray(list) && ['string', 'number', 'boolean'].includes(typeof item) ? list.includes(item) : new Unknown(expr);
    }
    if ((m = /^can\(\s*regex\(([^]*)\)\s*\)$/.exec(expr)) && wholeBracket(expr, '(')) {
      // Terraform's RE2 and JavaScript agree on the patterns of this configuration.
      const args = splitItems(m[1]);
      const [pattern, text] = args.map((arg) => this.expression(arg));
      if (args.length !== 2 || typeof pattern !== 'string' || typeof text !== 'string') return new Unknown(expr);
      try {
        return new RegExp(pattern).test(text);
      } catch {
        return new Unknown(expr);
      }
    }
    if (expr.startsWith('[') && !/^\[\s*for\s/.test(expr) && wholeBracket(expr, '[')) {
      const items = splitItems(expr.slice(1, -1)).map((item) => this.expression(item));
      return items.some((item) => item instanceof Unknown) ? new Unknown(expr) : items;
    }
    if (expr.startsWith('concat(') && wholeBracket(expr, '(')) {
      const lists = splitItems(expr.slice('concat('.length, -1)).map((item) => this.expression(item));
      return lists.every(Array.isArray) ? lists.flat() : new Unknown(expr);
    }
    if (/^-?\d+(\.\d+)?$/.test(expr)) return Number(expr);
    if (expr === 'true' || expr === 'false') return expr === 'true';
    if ((m = /^"([^"\\$]*)"$/.exec(expr))) return m[1];
    // With escapes (HCL's \\ \" \n \r \t mean what they mean in JSON) and $ not starting ${.
    if (/^"(?:[^"\\$]|\\["\\nrt]|\$(?!\{))*"$/.test(expr)) return JSON.parse(expr);
    if ((m = /^var\.(\w+)$/.exec(expr))) return this.variable(m[1]);
    if ((m = /^local\.(\w+)$/.exec(expr))) return this.local(m[1]);
    if ((m = /^tostring\((.*)\)$/.exec(expr))) {
      const inner = this.expression(m[1]);
      return ['string', 'number', 'boolean'].includes(typeof inner) ? String(inner) : new Unknown(expr);
    }
    if ((m = /^(ceil|max|min)\(/.exec(expr)) && wholeBracket(expr, '(')) {
      const args = splitItems(expr.slice(m[1].length + 1, -1)).map((arg) => this.expression(arg));
      if (!args.length || !args.every((arg) => typeof arg === 'number')) return new Unknown(expr);
      if (m[1] === 'ceil') return args.length === 1 ? Math.ceil(args[0]) : new Unknown(expr);
      return Math[m[1]](...args);
    }
    const split = splitTopLevel(expr, '+-');
    if (split) {
      const [left, op, right] = [this.expression(split[0]), split[1], this.expression(split[2])];
      if (typeof left === 'number' && typeof right === 'number') return op === '+' ? left + right : left - right;
      return new Unknown(expr);
    }
    const product = splitTopLevel(expr, '*/');
    if (product) {
      const [left, op, right] = [this.expression(product[0]), product[1], this.expression(product[2])];
      if (typeof left === 'number' && typeof right === 'number' && (op === '*' || right !== 0))
        return op === '*' ? left * right : left / right;
    }
    return new Unknown(expr);
  }

  // A condition (validation, precondition) as true, false or null when it names what this
  // evaluator cannot resolve.
  condition(raw) {
    const value = this.resolve(raw);
    return typeof value === 'boolean' ? value : null;
  }

  resolve(value) {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value && typeof value === 'object' && !(value instanceof Unknown))
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]));
    if (typeof value !== 'string' || !value.includes('${')) return value;
    // What cannot be resolved stays as its template text, e.g. "${aws_lb.main.arn}".
    const parts = templateParts(value);
    if (parts.length === 1 && 'expr' in parts[0]) {
      const v = this.expression(parts[0].expr);
      return v instanceof Unknown ? value : v;
    }
    let out = '';
    for (const part of parts) {
      if ('literal' in part) {
        out += part.literal;
        continue;
      }
      const v = this.expression(part.expr);
      if (v instanceof Unknown || (v !== null && typeof v === 'object')) return value;
      out += String(v);
    }
    return out;
  }
}

// Durations as the binary reads them: ms, s, m, h, or a bare number of seconds.
function seconds(text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(text ?? '').trim());
  if (!m) return NaN;
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] ?? 's'];
}

// ---------------------------------------------------------------------------------------
// Structure

const block = (body, key) => (Array.isArray(body?.[key]) ? body[key][0] : undefined);
const ref = (type, name, attribute) => `\${${type}.${name}.${attribute}}`;

function only(module, type, what) {
  const named = module.resource[type] ?? {};
  const names = Object.keys(named);
  if (names.length !== 1) throw new Error(`expected one ${type} (${what}), found ${names.length}`);
  return [names[0], named[names[0]]];
}

// The task definition's containers, resolved and as written. The server's container is the one
// the service's load balancer forwards to; the others are sidecars.
function taskOf(module, ev) {
  const [, taskDef] = only(module, 'aws_ecs_task_definition', 'task definition');
  const m = /^\$\{jsonencode\((.*)\)\}$/s.exec(taskDef.container_definitions ?? '');
  if (!m) throw new Error('container_definitions must be jsonencode(<a list of locals>) so it can be checked');
  const containers = ev.expression(m[1]);
  const containersRaw = new Evaluator(module, ev.tfvars, { raw: true }).expression(m[1]);
  if (!Array.isArray(containers) || !Array.isArray(containersRaw) || containers.length !== containersRaw.length)
    throw new Error(`container_definitions = jsonencode(${m[1]}) does not resolve to a list of containers`);
  const [, service] = only(module, 'aws_ecs_service', 'service');
  const appName = ev.resolve(block(service, 'load_balancer')?.container_name);
  const index = containers.findIndex((c) => c?.name === appName);
  if (index < 0) throw new Error(`no container named ${show(appName)} (the service's load_balancer.container_name)`);
  const container = containers[index];
  const containerRaw = containersRaw[index];
  const sidecars = containers.map((c, i) => ({ container: c, raw: containersRaw[i] })).filter((_, i) => i !== index);
  const env = {};
  for (const item of container.environment ?? []) env[item.name] = item.value;
  const required = ev.local('task_secrets_required');
  const optional = ev.local('task_secrets_optional');
  const exchange = ev.local('task_secrets_exchange');
  return { taskDef, containers, container, containerRaw, sidecars, env, required, optional, exchange };
}

function structureChecks(envName, module, ev) {
  const want = EXPECTED[envName];
  const t = (name, fn) => check(`[${envName}] ${name}`, fn);
  const v = (raw) => ev.resolve(raw);
  const res = module.resource;

  let task;
  try {
    task = taskOf(module, ev);
  } catch (error) {
    report(false, `[${envName}] task definition readable`, error.message);
    return;
  }
  const { taskDef, containers, container, containerRaw, env, required, optional, exchange } = task;
  const drain = seconds(env.MCP_DRAIN_TIMEOUT);

  // ECS
  only(module, 'aws_ecs_cluster', 'cluster');
  t('task definition: Fargate, awsvpc', () =>
    (v(taskDef.requires_compatibilities) ?? []).includes('FARGATE') && v(taskDef.network_mode) === 'awsvpc' ? true : 'not FARGATE/awsvpc');
  t('task definition: cpu 512', () => expectEq(Number(v(taskDef.cpu)), 512));
  t('task definition: memory 1024', () => expectEq(Number(v(taskDef.memory)), 1024));
  t('task definition: execution and task roles', () =>
    /^\$\{aws_iam_role\.\w+\.arn\}$/.test(taskDef.execution_role_arn ?? '') && /^\$\{aws_iam_role\.\w+\.arn\}$/.test(taskDef.task_role_arn ?? '')
      ? true : 'execution_role_arn and task_role_arn must name roles of this module');
  // Anyone can send X-Client-Id/X-Client-Secret: production accepts only OAuth unless told otherwise.
  t('client-credential headers: off in production unless a variable turns them on', () =>
    envName !== 'production' || env.MCP_ALLOW_CLIENT_CREDENTIAL_HEADERS === 'false'
      ? true : `MCP_ALLOW_CLIENT_CREDENTIAL_HEADERS is ${show(env.MCP_ALLOW_CLIENT_CREDENTIAL_HEADERS)}`);
  t('container: stopTimeout above MCP_DRAIN_TIMEOUT', () =>
    Number.isFinite(drain) && container.stopTimeout > drain ? true : `stopTimeout ${show(container.stopTimeout)}, MCP_DRAIN_TIMEOUT ${show(env.MCP_DRAIN_TIMEOUT)}`);
  t('container: Fargate stopTimeout at most 120 s', () => (container.stopTimeout <= 120 ? true : show(container.stopTimeout)));
  t('container: port 8080 = MCP_PORT', () => {
    const port = container.portMappings?.[0]?.containerPort;
    return port === 8080 && String(port) === env.MCP_PORT ? true : `containerPort ${show(port)}, MCP_PORT ${show(env.MCP_PORT)}`;
  });
  t('container: logs to the log group', () => {
    const options = container.logConfiguration?.options ?? {};
    return container.logConfiguration?.logDriver === 'awslogs' && /^\$\{aws_cloudwatch_log_group\.\w+\.name\}$/.test(containerRaw.logConfiguration.options['awslogs-group'])
      ? true : `awslogs-group ${show(options['awslogs-group'])}`;
  });
  t('container: image from the ECR repository', () =>
    /^\$\{aws_ecr_repository\.\w+\.repository_url\}:/.test(containerRaw.image ?? '') ? true : `image ${containerRaw.image}`);

  const [, service] = only(module, 'aws_ecs_service', 'service');
  const [tgName, tg] = only(module, 'aws_lb_target_group', 'target group');
  t('service: Fargate', () => expectEq(v(service.launch_type), 'FARGATE'));
  if (want.desiredCount) t(`service: desired count ${want.desiredCount}`, () => expectEq(v(service.desired_count), want.desiredCount));
  t('service: deployment circuit breaker with rollback', () => {
    const breaker = block(service, 'deployment_circuit_breaker');
    return breaker?.enable === true && breaker?.rollback === true ? true : show(breaker);
  });
  t('service: private subnets, no public IP', () => {
    const net = block(service, 'network_configuration');
    return net?.subnets === '${var.private_subnet_ids}' && v(net?.assign_public_ip) === false ? true : show(net);
  });
  t('service: behind the target group on the container port', () => {
    const lb = block(service, 'load_balancer');
    return lb?.target_group_arn === ref('aws_lb_target_group', tgName, 'arn') && v(lb?.container_port) === container.portMappings?.[0]?.containerPort
      && v(lb?.container_name) === container.name ? true : show(lb);
  });
  t('service: auto scaling owns desired_count', () =>
    (block(service, 'lifecycle')?.ignore_changes ?? []).includes('${desired_count}') ? true : 'lifecycle.ignore_changes lacks desired_count');

  // ECR
  t('ECR repository scans on push', () => {
    const [, repo] = only(module, 'aws_ecr_repository', 'repository');
    return block(repo, 'image_scanning_configuration')?.scan_on_push === true ? true : show(repo);
  });
  t('ECR tags are mutable when the task runs :latest (deploy.sh moves latest)', () => {
    const [, repo] = only(module, 'aws_ecr_repository', 'repository');
    return ev.variable('image_tag') !== 'latest' || v(repo.image_tag_mutability) === 'MUTABLE' ? true : 'latest cannot move in an IMMUTABLE repository';
  });
  if (container.healthCheck)
    t('container: health check is `justifi-mcp health` (exec form)', () => {
      const command = container.healthCheck.command ?? [];
      return command[0] === 'CMD' && String(command[1]).endsWith('/justifi-mcp') && command[2] === 'health'
        && container.healthCheck.timeout < container.healthCheck.interval ? true : show(container.healthCheck);
    });

  // Load balancer
  const [lbName, lb] = only(module, 'aws_lb', 'load balancer');
  t('ALB: application, internet-facing, public subnets', () =>
    v(lb.load_balancer_type) === 'application' && v(lb.internal) === false && lb.subnets === '${var.public_subnet_ids}' ? true : show(lb));
  t('ALB: idle timeout 3600 s', () => expectEq(v(lb.idle_timeout), 3600));
  t('ALB: drops invalid header fields', () => expectEq(v(lb.drop_invalid_header_fields), true));
  const listeners = Object.values(res.aws_lb_listener ?? {}).filter((l) => l.load_balancer_arn === ref('aws_lb', lbName, 'arn'));
  t('listener: HTTPS 443, TLS13-1-2-2021-06, ACM certificate, forwards to the target group', () => {
    const https = listeners.find((l) => v(l.port) === 443);
    if (!https) return 'no listener on 443';
    const action = block(https, 'default_action');
    return v(https.protocol) === 'HTTPS' && v(https.ssl_policy) === 'ELBSecurityPolicy-TLS13-1-2-2021-06'
      && /^\$\{aws_acm_certificate(_validation)?\.\w+\.(arn|certificate_arn)\}$/.test(https.certificate_arn ?? '')
      && action?.type === 'forward' && action?.target_group_arn === ref('aws_lb_target_group', tgName, 'arn') ? true : show(https);
  });
  t('listener: HTTP 80 redirects to HTTPS 443 (301)', () => {
    const plain = listeners.find((l) => v(l.port) === 80);
    const redirect = block(block(plain, 'default_action'), 'redirect');
    return v(plain?.protocol) === 'HTTP' && redirect?.protocol === 'HTTPS' && String(redirect?.port) === '443' && redirect?.status_code === 'HTTP_301'
      ? true : show(plain);
  });
  t('listeners: only 443 and 80', () => expectEq(listeners.map((l) => v(l.port)).sort().join(','), '443,80'));
  t('target group: HTTP 8080, target type ip', () =>
    v(tg.protocol) === 'HTTP' && v(tg.port) === 8080 && v(tg.target_type) === 'ip' ? true : show(tg));
  t('target group: health check GET /health, matcher 200', () => {
    const hc = block(tg, 'health_check');
    return hc?.path === '/health' && String(hc?.matcher) === '200' && v(hc?.enabled) !== false ? true : show(hc);
  });
  t('target group: stickiness lb_cookie 86400 s', () => {
    const sticky = block(tg, 'stickiness');
    return sticky?.type === 'lb_cookie' && v(sticky?.cookie_duration) === 86400 && v(sticky?.enabled) !== false ? true : show(sticky);
  });
  t('target group: deregistration delay at least MCP_DRAIN_TIMEOUT', () => {
    const delay = v(tg.deregistration_delay);
    return typeof delay === 'number' && delay >= drain ? true : `deregistration_delay ${show(delay)}, drain ${drain}`;
  });

  // DNS and certificate
  const domain = ev.variable('domain_name');
  if (want.domain) t(`domain ${want.domain}`, () => expectEq(domain, want.domain));
  t('Route 53 alias A record for the domain to the ALB', () => {
    const record = Object.values(res.aws_route53_record ?? {}).find((r) => block(r, 'alias'));
    const alias = block(record, 'alias');
    return record && v(record.name) === domain && v(record.type) === 'A' && alias.name === ref('aws_lb', lbName, 'dns_name')
      && alias.zone_id === ref('aws_lb', lbName, 'zone_id') ? true : show(record);
  });
  t('ACM certificate for the domain, DNS-validated', () => {
    const [, cert] = only(module, 'aws_acm_certificate', 'certificate');
    return v(cert.domain_name) === domain && v(cert.validation_method) === 'DNS' && res.aws_acm_certificate_validation ? true : show(cert);
  });

  // Security groups: exactly the plan's rules.
  t('security groups: exactly the planned rules', () => {
    if (res.aws_security_group_rule) return 'use aws_vpc_security_group_*_rule resources, not aws_security_group_rule';
    for (const [name, sg] of Object.entries(res.aws_security_group ?? {}))
      if (sg.ingress || sg.egress) return `aws_security_group.${name} has inline rules`;
    const albSg = /^\$\{aws_security_group\.(\w+)\.id\}$/.exec((v(lb.security_groups) ?? [])[0] ?? '')?.[1];
    const taskSg = /^\$\{aws_security_group\.(\w+)\.id\}$/.exec((v(block(service, 'network_configuration')?.security_groups) ?? [])[0] ?? '')?.[1];
    if (!albSg || !taskSg || albSg === taskSg) return `ALB group ${albSg}, task group ${taskSg}`;
    const label = (raw) => ({ [albSg]: 'alb', [taskSg]: 'tasks' })[/^\$\{aws_security_group\.(\w+)\.id\}$/.exec(raw ?? '')?.[1]] ?? raw;
    const rules = [];
    for (const [type, dir] of [['aws_vpc_security_group_ingress_rule', 'in'], ['aws_vpc_security_group_egress_rule', 'out']])
      for (const r of Object.values(res[type] ?? {})) {
        const peer = r.referenced_security_group_id ? label(r.referenced_security_group_id) : v(r.cidr_ipv4 ?? r.cidr_ipv6 ?? r.prefix_list_id);
        rules.push(`${label(r.security_group_id)} ${dir} ${v(r.ip_protocol)} ${v(r.from_port)}-${v(r.to_port)} ${peer}`);
      }
    const expected = [
      'alb in tcp 443-443 0.0.0.0/0',
      'alb in tcp 80-80 0.0.0.0/0', // only for the redirect listener
      'alb out tcp 8080-8080 tasks',
      'tasks in tcp 8080-8080 alb',
      'tasks out tcp 443-443 0.0.0.0/0',
    ].sort();
    return JSON.stringify(rules.sort()) === JSON.stringify(expected) ? true : `rules ${JSON.stringify(rules.sort())}`;
  });

  // Logs and alarms
  t('log group: the one the container logs to, retention 30 days', () => {
    const groupName = /^\$\{aws_cloudwatch_log_group\.(\w+)\.name\}$/.exec(containerRaw.logConfiguration?.options?.['awslogs-group'] ?? '')?.[1];
    const group = res.aws_cloudwatch_log_group?.[groupName];
    if (!group) return `no aws_cloudwatch_log_group.${groupName}`;
    if (want.logGroup && v(group.name) !== want.logGroup) return `name ${show(v(group.name))}`;
    return expectEq(v(group.retention_in_days), 30);
  });
  const alarms = Object.values(res.aws_cloudwatch_metric_alarm ?? {});
  for (const [metric, namespace] of [['UnHealthyHostCount', 'AWS/ApplicationELB'], ['CPUUtilization', 'AWS/ECS'], ['MemoryUtilization', 'AWS/ECS']])
    t(`alarm on ${namespace} ${metric}`, () => {
      const alarm = alarms.find((a) => v(a.metric_name) === metric && v(a.namespace) === namespace);
      return alarm && alarm.dimensions && Object.keys(alarm.dimensions).length > 0 ? true : 'missing or without dimensions';
    });

  // Secret
  const [secretName, secret] = only(module, 'aws_secretsmanager_secret', 'secret');
  if (want.secret) t(`secret ${want.secret}`, () => expectEq(v(secret.name), want.secret));
  t('secrets: each valueFrom is <secret ARN>:<its own name>::', () => {
    if (!Array.isArray(exchange)) return 'no local.task_secrets_exchange (the exchange client of upstream_auth = "exchange")';
    const bad = [...required, ...optional, ...exchange].filter((s) => s.valueFrom !== `\${aws_secretsmanager_secret.${secretName}.arn}:${s.name}::`);
    return bad.length === 0 ? true : `wrong valueFrom for ${bad.map((s) => s.name).join(', ')}`;
  });
  t('secrets: the required keys are injected', () => {
    const names = required.map((s) => s.name);
    const missing = ['JUSTIFI_AUTH0_DOMAIN', 'JUSTIFI_AUTH0_AUDIENCE', 'JUSTIFI_OAUTH_SCOPES', 'MCP_SESSION_SECRET'].filter((n) => !names.includes(n));
    return missing.length === 0 ? true : `missing ${missing.join(', ')}`;
  });
  // A key the task definition names must exist in the secret, or tasks do not start: the
  // optional and exchange keys are named only when their setting asks for them.
  t('secrets: the container takes the required ones, the client credentials only with inject_client_credentials, the exchange client only with upstream_auth = "exchange"', () => {
    const problems = [];
    for (const inject of [false, true])
      for (const upstream of UPSTREAM_AUTH_MODES) {
        const names = (taskOf(module, new Evaluator(module, { ...ev.tfvars, inject_client_credentials: inject, upstream_auth: upstream })).container.secrets ?? []).map((x) => x?.name);
        const expected = [...required, ...(inject ? optional : []), ...(upstream === 'exchange' ? exchange : [])].map((x) => x.name);
        if (!sameSet(names, expected)) problems.push(`inject_client_credentials = ${inject}, upstream_auth = ${upstream}: ${show(names)}`);
      }
    return problems.length === 0 ? true : problems.join('; ');
  });
  t('secrets: the first secret version has every required key', () => {
    const initial = module.locals.initial_secret_values ?? {};
    const missing = required.map((s) => s.name).filter((n) => !(n in initial));
    return missing.length === 0 ? true : `initial_secret_values lacks ${missing.join(', ')}`;
  });
  t('environment and secrets name each variable once', () => {
    const names = [...Object.keys(env), ...required.map((s) => s.name), ...optional.map((s) => s.name)];
    const twice = names.filter((n, i) => names.indexOf(n) !== i);
    return twice.length === 0 ? true : `twice: ${twice.join(', ')}`;
  });

  // IAM
  t('IAM: execution role: no wildcard action; "*" resource only for ecr:GetAuthorizationToken; the secret only', () => {
    const problems = [];
    for (const [name, doc] of Object.entries(module.data.aws_iam_policy_document ?? {}))
      for (const statement of doc.statement ?? []) {
        const actions = v(statement.actions) ?? [];
        const resources = v(statement.resources) ?? [];
        if (actions.some((a) => String(a).includes('*'))) problems.push(`${name}: wildcard action ${actions}`);
        if (resources.includes('*') && !(actions.length === 1 && actions[0] === 'ecr:GetAuthorizationToken')) problems.push(`${name}: "*" for ${actions}`);
        if (actions.includes('secretsmanager:GetSecretValue') && JSON.stringify(resources) !== JSON.stringify([`\${aws_secretsmanager_secret.${secretName}.arn}`]))
          problems.push(`${name}: GetSecretValue on ${resources}`);
      }
    return problems.length === 0 ? true : problems.join('; ');
  });

  // Auto scaling
  t('auto scaling: target tracking on service CPU', () => {
    const [, target] = only(module, 'aws_appautoscaling_target', 'scalable target');
    const [, policy] = only(module, 'aws_appautoscaling_policy', 'scaling policy');
    const config = block(policy, 'target_tracking_scaling_policy_configuration');
    return v(target.scalable_dimension) === 'ecs:service:DesiredCount' && v(policy.policy_type) === 'TargetTrackingScaling'
      && block(config, 'predefined_metric_specification')?.predefined_metric_type === 'ECSServiceAverageCPUUtilization'
      && v(target.min_capacity) <= v(service.desired_count) && v(service.desired_count) <= v(target.max_capacity)
      ? true : show(v({ target, policy }));
  });

  // What the server is told
  t('env: HTTP transport on 0.0.0.0', () =>
    env.MCP_TRANSPORT === 'http' && env.MCP_HOST === '0.0.0.0' ? true : `MCP_TRANSPORT ${show(env.MCP_TRANSPORT)}, MCP_HOST ${show(env.MCP_HOST)}`);
  t('env: MCP_PUBLIC_URL is https://<domain>', () => expectEq(env.MCP_PUBLIC_URL, `https://${domain}`));
  t('env: MCP_ALLOWED_HOSTS names the domain', () =>
    String(env.MCP_ALLOWED_HOSTS ?? '').split(',').includes(domain) ? true : show(env.MCP_ALLOWED_HOSTS));
  t('env: MCP_TRUST_PROXY off (the ALB passes a client\'s X-Forwarded-Host through)', () =>
    env.MCP_TRUST_PROXY === undefined || env.MCP_TRUST_PROXY === 'false' ? true : show(env.MCP_TRUST_PROXY));
  t('env: OAuth with local token validation', () =>
    (env.MCP_AUTH ?? 'oauth') === 'oauth' && (env.JUSTIFI_OAUTH_VALIDATION ?? 'jwks') === 'jwks'
      ? true : `MCP_AUTH ${show(env.MCP_AUTH)}, JUSTIFI_OAUTH_VALIDATION ${show(env.JUSTIFI_OAUTH_VALIDATION)}`);
  t('env: MCP_THREADS is the server\'s CPU units in whole vCPUs, rounded up (a Fargate task sees more CPUs than its quota)', () => {
    const serverCpu = v(container.cpu);
    const expected = Math.max(1, Math.ceil(serverCpu / 1024));
    return typeof serverCpu === 'number' && env.MCP_THREADS === String(expected)
      ? true : `container cpu ${show(serverCpu)}, MCP_THREADS ${show(env.MCP_THREADS)}, expected ${expected}`;
  });
  t('env: MCP_IDLE_TIMEOUT above the ALB idle timeout', () => {
    const idle = seconds(env.MCP_IDLE_TIMEOUT);
    return idle > v(lb.idle_timeout) ? true : `MCP_IDLE_TIMEOUT ${show(env.MCP_IDLE_TIMEOUT)}, ALB ${show(v(lb.idle_timeout))}`;
  });
  t('env: every value is a string', () => {
    const bad = Object.entries(env).filter(([, value]) => typeof value !== 'string');
    return bad.length === 0 ? true : bad.map(([k, value]) => `${k}=${show(value)}`).join(', ');
  });

  const metrics = metricsSidecarChecks(envName, module, ev, task);

  return { env, required, optional, container, domain, metrics };
}

// ---------------------------------------------------------------------------------------
// The metrics sidecar (terraform/metrics.tf): an ADOT collector that scrapes the server's
// Prometheus endpoint and writes CloudWatch EMF.

// The families the binary serves and their label names (core/metrics.cpp). The smoke test
// compares them with the binary's /metrics, so a new family fails until it is listed here and
// its dimensions are decided in terraform/metrics.tf.
const METRIC_FAMILIES = {
  justifi_mcp_requests_total: { type: 'counter', labels: ['method', 'status'] },
  justifi_mcp_request_duration_seconds: { type: 'histogram', labels: ['method'] },
  justifi_mcp_tool_calls_total: { type: 'counter', labels: ['tool', 'outcome'] },
  justifi_mcp_upstream_requests_total: { type: 'counter', labels: ['status'] },
  justifi_mcp_upstream_duration_seconds: { type: 'histogram', labels: [] },
  justifi_mcp_token_cache_total: { type: 'counter', labels: ['result'] },
  justifi_mcp_rate_limited_total: { type: 'counter', labels: [] },
  justifi_mcp_overload_rejections_total: { type: 'counter', labels: [] },
  justifi_mcp_open_connections: { type: 'gauge', labels: [] },
  justifi_mcp_sessions: { type: 'gauge', labels: [] },
  justifi_mcp_tool_calls_in_flight: { type: 'gauge', labels: [] },
  justifi_mcp_request_body_bytes_in_flight: { type: 'gauge', labels: [] },
  justifi_mcp_jwks_loads: { type: 'gauge', labels: [] },
  justifi_mcp_token_cache_entries: { type: 'gauge', labels: [] },
};
// The scrape's target labels: every sample carries them, so every dimension set starts with them.
const TARGET_LABELS = ['environment', 'service'];
const COLLECTOR_CONFIG_VARIABLE = 'AOT_CONFIG_CONTENT';

// The yaml package the node tools bring along (a dependency of the conformance suite), or null.
function loadYaml() {
  try {
    return createRequire(import.meta.url)(path.join(path.dirname(path.dirname(hcl2jsonDir)), 'yaml'));
  } catch {
    return null;
  }
}

const countOf = (ev, body) => (body && 'count' in body ? ev.resolve(body.count) : 1);
const sameSet = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

// Strings that are one whole Terraform expression ("${one(aws_x.y[*].name)}") are filled in by
// Terraform at plan time: returns the value with each replaced by "<terraform>", and the list.
function terraformExpressions(value, at = '') {
  const found = [];
  const walk = (item, where) => {
    if (Array.isArray(item)) return item.map((x, i) => walk(x, `${where}[${i}]`));
    if (item && typeof item === 'object') return Object.fromEntries(Object.entries(item).map(([k, x]) => [k, walk(x, where ? `${where}.${k}` : k)]));
    if (typeof item === 'string' && /^\$\{[^]*\}$/.test(item) && templateParts(item).length === 1) {
      found.push({ where, expr: item });
      return '<terraform>';
    }
    return item;
  };
  return [walk(value, at), found];
}

// The sidecar container: the one given the collector's configuration.
function collectorOf(task) {
  return task.sidecars.find((s) => (s.raw.environment ?? []).some?.((e) => e.name === COLLECTOR_CONFIG_VARIABLE));
}

// The policy documents attached to a role (aws_iam_role_policy), with their counts.
function rolePolicies(module, ev, roleArnRef) {
  const roleName = /^\$\{aws_iam_role\.(\w+)\.arn\}$/.exec(roleArnRef ?? '')?.[1];
  const policies = Object.entries(module.resource.aws_iam_role_policy ?? {})
    .filter(([, p]) => new RegExp(`^\\$\\{aws_iam_role\\.${roleName}\\.(id|name)\\}$`).test(p.role ?? ''))
    .map(([name, p]) => {
      const docName = /^\$\{data\.aws_iam_policy_document\.(\w+)(\[0\])?\.json\}$/.exec(p.policy ?? '')?.[1];
      return { name, count: countOf(ev, p), doc: module.data.aws_iam_policy_document?.[docName], docName, policy: p.policy };
    });
  const attached = JSON.stringify([module.resource.aws_iam_role_policy_attachment, module.resource.aws_iam_policy_attachment]).includes(`aws_iam_role.${roleName}.`);
  return { roleName, policies, attached };
}

function metricsSidecarChecks(envName, module, ev, task) {
  const t = (name, fn) => check(`[${envName}] ${name}`, fn);
  const v = (raw) => ev.resolve(raw);
  const res = module.resource;
  const { taskDef, containers, container, containerRaw, env } = task;
  const enabled = ev.variable('enable_metrics_sidecar');
  const name = ev.variable('name');
  const environment = ev.variable('environment');
  const taskCpu = Number(v(taskDef.cpu));
  const taskMemory = Number(v(taskDef.memory));
  const metricsPort = env.MCP_METRICS_PORT;
  const metricsPath = env.MCP_METRICS_PATH ?? '/metrics';

  t('metrics: served on a port of their own, not the one the ALB forwards to', () =>
    /^\d+$/.test(metricsPort ?? '') && metricsPort !== '0' && metricsPort !== env.MCP_PORT && (env.MCP_METRICS ?? 'true') === 'true'
      ? true : `MCP_METRICS ${show(env.MCP_METRICS)}, MCP_METRICS_PORT ${show(metricsPort)}, MCP_PORT ${show(env.MCP_PORT)}`);

  if (enabled !== true) {
    report(false, `[${envName}] metrics sidecar enabled by default`, `enable_metrics_sidecar is ${show(enabled)}`);
    return null;
  }
  const sidecar = collectorOf(task);
  t('metrics sidecar: present, the only container besides the server', () =>
    sidecar && containers.length === 2 ? true : `containers ${show(containers.map((c) => c?.name))}`);
  if (!sidecar) return null;
  const collector = sidecar.container;
  const collectorRaw = sidecar.raw;

  // The container
  t('metrics sidecar: essential = false (its failure never stops the task); the server essential', () =>
    collector.essential === false && container.essential === true ? true : `sidecar essential ${show(collector.essential)}, server ${show(container.essential)}`);
  // public.ecr.aws/aws-observability/aws-otel-collector, or a copy in a private repository.
  t('metrics sidecar: an AWS Distro for OpenTelemetry collector image pinned to a release or digest', () => {
    const image = String(collector.image ?? '');
    return /\/aws-otel-collector(:v\d+\.\d+\.\d+|@sha256:[0-9a-f]{64})$/.test(image) ? true : `image ${show(collector.image)}`;
  });
  const split = `server ${show(container.cpu)} CPU units + reserves ${show(container.memoryReservation)} MiB, sidecar ${show(collector.cpu)} + at most ${show(collector.memory)} MiB`;
  t(`CPU and memory: ${split}, of the task's ${taskCpu} / ${taskMemory} MiB`, () =>
    container.cpu + collector.cpu === taskCpu && collector.memory + container.memoryReservation === taskMemory
      && collector.cpu * 4 <= taskCpu && collector.memory * 4 <= taskMemory && !('memory' in container)
      ? true : 'the server must get the rest of the task (cpu, memoryReservation, no hard limit) and the sidecar at most a quarter');
  t('metrics sidecar: logs to the task\'s log group under a stream prefix of its own', () => {
    const mine = collectorRaw.logConfiguration?.options ?? {};
    const app = containerRaw.logConfiguration?.options ?? {};
    return collector.logConfiguration?.logDriver === 'awslogs' && mine['awslogs-group'] === app['awslogs-group']
      && v(mine['awslogs-stream-prefix']) && v(mine['awslogs-stream-prefix']) !== v(app['awslogs-stream-prefix'])
      ? true : `options ${show(v(mine))}`;
  });
  t('metrics sidecar: read-only root file system, restarted in place, health check /healthcheck', () =>
    collector.readonlyRootFilesystem === true && collector.restartPolicy?.enabled === true
      && JSON.stringify(collector.healthCheck?.command) === JSON.stringify(['CMD', '/healthcheck'])
      ? true : show({ readonlyRootFilesystem: collector.readonlyRootFilesystem, restartPolicy: collector.restartPolicy, healthCheck: collector.healthCheck }));

  // Its configuration
  const rawValue = (collectorRaw.environment ?? []).find((e) => e.name === COLLECTOR_CONFIG_VARIABLE)?.value;
  const configLocal = /^\$\{yamlencode\(local\.(\w+)\)\}$/.exec(rawValue ?? '')?.[1];
  let config = null;
  t(`metrics sidecar: ${COLLECTOR_CONFIG_VARIABLE} is yamlencode(local.<config>) and parses as YAML`, () => {
    if (!configLocal) return `${COLLECTOR_CONFIG_VARIABLE} = ${show(rawValue)}`;
    const resolved = ev.local(configLocal);
    if (!resolved || typeof resolved !== 'object' || Array.isArray(resolved)) return `local.${configLocal} is ${show(resolved)}`;
    const YAML = loadYaml();
    const text = YAML ? YAML.stringify(resolved) : JSON.stringify(resolved); // JSON is YAML too
    const parsed = YAML ? YAML.parse(text) : JSON.parse(text);
    if (JSON.stringify(parsed) !== JSON.stringify(resolved)) return 'does not survive a YAML round trip';
    config = parsed;
    return true;
  });
  if (!config) return null;
  const [plain, fromTerraform] = terraformExpressions(config);
  const awsemf = config.exporters?.awsemf ?? {};
  t('metrics sidecar config: resolves; only the log group name is left to Terraform', () =>
    fromTerraform.length === 1 && fromTerraform[0].where === 'exporters.awsemf.log_group_name' ? true : `left to Terraform: ${show(fromTerraform)}`);
  t('metrics sidecar config: no "${" (the collector would expand it)', () =>
    !JSON.stringify(plain).includes('${') ? true : 'found "${"');
  const scrapes = config.receivers?.prometheus?.config?.scrape_configs ?? [];
  const targets = scrapes.flatMap((sc) => (sc.static_configs ?? []).flatMap((st) => st.targets ?? []));
  t(`metrics sidecar config: prometheus receiver scrapes 127.0.0.1:<MCP_METRICS_PORT ${metricsPort}>${metricsPath} every 30 s`, () => {
    const global = config.receivers?.prometheus?.config?.global ?? {};
    const interval = seconds(scrapes[0]?.scrape_interval ?? global.scrape_interval);
    const timeout = seconds(scrapes[0]?.scrape_timeout ?? global.scrape_timeout ?? '10s');
    return scrapes.length === 1 && targets.length === 1 && targets[0] === `127.0.0.1:${metricsPort}`
      && (scrapes[0].metrics_path ?? '/metrics') === metricsPath && interval === 30 && timeout < interval
      ? true : `scrape_configs ${show(scrapes)}, global ${show(global)}`;
  });
  const labels = scrapes[0]?.static_configs?.[0]?.labels ?? {};
  t(`metrics sidecar config: target labels environment=${environment}, service=${name}`, () =>
    sameSet(Object.keys(labels), TARGET_LABELS) && labels.environment === environment && labels.service === name ? true : show(labels));
  t('metrics sidecar config: a pipeline from prometheus to awsemf; every component it names is configured', () => {
    const pipelines = Object.entries(config.service?.pipelines ?? {});
    const problems = [];
    for (const [pipeline, p] of pipelines)
      for (const [kind, section] of [['receivers', 'receivers'], ['processors', 'processors'], ['exporters', 'exporters']])
        for (const component of p[kind] ?? []) if (!(component in (config[section] ?? {}))) problems.push(`${pipeline}: ${kind} ${component} not configured`);
    for (const extension of config.service?.extensions ?? []) if (!(extension in (config.extensions ?? {}))) problems.push(`extension ${extension} not configured`);
    if (!pipelines.some(([pipeline, p]) => pipeline.split('/')[0] === 'metrics' && (p.receivers ?? []).includes('prometheus') && (p.exporters ?? []).includes('awsemf')))
      problems.push('no metrics pipeline from prometheus to awsemf');
    return problems.length === 0 ? true : problems.join('; ');
  });
  t('metrics sidecar config: health_check extension on 127.0.0.1:13133 (what /healthcheck probes)', () =>
    config.extensions?.health_check?.endpoint === '127.0.0.1:13133' && (config.service?.extensions ?? []).includes('health_check') ? true : show(config.extensions));
  t(`metrics sidecar config: awsemf namespace JustiFi/MCP in ${ev.variable('aws_region')}, declared dimensions only`, () =>
    awsemf.namespace === 'JustiFi/MCP' && awsemf.region === ev.variable('aws_region') && awsemf.dimension_rollup_option === 'NoDimensionRollup'
      && awsemf.resource_to_telemetry_conversion?.enabled !== true && Array.isArray(awsemf.metric_declarations) && awsemf.metric_declarations.length > 0
      ? true : show({ ...awsemf, metric_declarations: undefined }));
  const declarations = awsemf.metric_declarations ?? [];
  t('metrics sidecar config: every metric_declarations selector names a family the binary serves, every dimension is one of its labels', () => {
    const problems = [];
    for (const declaration of declarations) {
      if (declaration.label_matchers) problems.push('label_matchers: keep every series of a metric in the same CloudWatch metric');
      for (const selector of declaration.metric_name_selectors ?? []) {
        const families = Object.keys(METRIC_FAMILIES).filter((f) => new RegExp(selector).test(f));
        if (families.length === 0) problems.push(`${selector} matches no family`);
        for (const family of families)
          for (const dims of declaration.dimensions ?? []) {
            const unknown = dims.filter((d) => !TARGET_LABELS.includes(d) && !METRIC_FAMILIES[family].labels.includes(d));
            if (unknown.length) problems.push(`${family}: ${unknown.join(', ')} is not a label`);
            if (!TARGET_LABELS.every((d) => dims.includes(d))) problems.push(`${family}: dimension set ${dims} lacks ${TARGET_LABELS}`);
          }
      }
    }
    return problems.length === 0 ? true : problems.join('; ');
  });
  t('metrics sidecar config: every family the binary serves becomes a CloudWatch metric', () => {
    const missing = Object.keys(METRIC_FAMILIES).filter((f) => !declarations.some((d) => (d.metric_name_selectors ?? []).some((sel) => new RegExp(sel).test(f))));
    return missing.length === 0 ? true : `not declared: ${missing.join(', ')}`;
  });
  t('metrics sidecar config: histograms converted to per-scrape deltas (awsemf sends their count and sum as totals)', () => {
    const pipeline = Object.values(config.service?.pipelines ?? {}).find((p) => (p.exporters ?? []).includes('awsemf'));
    const delta = config.processors?.cumulativetodelta;
    return (pipeline?.processors ?? []).includes('cumulativetodelta') && (delta?.include?.metric_types ?? []).includes('histogram') ? true : show(delta);
  });

  // The log group the metrics land in
  const groupName = /^\$\{(?:one\()?aws_cloudwatch_log_group\.(\w+)(?:\[0\]|\[\*\])\.name\)?\}$/.exec(fromTerraform[0]?.expr ?? '')?.[1];
  const group = res.aws_cloudwatch_log_group?.[groupName];
  const appGroupName = /^\$\{aws_cloudwatch_log_group\.(\w+)\.name\}$/.exec(containerRaw.logConfiguration?.options?.['awslogs-group'] ?? '')?.[1];
  t(`metrics log group /ecs/${name}/metrics, created here with the task log group's retention (30 days)`, () =>
    group && groupName !== appGroupName && v(group.name) === `/ecs/${name}/metrics` && v(group.retention_in_days) === 30
      && v(group.retention_in_days) === v(res.aws_cloudwatch_log_group?.[appGroupName]?.retention_in_days) && countOf(ev, group) === 1
      ? true : `awsemf log_group_name ${show(fromTerraform[0]?.expr)}, group ${show(v(group ?? null))}`);

  // IAM: the task role may write that log group and nothing else.
  t('IAM: the task role\'s only policy: logs:CreateLogStream and logs:PutLogEvents on the metrics log group and its streams', () => {
    const { roleName, policies, attached } = rolePolicies(module, ev, taskDef.task_role_arn);
    if (attached) return `aws_iam_role.${roleName} has managed policies attached`;
    const live = policies.filter((p) => p.count !== 0);
    if (live.length !== 1 || !live[0].doc) return `aws_iam_role.${roleName} policies ${show(live.map((p) => p.name))}`;
    const arn = `\${aws_cloudwatch_log_group.${groupName}[0].arn}`;
    const problems = [];
    for (const statement of live[0].doc.statement ?? []) {
      const actions = v(statement.actions) ?? [];
      if ((statement.effect ?? 'Allow') !== 'Allow') continue;
      if (!sameSet(actions, ['logs:CreateLogStream', 'logs:PutLogEvents'])) problems.push(`actions ${actions}`);
      if (!sameSet(statement.resources ?? [], [arn, `${arn}:log-stream:*`])) problems.push(`resources ${statement.resources}`);
      if (statement.not_resources || statement.not_actions) problems.push('not_resources / not_actions');
    }
    return problems.length === 0 && (live[0].doc.statement ?? []).length > 0 ? true : problems.join('; ');
  });

  // The alarm on a sidecar metric: what it reads must be a metric and dimension set the
  // sidecar declares, with this environment's dimension values.
  const metricAlarms = Object.entries(res.aws_cloudwatch_metric_alarm ?? {})
    .filter(([, a]) => JSON.stringify(a).includes('var.metrics_namespace'));
  t('alarm on a sidecar metric (JustiFi API errors), only with the sidecar', () =>
    metricAlarms.length >= 1 && metricAlarms.every(([, a]) => countOf(ev, a) === 1) ? true : `alarms ${show(metricAlarms.map(([n]) => n))}`);
  for (const [alarmName, alarm] of metricAlarms)
    t(`alarm ${alarmName}: reads exported metrics; its expression names only its queries`, () => {
      const queries = [];
      for (const q of alarm.metric_query ?? []) queries.push({ id: v(q.id), expression: v(q.expression), metric: block(q, 'metric'), returns: v(q.return_data) });
      for (const d of alarm.dynamic?.metric_query ?? []) {
        const over = /^\$\{toset\((.*)\)\}$/.exec(d.for_each ?? '')?.[1];
        const values = over ? ev.expression(over) : d.for_each;
        const content = block(d, 'content');
        if (!Array.isArray(values) || !content) return `dynamic metric_query over ${show(d.for_each)}`;
        for (const value of values) {
          const fill = (x) => (typeof x === 'string' ? x.replaceAll('${metric_query.value}', value) : x);
          const metric = block(content, 'metric');
          queries.push({ id: fill(content.id), metric: metric && { ...metric, dimensions: Object.fromEntries(Object.entries(metric.dimensions ?? {}).map(([k, x]) => [k, fill(x)])) } });
        }
      }
      const problems = [];
      const ids = queries.map((q) => q.id);
      for (const q of queries.filter((x) => x.expression)) {
        const named = [...String(q.expression).matchAll(/\b([a-z][A-Za-z0-9_]*)\b/g)].map((m) => m[1]);
        const undefinedIds = named.filter((id) => !ids.includes(id));
        if (undefinedIds.length) problems.push(`${q.id} names ${undefinedIds}`);
      }
      if (queries.filter((q) => q.returns === true).length !== 1) problems.push('exactly one query must return data');
      for (const q of queries.filter((x) => x.metric)) {
        const m = q.metric;
        const dims = v(m.dimensions) ?? {};
        if (v(m.namespace) !== awsemf.namespace) problems.push(`${q.id}: namespace ${v(m.namespace)}`);
        const declared = declarations.some((d) => (d.metric_name_selectors ?? []).some((sel) => new RegExp(sel).test(v(m.metric_name)))
          && (d.dimensions ?? []).some((set) => sameSet(set, Object.keys(dims))));
        if (!declared) problems.push(`${q.id}: ${v(m.metric_name)} by ${Object.keys(dims)} is not exported`);
        if (dims.environment !== labels.environment || dims.service !== labels.service) problems.push(`${q.id}: dimensions ${show(dims)}`);
      }
      return problems.length === 0 ? true : problems.join('; ');
    });

  return { metricsPath, declarations };
}

// The same deployment with enable_metrics_sidecar = false: the server alone, nothing left over.
function sidecarOffChecks(envName, module, tfvars) {
  const label = `${envName}, enable_metrics_sidecar = false`;
  const t = (name, fn) => check(`[${label}] ${name}`, fn);
  const ev = new Evaluator(module, { ...tfvars, enable_metrics_sidecar: false });
  let task;
  try {
    task = taskOf(module, ev);
  } catch (error) {
    report(false, `[${label}] task definition readable`, error.message);
    return;
  }
  const cpu = Number(ev.resolve(task.taskDef.cpu));
  const memory = Number(ev.resolve(task.taskDef.memory));
  t('one container, the server, with the whole task\'s CPU and memory', () =>
    task.containers.length === 1 && task.container.cpu === cpu && task.container.memoryReservation === memory
      ? true : `containers ${show(task.containers.map((c) => c?.name))}, cpu ${show(task.container.cpu)}, memoryReservation ${show(task.container.memoryReservation)}`);
  t('no metrics log group, task role policy or metrics alarm', () => {
    const left = [];
    for (const [type, named] of Object.entries(module.resource))
      for (const [name, body] of Object.entries(named))
        if (JSON.stringify(body).includes('enable_metrics_sidecar') && countOf(ev, body) !== 0) left.push(`${type}.${name}`);
    for (const type of ['aws_cloudwatch_log_group', 'aws_cloudwatch_metric_alarm'])
      for (const [name, body] of Object.entries(module.resource[type] ?? {}))
        if (/metrics/.test(String(ev.resolve(body.name ?? body.alarm_name))) || JSON.stringify(body).includes('var.metrics_namespace'))
          if (countOf(ev, body) !== 0) left.push(`${type}.${name}`);
    return left.length === 0 ? true : `still created: ${[...new Set(left)].join(', ')}`;
  });
  t('IAM: the task role has no permissions', () => {
    const { roleName, policies, attached } = rolePolicies(module, ev, task.taskDef.task_role_arn);
    const live = policies.filter((p) => p.count !== 0).map((p) => p.name);
    return !attached && live.length === 0 ? true : `aws_iam_role.${roleName} has ${show(live)}`;
  });
}

// ---------------------------------------------------------------------------------------
// Exchange mode (upstream_auth = "exchange", RFC 8693): the server accepts only tokens issued
// for MCP_PUBLIC_URL + /mcp and exchanges each for a JustiFi API token as a confidential
// client, whose secret reaches the task from Secrets Manager and nowhere else.

const UPSTREAM_AUTH_MODES = ['passthrough', 'exchange'];
const EXCHANGE_ENVIRONMENT = ['JUSTIFI_UPSTREAM_AUTH', 'JUSTIFI_REQUIRE_DPOP'];
const EXCHANGE_SECRETS = ['JUSTIFI_EXCHANGE_CLIENT_ID', 'JUSTIFI_EXCHANGE_CLIENT_SECRET'];
const EXCHANGE_CLIENT_SECRET = 'JUSTIFI_EXCHANGE_CLIENT_SECRET';

// Every precondition (resources, data sources, outputs) and variable validation.
function conditionsOf(module) {
  const out = [];
  for (const kind of ['resource', 'data'])
    for (const [type, named] of Object.entries(module[kind]))
      for (const [name, body] of Object.entries(named))
        for (const p of block(body, 'lifecycle')?.precondition ?? []) out.push({ ...p, where: `${type}.${name}` });
  for (const [name, body] of Object.entries(module.output))
    for (const p of body.precondition ?? []) out.push({ ...p, where: `output.${name}` });
  for (const [name, body] of Object.entries(module.variable))
    for (const p of body.validation ?? []) out.push({ ...p, where: `var.${name}` });
  return out;
}

// The conditions that are false with these variables; a condition naming what the evaluator
// cannot resolve (terraform.workspace, <, length()) is Terraform's to decide, not counted.
function failedConditions(module, tfvars) {
  const ev = new Evaluator(module, tfvars);
  return conditionsOf(module).filter((c) => ev.condition(c.condition) === false);
}
const listConditions = (failed) => failed.map((c) => `${c.where}: ${c.error_message}`).join('; ');

function exchangeVariableChecks(module, parsedDocs) {
  check('variable upstream_auth: string, default "passthrough", a validation that allows exactly "passthrough" and "exchange"', () => {
    const variable = module.variable.upstream_auth;
    if (!variable) return 'not declared';
    if (variable.type !== '${string}' || variable.default !== 'passthrough') return `type ${show(variable.type)}, default ${show(variable.default)}`;
    const validations = variable.validation ?? [];
    if (validations.length === 0) return 'no validation';
    // The condition's own string literals, near misses, and nothing.
    const literals = validations.flatMap((v) => [...String(v.condition).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]));
    const candidates = new Set([...UPSTREAM_AUTH_MODES, ...literals, '', 'Exchange', 'EXCHANGE', 'Passthrough', ' exchange', 'exchange ', 'none', 'token-exchange', 'true']);
    const accepted = [];
    for (const value of candidates) {
      const ev = new Evaluator(module, { upstream_auth: value });
      const results = validations.map((v) => ev.condition(v.condition));
      if (results.includes(null)) return `this check cannot evaluate ${show(validations.map((v) => v.condition))}`;
      if (results.every(Boolean)) accepted.push(value);
    }
    return sameSet(accepted, UPSTREAM_AUTH_MODES) ? true : `allows ${show(accepted)}`;
  });

  check('variable require_dpop: bool, default false; refused unless upstream_auth = "exchange"', () => {
    const variable = module.variable.require_dpop;
    if (!variable) return 'not declared';
    if (variable.type !== '${bool}' || variable.default !== false) return `type ${show(variable.type)}, default ${show(variable.default)}`;
    const problems = [];
    for (const upstream of UPSTREAM_AUTH_MODES)
      for (const dpop of [false, true]) {
        const failed = failedConditions(module, { upstream_auth: upstream, require_dpop: dpop });
        const refuse = dpop && upstream !== 'exchange';
        if (refuse && !failed.some((c) => /require_dpop/.test(c.condition))) problems.push(`require_dpop = true with upstream_auth = ${upstream} is accepted`);
        if (!refuse && failed.length) problems.push(`require_dpop = ${dpop}, upstream_auth = ${upstream} is refused: ${listConditions(failed)}`);
      }
    return problems.length === 0 ? true : problems.join('; ');
  });

  check('exchange mode needs a public URL: refused without a usable domain_name, with a message that says so', () => {
    const problems = [];
    for (const domain of ['', 'https://mcp.justifi.ai', 'localhost']) {
      const failed = failedConditions(module, { upstream_auth: 'exchange', domain_name: domain });
      if (!failed.some((c) => /public URL|MCP_PUBLIC_URL/.test(c.error_message ?? ''))) problems.push(`domain_name = ${show(domain)} is not refused with a message about the public URL`);
    }
    const failed = failedConditions(module, { upstream_auth: 'exchange' });
    if (failed.length) problems.push(`the default domain is refused: ${listConditions(failed)}`);
    return problems.length === 0 ? true : problems.join('; ');
  });

  check(`${EXCHANGE_CLIENT_SECRET} reaches the task only by valueFrom from the secret: never a plain value, a variable or the first secret version`, () => {
    const problems = [];
    let references = 0;
    const walk = (node, where) => {
      if (Array.isArray(node)) {
        node.forEach((item, i) => walk(item, `${where}[${i}]`));
        return;
      }
      if (node && typeof node === 'object') {
        const entry = node.name === EXCHANGE_CLIENT_SECRET;
        if (entry) {
          if ('value' in node) problems.push(`${where}: a plain value`);
          else if (!/^\$\{aws_secretsmanager_secret\.\w+\.arn\}:JUSTIFI_EXCHANGE_CLIENT_SECRET::$/.test(node.valueFrom ?? '')) problems.push(`${where}: valueFrom ${show(node.valueFrom)}`);
          else references += 1;
        }
        for (const [key, item] of Object.entries(node)) {
          if (key === EXCHANGE_CLIENT_SECRET) problems.push(`${where}.${key}: a key with a value of its own (e.g. a map, the first secret version)`);
          if ((entry && (key === 'name' || key === 'valueFrom')) || (['description', 'error_message'].includes(key) && typeof item === 'string')) continue;
          walk(item, `${where}.${key}`);
        }
        return;
      }
      // Anywhere else, e.g. inside an expression: jsonencode({ ... }), { name = ..., value = ... }.
      if (typeof node === 'string' && node.includes(EXCHANGE_CLIENT_SECRET)) problems.push(`${where}: named in ${show(node)}`);
    };
    for (const [file, doc] of parsedDocs) walk(doc, path.relative(terraformDir, file));
    for (const name of Object.keys(module.variable))
      if (/secret/.test(name) && /exchange|client/.test(name)) problems.push(`variable ${name}: the client secret would be in plans and the state`);
    if (references === 0) problems.push(`no { name = "${EXCHANGE_CLIENT_SECRET}", valueFrom = ... }`);
    return problems.length === 0 ? true : problems.join('; ');
  });
}

// An environment in exchange mode: the plain settings, the exchange client from the secret, and
// nothing else changed. Returns the task for the coverage check and the smoke test.
function exchangeChecks(envName, module, tfvars) {
  const t = (label, name, fn) => check(`[${label}] ${name}`, fn);
  const own = new Evaluator(module, tfvars);
  if (own.variable('upstream_auth') !== 'exchange')
    t(envName, 'passthrough mode: no exchange settings in the task definition (the binary\'s defaults)', () => {
      const { env, container } = taskOf(module, own);
      const named = [...Object.keys(env), ...(container.secrets ?? []).map((x) => x?.name)].filter((n) => [...EXCHANGE_ENVIRONMENT, ...EXCHANGE_SECRETS].includes(n));
      return named.length === 0 ? true : `sets ${named.join(', ')}`;
    });

  const label = `${envName}, upstream_auth = "exchange"`;
  const scenario = { ...tfvars, upstream_auth: 'exchange', require_dpop: true };
  const ev = new Evaluator(module, scenario);
  let task;
  try {
    task = taskOf(module, ev);
  } catch (error) {
    report(false, `[${label}] task definition readable`, error.message);
    return null;
  }
  const [secretName] = only(module, 'aws_secretsmanager_secret', 'secret');
  const domain = ev.variable('domain_name');
  const { env, container, containers } = task;
  t(label, 'env: JUSTIFI_UPSTREAM_AUTH=exchange; JUSTIFI_REQUIRE_DPOP follows require_dpop (true, false)', () => {
    const off = taskOf(module, new Evaluator(module, { ...scenario, require_dpop: false })).env;
    return env.JUSTIFI_UPSTREAM_AUTH === 'exchange' && env.JUSTIFI_REQUIRE_DPOP === 'true' && off.JUSTIFI_REQUIRE_DPOP === 'false'
      ? true : `JUSTIFI_UPSTREAM_AUTH ${show(env.JUSTIFI_UPSTREAM_AUTH)}, JUSTIFI_REQUIRE_DPOP ${show(env.JUSTIFI_REQUIRE_DPOP)} / ${show(off.JUSTIFI_REQUIRE_DPOP)}`;
  });
  t(label, `env: what the exchange needs: MCP_AUTH=oauth, JUSTIFI_OAUTH_VALIDATION=jwks, MCP_PUBLIC_URL=https://${domain}`, () =>
    env.MCP_AUTH === 'oauth' && env.JUSTIFI_OAUTH_VALIDATION === 'jwks' && env.MCP_PUBLIC_URL === `https://${domain}`
      ? true : show({ MCP_AUTH: env.MCP_AUTH, JUSTIFI_OAUTH_VALIDATION: env.JUSTIFI_OAUTH_VALIDATION, MCP_PUBLIC_URL: env.MCP_PUBLIC_URL }));
  t(label, `secrets: ${EXCHANGE_SECRETS.join(' and ')} from <secret ARN>:<key>::`, () => {
    const secrets = container.secrets ?? [];
    const missing = EXCHANGE_SECRETS.filter((n) => !secrets.some((x) => x?.name === n && x.valueFrom === `\${aws_secretsmanager_secret.${secretName}.arn}:${n}::`));
    return missing.length === 0 ? true : `missing or not from the secret: ${missing.join(', ')}`;
  });
  t(label, 'no container has the exchange client in its plain environment', () => {
    const bad = containers.flatMap((c) => (Array.isArray(c?.environment) ? c.environment : []).filter((e) => EXCHANGE_SECRETS.includes(e?.name)).map((e) => `${c.name}: ${e.name}`));
    return bad.length === 0 ? true : bad.join(', ');
  });
  t(label, 'the first secret version holds no exchange client credentials (operators put them)', () => {
    const initial = module.locals.initial_secret_values ?? {};
    const held = EXCHANGE_SECRETS.filter((n) => n in initial);
    return held.length === 0 ? true : held.join(', ');
  });
  t(label, 'environment and secrets name each variable once', () => {
    const names = [...Object.keys(env), ...(container.secrets ?? []).map((x) => x?.name)];
    const twice = names.filter((n, i) => names.indexOf(n) !== i);
    return twice.length === 0 ? true : `twice: ${twice.join(', ')}`;
  });
  t(label, 'with require_dpop = true the variable validations and preconditions hold', () => {
    const failed = failedConditions(module, scenario);
    return failed.length === 0 ? true : listConditions(failed);
  });
  return { ...task, domain, initialSecret: ev.resolve(module.locals.initial_secret_values ?? {}) };
}

// The settings an environments/*.tfvars shows commented out ("# key = value": the network IDs,
// exchange mode), parsed as the operator would uncomment them.
async function tfvarsExamples(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n').map((line) => /^#\s*([a-z_][a-z0-9_]*\s*=.*)$/.exec(line)?.[1]).filter(Boolean);
  return lines.length === 0 ? {} : parse(path.basename(file), `${lines.join('\n')}\n`);
}

// ---------------------------------------------------------------------------------------
// Environment coverage against the binary's --help

// exchangeTask: the same deployment with upstream_auth = "exchange"; what only it sets keeps the
// binary's default (passthrough, no DPoP requirement, no exchange client) otherwise. Returns
// whether this build of the binary has exchange mode.
function coverageChecks(task, exchangeTask) {
  const help = execFileSync(binary, ['--help'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const read = [...new Set([...help.matchAll(/\benv ([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]))];
  report(read.length >= 20, `the binary's --help names its environment variables (${read.length})`, 'too few found: has the --help format changed?');
  const set = new Set([...Object.keys(task.env), ...task.required.map((s) => s.name)]);
  const exchangeOnly = exchangeTask
    ? [...new Set([...Object.keys(exchangeTask.env), ...(exchangeTask.container.secrets ?? []).map((s) => s?.name)])].filter((n) => !set.has(n) && !task.optional.some((s) => s.name === n))
    : [];
  for (const name of read) {
    if ((set.has(name) || exchangeOnly.includes(name)) && name in SAFE_DEFAULTS) report(false, `${name} classified once`, 'set by the task definition and listed in SAFE_DEFAULTS');
    else if (set.has(name)) report(true, `${name} is set by the task definition`);
    else if (exchangeOnly.includes(name)) report(true, `${name} is set by the task definition with upstream_auth = "exchange" and keeps its default otherwise`);
    else if (name in SAFE_DEFAULTS && !REQUIRED_BEHIND_ALB.includes(name)) report(true, `${name} keeps its default: ${SAFE_DEFAULTS[name]}`);
    else report(false, `${name} is set by the task definition or has a safe default`, 'unclassified: set it in terraform/ecs.tf or add it to SAFE_DEFAULTS in tests/terraform/check.mjs with the reason');
  }
  for (const name of REQUIRED_BEHIND_ALB) if (!set.has(name)) report(false, `${name} is set by the task definition`, 'its default is wrong behind the ALB');
  for (const name of Object.keys(SAFE_DEFAULTS))
    if (!read.includes(name)) report(false, `SAFE_DEFAULTS entry ${name} is a variable the binary reads`, 'stale entry');
  for (const name of [...set, ...task.optional.map((s) => s.name)])
    if (!read.includes(name)) report(false, `${name} (task definition) is a variable the binary reads`, 'unknown to the binary');
  // A binary built before exchange mode knows none of its variables; one that knows some must know all.
  const hasExchange = exchangeOnly.some((n) => read.includes(n));
  if (exchangeOnly.length > 0 && !hasExchange)
    console.log(`SKIP the exchange-mode variables (${exchangeOnly.join(', ')}) against the binary: this build of the binary has no exchange mode`);
  else
    for (const name of exchangeOnly)
      if (!read.includes(name)) report(false, `${name} (task definition, exchange mode) is a variable the binary reads`, 'unknown to the binary');
  return hasExchange;
}

// ---------------------------------------------------------------------------------------
// The binary with the task's environment

function request(port, { method = 'GET', target, host, body }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: target, headers: {
      Host: host, Accept: 'application/json, text/event-stream', 'Content-Type': 'application/json', ...(body ? { 'Content-Length': Buffer.byteLength(body) } : {}),
    } }, (res) => {
      let data = '';
      res.on('data', (chunk) => { data += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timed out')));
    req.end(body);
  });
}

function run(args, env, cwd) {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', (error) => { clearTimeout(timer); resolve({ code: null, stderr: error.message }); });
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stderr }); });
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// What the sidecar scrapes: the families and labels its configuration was checked against.
async function metricsSmokeTest(task, mcpPort, metricsPort) {
  const metricsPath = task.metrics?.metricsPath ?? task.env.MCP_METRICS_PATH ?? '/metrics';
  // The sidecar's request: over loopback, Host 127.0.0.1:<port>.
  const scrape = await request(metricsPort, { target: metricsPath, host: `127.0.0.1:${task.env.MCP_METRICS_PORT}` });
  report(scrape.status === 200 && /^text\/plain/.test(String(scrape.headers['content-type'])),
    `GET ${metricsPath} on MCP_METRICS_PORT (what the sidecar scrapes) answers 200 text/plain`, `got ${scrape.status} ${scrape.headers['content-type']}`);
  const types = {};
  const labelNames = {};
  for (const line of scrape.body.split('\n')) {
    let m;
    if ((m = /^# TYPE (\S+) (\S+)$/.exec(line))) types[m[1]] = m[2];
    else if ((m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? /.exec(line))) {
      const family = Object.keys(types).find((f) => m[1] === f || (types[f] === 'histogram' && [`${f}_bucket`, `${f}_sum`, `${f}_count`].includes(m[1])));
      const names = [...(m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="/g)].map((x) => x[1]).filter((n) => n !== 'le');
      if (family) for (const n of names) (labelNames[family] ??= new Set()).add(n);
    }
  }
  const served = Object.keys(types);
  const unlisted = served.filter((f) => !(f in METRIC_FAMILIES) || METRIC_FAMILIES[f].type !== types[f]);
  const gone = Object.keys(METRIC_FAMILIES).filter((f) => !(f in types));
  report(unlisted.length === 0 && gone.length === 0, `the binary serves exactly the ${served.length} metric families the sidecar's configuration was checked against`,
    `${unlisted.length ? `not in METRIC_FAMILIES (tests/terraform/check.mjs; then decide its dimensions in terraform/metrics.tf) or of another type: ${unlisted.join(', ')}` : ''}${gone.length ? ` no longer served: ${gone.join(', ')}` : ''}`);
  const badLabels = Object.entries(labelNames).flatMap(([f, names]) => [...names].filter((n) => !(METRIC_FAMILIES[f]?.labels ?? []).includes(n)).map((n) => `${f}{${n}}`));
  report(badLabels.length === 0 && Object.keys(labelNames).length > 0, `the labels of the series served so far (${Object.keys(labelNames).length} families) are the ones listed`, badLabels.length ? badLabels.join(', ') : 'no labelled series');
  const onMcpPort = await request(mcpPort, { target: metricsPath, host: task.domain });
  report(onMcpPort.status === 404, `GET ${metricsPath} on MCP_PORT (what the ALB forwards to) is 404`, `got ${onMcpPort.status}`);
}

// Starts the binary with a task's plain environment and these keys of its secret (from the
// first secret version, placeholders for the keys operators put), on loopback and free ports
// (the task binds 0.0.0.0:8080 and 0.0.0.0:<MCP_METRICS_PORT>). port is null when it never
// said it was listening; stopServer() ends it and cleans up.
async function startServer(task, secretNames) {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  for (const [key, value] of Object.entries(task.env)) env[key] = value;
  const initial = task.initialSecret ?? {};
  for (const key of secretNames) env[key] = typeof initial[key] === 'string' ? initial[key] : 'x'.repeat(64);
  env.MCP_HOST = '127.0.0.1';
  env.MCP_PORT = '0';
  if (task.env.MCP_METRICS_PORT) env.MCP_METRICS_PORT = String(await freePort());
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-check-')); // no .env here
  const child = spawn(binary, [], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const server = { env, cwd, child, log: '', exit: null, port: null };
  server.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', (error) => resolve({ error: error.message }));
  });
  server.exited.then((result) => { server.exit = result; });
  child.stderr.on('data', (chunk) => { server.log += chunk; });
  for (let i = 0; i < 200 && server.port === null && server.exit === null; i += 1) {
    server.port = /"message":"listening".*?"port":(\d+)/.exec(server.log)?.[1] ?? null;
    if (server.port === null) await new Promise((r) => setTimeout(r, 50));
  }
  return server;
}

async function stopServer(server) {
  if (server.exit === null) server.child.kill('SIGKILL');
  await server.exited;
  fs.rmSync(server.cwd, { recursive: true, force: true });
}

const notListening = (server) => `no "listening" line${server.exit ? `, exited ${JSON.stringify(server.exit)}` : ''}:\n${server.log}`;

// SIGTERM, then the drain must end with exit 0 within MCP_DRAIN_TIMEOUT (and a margin).
async function drainsOnSigterm(server, task) {
  server.child.kill('SIGTERM');
  const drainLimit = (seconds(task.env.MCP_DRAIN_TIMEOUT) + 5) * 1000;
  const result = await Promise.race([server.exited, new Promise((r) => setTimeout(() => r(null), drainLimit))]);
  return result !== null && result.code === 0 ? true : `got ${JSON.stringify(result)}`;
}

async function smokeTest(task) {
  const name = 'the binary starts with the task environment';
  const server = await startServer(task, task.required.map((s) => s.name));
  const { env, cwd, port } = server;
  try {
    if (port === null) {
      report(false, name, notListening(server));
      return;
    }
    report(true, name);
    const health = await request(port, { target: '/health', host: `10.0.1.23:${task.env.MCP_PORT}` });
    report(health.status === 200, 'GET /health with the ALB\'s Host (the task IP) answers 200', `got ${health.status}`);
    const probe = task.container.healthCheck?.command;
    if (probe) {
      // The image's path of the binary is the binary under test here.
      const args = probe.slice(2);
      const supported = await run(['health', '--port=1'], { PATH: env.PATH }, cwd);
      if (!supported.stderr.startsWith('justifi-mcp health:'))
        console.log(`SKIP the container health check command: this build of the binary has no \`health\` subcommand`);
      else {
        const result = await run(args, { ...env, MCP_PORT: port }, cwd);
        report(result.code === 0, `the container health check (${args.join(' ')}) passes against the running server`, `exit ${result.code}: ${result.stderr}`);
      }
    }
    const metadata = await request(port, { target: '/.well-known/oauth-protected-resource', host: task.domain });
    let resource;
    try { resource = JSON.parse(metadata.body).resource; } catch { resource = metadata.body; }
    report(metadata.status === 200 && resource === task.env.MCP_PUBLIC_URL, 'the protected resource metadata names MCP_PUBLIC_URL', `got ${metadata.status} ${resource}`);
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'check', version: '0' } } });
    const anonymous = await request(port, { method: 'POST', target: '/mcp', host: task.domain, body: init });
    const challenge = String(anonymous.headers['www-authenticate'] ?? '');
    report(anonymous.status === 401 && challenge.includes(`resource_metadata="${task.env.MCP_PUBLIC_URL}/.well-known/oauth-protected-resource"`),
      'POST /mcp without credentials gets the OAuth challenge for the public URL', `got ${anonymous.status} ${challenge}`);
    const rebinding = await request(port, { method: 'POST', target: '/mcp', host: 'attacker.example', body: init });
    report(rebinding.status === 403, 'POST /mcp with another Host name is refused (403)', `got ${rebinding.status}`);
    if (task.env.MCP_METRICS_PORT) await metricsSmokeTest(task, port, Number(env.MCP_METRICS_PORT));
    const drained = await drainsOnSigterm(server, task);
    report(drained === true, 'SIGTERM drains and exits 0 within MCP_DRAIN_TIMEOUT', drained);
  } catch (error) {
    report(false, name, `${error.message}\n${server.log}`);
  } finally {
    await stopServer(server);
  }
}

// The binary in exchange mode, with placeholders for the exchange client: it starts, answers
// the ALB's health check, challenges a request without a token, and drains. (Whether a real
// exchange works needs the Auth0 tenant; the server's own tests cover it.)
async function exchangeSmokeTest(task) {
  const name = 'the binary starts with the exchange-mode task environment';
  const server = await startServer(task, [...task.required, ...task.exchange].map((s) => s.name));
  try {
    if (server.port === null) {
      report(false, name, notListening(server));
      return;
    }
    report(true, name);
    const health = await request(server.port, { target: '/health', host: `10.0.1.23:${task.env.MCP_PORT}` });
    report(health.status === 200, '[exchange mode] GET /health with the ALB\'s Host answers 200', `got ${health.status}`);
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'check', version: '0' } } });
    const anonymous = await request(server.port, { method: 'POST', target: '/mcp', host: task.domain, body: init });
    report(anonymous.status === 401, '[exchange mode] POST /mcp without credentials gets 401', `got ${anonymous.status}`);
    const drained = await drainsOnSigterm(server, task);
    report(drained === true, '[exchange mode] SIGTERM drains and exits 0 within MCP_DRAIN_TIMEOUT', drained);
  } catch (error) {
    report(false, name, `${error.message}\n${server.log}`);
  } finally {
    await stopServer(server);
  }
}

// ---------------------------------------------------------------------------------------

const tfFiles = filesUnder(terraformDir, '.tf');
const tfvarsFiles = filesUnder(terraformDir, '.tfvars');
report(tfFiles.length > 0, `found .tf files under ${terraformDir} (${tfFiles.length})`);
const parsed = new Map();
for (const file of [...tfFiles, ...tfvarsFiles]) {
  const doc = await parseFile(file);
  if (doc) {
    parsed.set(file, doc);
    report(true, `parses ${path.relative(terraformDir, file)}`);
  }
}
const root = mergeModule(tfFiles.filter((f) => path.dirname(f) === path.resolve(terraformDir) && parsed.has(f)).map((f) => parsed.get(f)));

check('variables: each has a description; all but the network IDs have defaults', () => {
  const problems = [];
  for (const [name, variable] of Object.entries(root.variable)) {
    if (!variable.description) problems.push(`${name} lacks a description`);
    if (!('default' in variable) && !['vpc_id', 'public_subnet_ids', 'private_subnet_ids'].includes(name)) problems.push(`${name} lacks a default`);
  }
  return problems.length === 0 ? true : problems.join('; ');
});
check('outputs: the URL, the ECR repository, the cluster and service', () => {
  const missing = ['url', 'ecr_repository_url', 'cluster_name', 'service_name'].filter((n) => !(n in root.output));
  return missing.length === 0 ? true : `missing ${missing.join(', ')}`;
});

exchangeVariableChecks(root, parsed);

let production = null;
let productionExchange = null;
const names = {};
for (const envName of ['production', 'staging']) {
  const file = path.join(terraformDir, 'environments', `${envName}.tfvars`);
  const tfvars = parsed.get(file);
  if (!tfvars) {
    report(false, `environments/${envName}.tfvars exists and parses`);
    continue;
  }
  const ev = new Evaluator(root, tfvars);
  check(`[${envName}] the tfvars name the environment`, () => expectEq(ev.variable('environment'), envName));
  const unknownVars = Object.keys(tfvars).filter((k) => !(k in root.variable));
  check(`[${envName}] the tfvars set only declared variables`, () => (unknownVars.length === 0 ? true : unknownVars.join(', ')));
  check(`[${envName}] the tfvars pass the variable validations and preconditions`, () => {
    const failed = failedConditions(root, tfvars);
    return failed.length === 0 ? true : listConditions(failed);
  });
  let examples = null;
  try {
    examples = await tfvarsExamples(file);
  } catch (error) {
    report(false, `[${envName}] the tfvars' commented-out settings parse once uncommented`, error.message);
  }
  if (examples)
    check(`[${envName}] the tfvars' commented-out settings (${Object.keys(examples).join(', ')}) parse, name declared variables and pass the validations and preconditions`, () => {
      const unknown = Object.keys(examples).filter((k) => !(k in root.variable));
      if (unknown.length) return `undeclared: ${unknown.join(', ')}`;
      const twice = Object.keys(examples).filter((k) => k in tfvars);
      if (twice.length) return `also set: ${twice.join(', ')}`;
      const failed = failedConditions(root, { ...tfvars, ...examples });
      return failed.length === 0 ? true : listConditions(failed);
    });
  let result = null;
  try {
    result = structureChecks(envName, root, ev);
  } catch (error) {
    report(false, `[${envName}] the deployment's resources`, error.message);
  }
  sidecarOffChecks(envName, root, tfvars);
  const exchange = exchangeChecks(envName, root, tfvars);
  if (envName === 'production') productionExchange = exchange;
  names[envName] = { name: ev.variable('name'), domain: ev.variable('domain_name') };
  if (envName === 'production' && result) production = { ...result, initialSecret: ev.resolve(root.locals.initial_secret_values ?? {}) };
}
check('staging and production do not share names or the domain', () =>
  names.staging && names.production && names.staging.name !== names.production.name && names.staging.domain !== names.production.domain
    ? true : show(names));

if (production) {
  const hasExchange = coverageChecks(production, productionExchange);
  await smokeTest(production);
  if (productionExchange && hasExchange) await exchangeSmokeTest(productionExchange);
  else if (productionExchange) console.log('SKIP the binary in exchange mode: this build of the binary has no exchange mode');
}

console.log(failures === 0 ? 'terraform check: all passed' : `terraform check: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
