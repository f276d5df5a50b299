# Every default is the production value; environments/staging.tfvars overrides what differs.

# --- Environment -------------------------------------------------------------------------

variable "environment" {
  description = "Which environment this is: staging or production. Must match the selected workspace."
  type        = string
  default     = "production"

  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}

variable "name" {
  description = "Base name of every resource (ECS cluster and service, ALB, ECR repository, log group /ecs/<name>, secret <name>/environment). At most 32 characters (ALB and target group names)."
  type        = string
  default     = "justifi-mcp"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,31}$", var.name))
    error_message = "name must be 1-32 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "aws_region" {
  description = "AWS region of every resource."
  type        = string
  default     = "us-east-1"
}

variable "tags" {
  description = "Extra tags on every resource (Service, Environment and ManagedBy are always set)."
  type        = map(string)
  default     = {}
}

# --- Network (passed in: this configuration does not create the VPC) ----------------------

variable "vpc_id" {
  description = "VPC the load balancer and the tasks live in."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets (route to an internet gateway) for the load balancer, in at least two availability zones."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "An Application Load Balancer needs subnets in at least two availability zones."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets for the tasks (no public IP). They need a route to a NAT gateway: the tasks call api.justifi.ai and the Auth0 tenant over HTTPS and pull from ECR."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "Give the tasks subnets in at least two availability zones."
  }
}

# --- DNS and TLS -------------------------------------------------------------------------

variable "domain_name" {
  description = "Public name of the server; the ALB alias record, the ACM certificate and MCP_PUBLIC_URL (https://<domain_name>) use it."
  type        = string
  default     = "mcp.justifi.ai"
}

variable "hosted_zone_name" {
  description = "Public Route 53 hosted zone that domain_name is created in."
  type        = string
  default     = "justifi.ai"
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener (TLS 1.3 and 1.2 with forward-secret AEAD ciphers only)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

# --- Load balancer -----------------------------------------------------------------------

variable "alb_idle_timeout_seconds" {
  description = "ALB idle timeout. Server-to-client SSE streams stay open for a long time, so this is an hour."
  type        = number
  default     = 3600

  validation {
    condition     = var.alb_idle_timeout_seconds >= 1 && var.alb_idle_timeout_seconds <= 4000
    error_message = "The ALB idle timeout is 1-4000 seconds."
  }
}

variable "stickiness_duration_seconds" {
  description = "lb_cookie stickiness duration. Sessions are signed tokens any task accepts; stickiness only keeps a client's per-session preferences (logging level) on one task."
  type        = number
  default     = 86400
}

variable "deregistration_delay_seconds" {
  description = "How long the ALB lets in-flight requests to a deregistered task finish before closing them; ECS sends SIGTERM only after it. At least the drain timeout."
  type        = number
  default     = 30
}

variable "deletion_protection" {
  description = "Protect the load balancer from deletion."
  type        = bool
  default     = true
}

# --- Container and service ---------------------------------------------------------------

variable "image_tag" {
  description = "Tag of the image in the ECR repository the task definition names. deploy.sh pushes each build as its commit tag and as latest, then forces a new deployment, so the default follows it; a commit tag pins a version."
  type        = string
  default     = "latest"
}

variable "image_tag_mutability" {
  description = "ECR tag mutability. MUTABLE because deploy.sh moves latest on every deploy; IMMUTABLE only if every deploy passes a new image_tag instead."
  type        = string
  default     = "MUTABLE"

  validation {
    condition     = contains(["MUTABLE", "IMMUTABLE"], var.image_tag_mutability)
    error_message = "image_tag_mutability must be MUTABLE or IMMUTABLE."
  }
}

variable "cpu_architecture" {
  description = "CPU architecture of the image: X86_64 or ARM64."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "task_cpu" {
  description = "Fargate task CPU units."
  type        = number
  default     = 512
}

variable "task_memory" {
  description = "Fargate task memory (MiB)."
  type        = number
  default     = 1024
}

variable "container_port" {
  description = "Port the server listens on in the task (MCP_PORT) and the target group forwards to."
  type        = number
  default     = 8080
}

variable "metrics_port" {
  description = "Port of the Prometheus metrics in the task (MCP_METRICS_PORT): not the container port, so the ALB never exposes them; the metrics sidecar (metrics.tf) scrapes http://127.0.0.1:<port><metrics_path>."
  type        = number
  default     = 9090

  validation {
    condition     = var.metrics_port >= 1 && var.metrics_port <= 65535
    error_message = "metrics_port must be a TCP port."
  }
}

variable "metrics_path" {
  description = "Path of the Prometheus metrics (MCP_METRICS_PATH); the sidecar scrapes the same path."
  type        = string
  default     = "/metrics"

  validation {
    condition     = can(regex("^/[A-Za-z0-9/_.-]*$", var.metrics_path))
    error_message = "metrics_path must be an absolute path of letters, digits and / _ . -"
  }
}

variable "desired_count" {
  description = "Tasks the service starts with; auto scaling moves it between min_count and max_count afterwards."
  type        = number
  default     = 3
}

variable "min_count" {
  description = "Fewest tasks auto scaling keeps."
  type        = number
  default     = 3
}

variable "max_count" {
  description = "Most tasks auto scaling starts."
  type        = number
  default     = 10
}

variable "cpu_target_percent" {
  description = "Average service CPU utilisation the target-tracking policy keeps."
  type        = number
  default     = 60
}

variable "drain_timeout_seconds" {
  description = "MCP_DRAIN_TIMEOUT: after SIGTERM, how long in-flight tool calls may take to finish."
  type        = number
  default     = 20
}

variable "stop_timeout_seconds" {
  description = "ECS stopTimeout: time between SIGTERM and SIGKILL. Must exceed drain_timeout_seconds (Fargate allows at most 120)."
  type        = number
  default     = 30

  validation {
    condition     = var.stop_timeout_seconds >= 2 && var.stop_timeout_seconds <= 120
    error_message = "Fargate's stopTimeout is 2-120 seconds."
  }
}

variable "target_keepalive_margin_seconds" {
  description = "How much longer than the ALB idle timeout the server keeps an idle keep-alive connection (MCP_IDLE_TIMEOUT), so the server never closes a connection the ALB is about to reuse (a 502)."
  type        = number
  default     = 60
}

# --- Server settings (plain environment) -------------------------------------------------

variable "log_level" {
  description = "LOG_LEVEL of the server: debug, info, warning, error or off."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warning", "error", "off"], var.log_level)
    error_message = "log_level must be debug, info, warning, error or off."
  }
}

variable "justifi_base_url" {
  description = "JUSTIFI_BASE_URL: the JustiFi API root (https only)."
  type        = string
  default     = "https://api.justifi.ai"

  validation {
    condition     = startswith(var.justifi_base_url, "https://")
    error_message = "justifi_base_url must be an https:// URL."
  }
}

variable "confirm_writes" {
  description = "JUSTIFI_CONFIRM_WRITES: \"auto\" asks a person before money moves whenever the client can (elicitation), \"required\" refuses to move money for clients that cannot ask, \"off\" never asks."
  type        = string
  default     = "auto"

  validation {
    condition     = contains(["auto", "required", "off"], var.confirm_writes)
    error_message = "confirm_writes must be \"auto\", \"required\" or \"off\"."
  }
}

variable "read_only" {
  description = "JUSTIFI_READ_ONLY: \"true\" hides and refuses every tool that changes anything."
  type        = string
  default     = "false"

  validation {
    condition     = contains(["true", "false"], var.read_only)
    error_message = "read_only must be \"true\" or \"false\"."
  }
}

variable "allow_client_credential_headers" {
  description = "MCP_ALLOW_CLIENT_CREDENTIAL_HEADERS: \"false\" (the default, production) accepts OAuth bearer tokens only; \"true\" also lets developers send JustiFi client credentials as X-Client-Id/X-Client-Secret headers (staging turns it on). Off in production because anyone can send such headers: each new pair makes the server ask JustiFi for a token, which is budgeted but is still an anonymous caller's lever (docs/security.md)."
  type        = string
  default     = "false"

  validation {
    condition     = contains(["true", "false"], var.allow_client_credential_headers)
    error_message = "allow_client_credential_headers must be \"true\" or \"false\"."
  }
}

variable "upstream_auth" {
  description = "JUSTIFI_UPSTREAM_AUTH: \"passthrough\" forwards the user's Auth0 token to JustiFi; \"exchange\" (RFC 8693) accepts only tokens issued for the server's own resource URL, https://<domain_name>/mcp, and exchanges each at the Auth0 token endpoint for a JustiFi API token as a confidential client. Exchange mode injects JUSTIFI_EXCHANGE_CLIENT_ID and JUSTIFI_EXCHANGE_CLIENT_SECRET from the secret: put both keys there before applying, or tasks fail to start (README.md, \"Exchange mode\")."
  type        = string
  default     = "passthrough"

  validation {
    condition     = contains(["passthrough", "exchange"], var.upstream_auth)
    error_message = "upstream_auth must be \"passthrough\" or \"exchange\"."
  }
}

variable "require_dpop" {
  description = "JUSTIFI_REQUIRE_DPOP: true refuses tokens that are not DPoP-bound (RFC 9449). Only with upstream_auth = \"exchange\" (a precondition refuses it otherwise)."
  type        = bool
  default     = false
}

# --- Secret values (first version only; see secrets.tf) ----------------------------------

variable "auth0_domain" {
  description = "JUSTIFI_AUTH0_DOMAIN written into the secret's first version."
  type        = string
  default     = "justifi.us.auth0.com"
}

variable "auth0_audience" {
  description = "JUSTIFI_AUTH0_AUDIENCE written into the secret's first version."
  type        = string
  default     = "https://api.justifi.ai"
}

variable "oauth_scopes" {
  description = "JUSTIFI_OAUTH_SCOPES (comma-separated) written into the secret's first version."
  type        = string
  default     = "payments:read,payments:write,payouts:read,payouts:write,checkouts:read,checkouts:write,refunds:read,refunds:write,disputes:read,balances:read,payment_methods:read,sub_accounts:read,terminals:read,proceeds:read"
}

variable "inject_client_credentials" {
  description = "Also inject JUSTIFI_CLIENT_ID and JUSTIFI_CLIENT_SECRET from the secret. The keys must then exist in it, or tasks fail to start. The server uses them only with MCP_AUTH=none (loopback), so production leaves this off."
  type        = bool
  default     = false
}

variable "secret_recovery_window_days" {
  description = "Days a deleted secret can still be restored (0 deletes at once)."
  type        = number
  default     = 30
}

# --- Metrics sidecar (metrics.tf) --------------------------------------------------------

variable "enable_metrics_sidecar" {
  description = "Run an AWS Distro for OpenTelemetry collector next to the server that scrapes its Prometheus metrics every 30 s and writes them to CloudWatch (EMF). false removes the container, its log group, the task role's permissions and the metrics alarm; the server still serves /metrics on metrics_port."
  type        = bool
  default     = true
}

variable "metrics_collector_image" {
  description = "Image of the metrics sidecar, pinned to a release. Pulled when a task starts: if it cannot be pulled the task does not start, so copy it into a private ECR repository (or use an ECR pull-through cache) to remove the dependency on public.ecr.aws."
  type        = string
  default     = "public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0"

  validation {
    condition     = can(regex(":[A-Za-z0-9._-]+$|@sha256:[0-9a-f]{64}$", var.metrics_collector_image)) && !endswith(var.metrics_collector_image, ":latest")
    error_message = "Pin metrics_collector_image to a release tag or a digest, not latest."
  }
}

variable "metrics_collector_cpu" {
  description = "CPU units reserved for the metrics sidecar out of task_cpu; the server container gets the rest. Container CPU on Fargate is a share, not a cap: either container may use CPU the other leaves idle."
  type        = number
  default     = 64
}

variable "metrics_collector_memory" {
  description = "Hard memory limit (MiB) of the metrics sidecar out of task_memory: a collector that grows past it is killed (and restarted) instead of taking memory from the server, which reserves the rest."
  type        = number
  default     = 128
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the scraped metrics (dimensions environment and service tell staging from production)."
  type        = string
  default     = "JustiFi/MCP"

  validation {
    condition     = length(var.metrics_namespace) > 0 && !startswith(var.metrics_namespace, "AWS/")
    error_message = "metrics_namespace must be non-empty and not in the reserved AWS/ namespaces."
  }
}

variable "metrics_scrape_interval_seconds" {
  description = "How often the sidecar scrapes the server; each scrape becomes one EMF log event per label set."
  type        = number
  default     = 30

  validation {
    condition     = var.metrics_scrape_interval_seconds >= 10 && var.metrics_scrape_interval_seconds <= 300
    error_message = "metrics_scrape_interval_seconds must be 10-300."
  }
}

variable "upstream_error_alarm_percent" {
  description = "Share of JustiFi API calls (in 5 minutes, at least 10 calls) answered with 500/502/503/504 or not at all that raises the upstream-errors alarm; needs the metrics sidecar."
  type        = number
  default     = 5
}

# --- Logs and alarms ---------------------------------------------------------------------

variable "log_retention_days" {
  description = "Retention of the /ecs/<name> log group and of the metrics sidecar's /ecs/<name>/metrics."
  type        = number
  default     = 30
}

variable "alarm_actions" {
  description = "ARNs (e.g. SNS topics) notified when an alarm fires or recovers."
  type        = list(string)
  default     = []
}

variable "cpu_alarm_percent" {
  description = "Average service CPU utilisation that raises the high-CPU alarm (above the scaling target: scaling has not kept up)."
  type        = number
  default     = 85
}

variable "memory_alarm_percent" {
  description = "Average service memory utilisation that raises the high-memory alarm."
  type        = number
  default     = 85
}
