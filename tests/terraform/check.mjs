// Checks terraform/ without Terraform or a cloud:
//   1. every .tf and .tfvars file parses (HCL → JSON with @cdktf/hcl2json, the HCL parser
//      Terraform uses, compiled to WebAssembly);
//   2. the resources the deployment needs exist with the required settings, for production
//      (the variable defaults plus environments/production.tfvars) and staging;
//   3. every environment variable the binary reads (its --help) is set by the task
//      definition or listed in SAFE_DEFAULTS below with the reason its default is right;
//   4. the binary starts with the task definition's environment and answers as the ALB and
//      clients expect (health, public URL, Host allow-list).
// Prints one PASS/FAIL line per check; exits 1 when anything failed.
//
//   node check.mjs TERRAFORM_DIR JUSTIFI_MCP_BINARY HCL2JSON_PACKAGE_DIR

import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import http from 'node:http';
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
  MCP_HEADER_TIMEOUT: 'default 10s: a request\'s headers and body come from the ALB, which buffers them',
  MCP_WRITE_TIMEOUT: 'default 30s per write: the ALB reads promptly; a stuck client is the ALB\'s connection, not ours',
  MCP_MAX_CONNECTIONS: 'default 10000: far above what 0.5 vCPU serves; the ALB spreads load and auto scaling adds tasks',
  MCP_MAX_BODY_BYTES: 'default 1 MiB: JSON-RPC requests of the tool catalog are a few KiB',
  MCP_MAX_TOOL_CALLS: 'default 256 in flight per task: beyond it a quick 503 with Retry-After beats a queue of JustiFi calls',
  MCP_RATE_LIMIT: 'default 20 requests/s per caller (token subject or client id): far above what one person\'s assistant sends',
  MCP_METRICS: 'default true: the metrics are served, on MCP_METRICS_PORT (set below) so the ALB never exposes them',
  MCP_METRICS_PATH: 'default /metrics: the conventional path for a Prometheus scraper',
  MCP_RATE_LIMIT_BURST: 'default 100: a client listing tools and calling several at once is never limited',
  MCP_THREADS: 'default one per core: the task\'s vCPUs',
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
// resolves the ones made of var.*, local.*, literals, tostring() and + / -; anything else
// (resource attributes, functions) stays as its "${...}" text, which checks compare.

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

class Evaluator {
  constructor(module, tfvars) {
    this.module = module;
    this.tfvars = tfvars;
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
    if (/^-?\d+(\.\d+)?$/.test(expr)) return Number(expr);
    if (expr === 'true' || expr === 'false') return expr === 'true';
    if ((m = /^"([^"\\$]*)"$/.exec(expr))) return m[1];
    if ((m = /^var\.(\w+)$/.exec(expr))) return this.variable(m[1]);
    if ((m = /^local\.(\w+)$/.exec(expr))) return this.local(m[1]);
    if ((m = /^tostring\((.*)\)$/.exec(expr))) {
      const inner = this.expression(m[1]);
      return ['string', 'number', 'boolean'].includes(typeof inner) ? String(inner) : new Unknown(expr);
    }
    const split = splitTopLevel(expr, '+-');
    if (split) {
      const [left, op, right] = [this.expression(split[0]), split[1], this.expression(split[2])];
      if (typeof left === 'number' && typeof right === 'number') return op === '+' ? left + right : left - right;
    }
    return new Unknown(expr);
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

function environmentOf(module, ev) {
  const [, taskDef] = only(module, 'aws_ecs_task_definition', 'task definition');
  const m = /^\$\{jsonencode\(\[local\.(\w+)\]\)\}$/.exec(taskDef.container_definitions ?? '');
  if (!m) throw new Error('container_definitions must be jsonencode([local.<container>]) so it can be checked');
  const container = ev.local(m[1]);
  const containerRaw = module.locals[m[1]];
  const env = {};
  for (const item of container.environment ?? []) env[item.name] = item.value;
  const required = ev.local('task_secrets_required');
  const optional = ev.local('task_secrets_optional');
  return { taskDef, container, containerRaw, env, required, optional };
}

function structureChecks(envName, module, ev) {
  const want = EXPECTED[envName];
  const t = (name, fn) => check(`[${envName}] ${name}`, fn);
  const v = (raw) => ev.resolve(raw);
  const res = module.resource;

  let task;
  try {
    task = environmentOf(module, ev);
  } catch (error) {
    report(false, `[${envName}] task definition readable`, error.message);
    return;
  }
  const { taskDef, container, containerRaw, env, required, optional } = task;
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
  t('log group: retention 30 days', () => {
    const [, group] = only(module, 'aws_cloudwatch_log_group', 'log group');
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
    const bad = [...required, ...optional].filter((s) => s.valueFrom !== `\${aws_secretsmanager_secret.${secretName}.arn}:${s.name}::`);
    return bad.length === 0 ? true : `wrong valueFrom for ${bad.map((s) => s.name).join(', ')}`;
  });
  t('secrets: the required keys are injected', () => {
    const names = required.map((s) => s.name);
    const missing = ['JUSTIFI_AUTH0_DOMAIN', 'JUSTIFI_AUTH0_AUDIENCE', 'JUSTIFI_OAUTH_SCOPES', 'MCP_SESSION_SECRET'].filter((n) => !names.includes(n));
    return missing.length === 0 ? true : `missing ${missing.join(', ')}`;
  });
  t('secrets: the container takes the required ones and the optional ones only on request', () =>
    /^\$\{concat\(local\.task_secrets_required, var\.inject_client_credentials \? local\.task_secrets_optional : \[\]\)\}$/.test(containerRaw.secrets ?? '')
      ? true : `secrets = ${containerRaw.secrets}`);
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
  t('IAM: the task role has no permissions', () => {
    const roleName = /^\$\{aws_iam_role\.(\w+)\.arn\}$/.exec(taskDef.task_role_arn)?.[1];
    const refs = JSON.stringify([res.aws_iam_role_policy, res.aws_iam_role_policy_attachment, res.aws_iam_policy_attachment]);
    return refs.includes(`aws_iam_role.${roleName}.`) ? `aws_iam_role.${roleName} has policies` : true;
  });
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
  t('env: MCP_IDLE_TIMEOUT above the ALB idle timeout', () => {
    const idle = seconds(env.MCP_IDLE_TIMEOUT);
    return idle > v(lb.idle_timeout) ? true : `MCP_IDLE_TIMEOUT ${show(env.MCP_IDLE_TIMEOUT)}, ALB ${show(v(lb.idle_timeout))}`;
  });
  t('env: every value is a string', () => {
    const bad = Object.entries(env).filter(([, value]) => typeof value !== 'string');
    return bad.length === 0 ? true : bad.map(([k, value]) => `${k}=${show(value)}`).join(', ');
  });

  return { env, required, optional, container, domain };
}

// ---------------------------------------------------------------------------------------
// Environment coverage against the binary's --help

function coverageChecks(task) {
  const help = execFileSync(binary, ['--help'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const read = [...new Set([...help.matchAll(/\benv ([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]))];
  report(read.length >= 20, `the binary's --help names its environment variables (${read.length})`, 'too few found: has the --help format changed?');
  const set = new Set([...Object.keys(task.env), ...task.required.map((s) => s.name)]);
  for (const name of read) {
    if (set.has(name) && name in SAFE_DEFAULTS) report(false, `${name} classified once`, 'set by the task definition and listed in SAFE_DEFAULTS');
    else if (set.has(name)) report(true, `${name} is set by the task definition`);
    else if (name in SAFE_DEFAULTS && !REQUIRED_BEHIND_ALB.includes(name)) report(true, `${name} keeps its default: ${SAFE_DEFAULTS[name]}`);
    else report(false, `${name} is set by the task definition or has a safe default`, 'unclassified: set it in terraform/ecs.tf or add it to SAFE_DEFAULTS in tests/terraform/check.mjs with the reason');
  }
  for (const name of REQUIRED_BEHIND_ALB) if (!set.has(name)) report(false, `${name} is set by the task definition`, 'its default is wrong behind the ALB');
  for (const name of Object.keys(SAFE_DEFAULTS))
    if (!read.includes(name)) report(false, `SAFE_DEFAULTS entry ${name} is a variable the binary reads`, 'stale entry');
  for (const name of [...set, ...task.optional.map((s) => s.name)])
    if (!read.includes(name)) report(false, `${name} (task definition) is a variable the binary reads`, 'unknown to the binary');
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

async function smokeTest(task) {
  const name = 'the binary starts with the task environment';
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  for (const [key, value] of Object.entries(task.env)) env[key] = value;
  const initial = task.initialSecret;
  for (const { name: key } of task.required) env[key] = typeof initial[key] === 'string' ? initial[key] : 'x'.repeat(64);
  // Loopback and a free port here; the task binds 0.0.0.0:8080.
  env.MCP_HOST = '127.0.0.1';
  env.MCP_PORT = '0';
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-check-')); // no .env here
  const child = spawn(binary, [], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', (error) => resolve({ error: error.message }));
  });
  let exit = null;
  exited.then((result) => { exit = result; });
  child.stderr.on('data', (chunk) => { log += chunk; });
  try {
    let port = null;
    for (let i = 0; i < 200 && port === null && exit === null; i += 1) {
      port = /"message":"listening".*?"port":(\d+)/.exec(log)?.[1] ?? null;
      if (port === null) await new Promise((r) => setTimeout(r, 50));
    }
    if (port === null) {
      report(false, name, `no "listening" line${exit ? `, exited ${JSON.stringify(exit)}` : ''}:\n${log}`);
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
    child.kill('SIGTERM');
    const drainLimit = (seconds(task.env.MCP_DRAIN_TIMEOUT) + 5) * 1000;
    const result = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), drainLimit))]);
    report(result !== null && result.code === 0, 'SIGTERM drains and exits 0 within MCP_DRAIN_TIMEOUT', `got ${JSON.stringify(result)}`);
  } catch (error) {
    report(false, name, `${error.message}\n${log}`);
  } finally {
    if (exit === null) child.kill('SIGKILL');
    await exited;
    fs.rmSync(cwd, { recursive: true, force: true });
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

let production = null;
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
  let result = null;
  try {
    result = structureChecks(envName, root, ev);
  } catch (error) {
    report(false, `[${envName}] the deployment's resources`, error.message);
  }
  names[envName] = { name: ev.variable('name'), domain: ev.variable('domain_name') };
  if (envName === 'production' && result) production = { ...result, initialSecret: ev.resolve(root.locals.initial_secret_values ?? {}) };
}
check('staging and production do not share names or the domain', () =>
  names.staging && names.production && names.staging.name !== names.production.name && names.staging.domain !== names.production.domain
    ? true : show(names));

if (production) {
  coverageChecks(production);
  await smokeTest(production);
}

console.log(failures === 0 ? 'terraform check: all passed' : `terraform check: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
