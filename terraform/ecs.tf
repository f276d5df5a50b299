# ECS cluster, the task definition (the justifi-mcp binary, and the metrics sidecar of
# metrics.tf unless enable_metrics_sidecar = false), the Fargate service behind the target
# group, its log group and CPU target-tracking auto scaling.

locals {
  public_url = "https://${var.domain_name}"

  # upstream_auth = "exchange" (RFC 8693): the server accepts only tokens issued for its own
  # resource URL and exchanges each at the Auth0 token endpoint for a JustiFi API token, as the
  # confidential client whose id and secret it reads from the secret (README.md, "Exchange mode").
  upstream_exchange = var.upstream_auth == "exchange"
  mcp_resource_url  = "${local.public_url}/mcp"

  # The server closes idle keep-alive connections later than the ALB does, so it never
  # closes one the ALB is about to reuse.
  server_idle_timeout_seconds = var.alb_idle_timeout_seconds + var.target_keepalive_margin_seconds

  # Plain settings. Every variable the binary reads is either here, in the secret below, or
  # left at a default that is right for production (tests/terraform/check.mjs keeps the list).
  task_environment = [
    { name = "MCP_TRANSPORT", value = "http" },
    { name = "MCP_HOST", value = "0.0.0.0" },
    { name = "MCP_PORT", value = tostring(var.container_port) },
    { name = "MCP_PUBLIC_URL", value = local.public_url },
    # Only the public name reaches the MCP endpoint (DNS-rebinding defence); /health and the
    # OAuth metadata documents are not subject to it, so ALB health checks by IP still pass.
    { name = "MCP_ALLOWED_HOSTS", value = var.domain_name },
    # The ALB passes a client's X-Forwarded-Host through unchanged, so it is not trusted;
    # MCP_PUBLIC_URL already fixes the public URL.
    { name = "MCP_TRUST_PROXY", value = "false" },
    { name = "MCP_AUTH", value = "oauth" },
    { name = "JUSTIFI_OAUTH_VALIDATION", value = "jwks" },
    { name = "MCP_ALLOW_CLIENT_CREDENTIAL_HEADERS", value = var.allow_client_credential_headers },
    { name = "MCP_DRAIN_TIMEOUT", value = "${var.drain_timeout_seconds}s" },
    { name = "MCP_IDLE_TIMEOUT", value = "${local.server_idle_timeout_seconds}s" },
    { name = "LOG_LEVEL", value = var.log_level },
    # A task sees its host's vCPUs but may run on only its CPU units (512: half of one): I/O
    # threads beyond that take turns, and each turn costs a wake-up and a lock handed over.
    { name = "MCP_THREADS", value = tostring(max(1, ceil((var.task_cpu - local.metrics_collector_cpu) / 1024))) },
    # Metrics on a port of their own: the ALB forwards only the container port, and the
    # task's security group admits nothing else from outside, so /metrics stays private.
    # The sidecar (metrics.tf) scrapes this port and path over the task's loopback.
    { name = "MCP_METRICS_PORT", value = tostring(var.metrics_port) },
    { name = "MCP_METRICS_PATH", value = var.metrics_path },
    { name = "JUSTIFI_BASE_URL", value = var.justifi_base_url },
    { name = "JUSTIFI_READ_ONLY", value = var.read_only },
    # A person confirms each money movement where the client can ask (docs/architecture.md).
    { name = "JUSTIFI_CONFIRM_WRITES", value = var.confirm_writes },
  ]
  # Only in exchange mode: passthrough task definitions stay as they were (the binary's defaults
  # are passthrough and no DPoP requirement).
  task_environment_exchange = [
    { name = "JUSTIFI_UPSTREAM_AUTH", value = var.upstream_auth },
    { name = "JUSTIFI_REQUIRE_DPOP", value = tostring(var.require_dpop) },
  ]

  # Keys of the JSON secret <name>/environment, injected as environment variables.
  task_secrets_required = [
    { name = "JUSTIFI_AUTH0_DOMAIN", valueFrom = "${aws_secretsmanager_secret.environment.arn}:JUSTIFI_AUTH0_DOMAIN::" },
    { name = "JUSTIFI_AUTH0_AUDIENCE", valueFrom = "${aws_secretsmanager_secret.environment.arn}:JUSTIFI_AUTH0_AUDIENCE::" },
    { name = "JUSTIFI_OAUTH_SCOPES", valueFrom = "${aws_secretsmanager_secret.environment.arn}:JUSTIFI_OAUTH_SCOPES::" },
    { name = "MCP_SESSION_SECRET", valueFrom = "${aws_secretsmanager_secret.environment.arn}:MCP_SESSION_SECRET::" },
  ]
  task_secrets_optional = [
    { name = "JUSTIFI_CLIENT_ID", valueFrom = "${aws_secretsmanager_secret.environment.arn}:JUSTIFI_CLIENT_ID::" },
    { name = "JUSTIFI_CLIENT_SECRET", valueFrom = "${aws_secretsmanager_secret.environment.arn}:JUSTIFI_CLIENT_SECRET::" },
  ]
  # The exchange client, only in exchange mode, so a passthrough deployment's secret needs no
  # such keys. The client secret reaches the task from Secrets Manager only: never a variable,
  # a plain environment value or the secret's first version (tests/terraform/check.mjs).
  task_secrets_exchange = [
    { name = "JUSTIFI_EXCHANGE_CLIENT_ID", valueFrom = "${aws_secretsmanager_secret.environment.arn}:JUSTIFI_EXCHANGE_CLIENT_ID::" },
    { name = "JUSTIFI_EXCHANGE_CLIENT_SECRET", valueFrom = "${aws_secretsmanager_secret.environment.arn}:JUSTIFI_EXCHANGE_CLIENT_SECRET::" },
  ]

  container_name = "justifi-mcp"

  container = {
    name                   = local.container_name
    image                  = "${aws_ecr_repository.app.repository_url}:${var.image_tag}"
    essential              = true
    readonlyRootFilesystem = true
    # The task's CPU and memory minus the metrics sidecar's (all of it without the sidecar).
    # cpu is a share, not a cap; memoryReservation is soft, so only the task limit stops it.
    cpu               = var.task_cpu - local.metrics_collector_cpu
    memoryReservation = var.task_memory - local.metrics_collector_memory
    # SIGTERM starts the drain (MCP_DRAIN_TIMEOUT); SIGKILL follows only after this.
    stopTimeout = var.stop_timeout_seconds
    # The image's HEALTHCHECK (ECS ignores Docker's): `justifi-mcp health` GETs /health on MCP_PORT.
    healthCheck = {
      command     = ["CMD", "/usr/local/bin/justifi-mcp", "health"]
      interval    = 10
      timeout     = 5
      retries     = 3
      startPeriod = 10
    }
    portMappings = [
      { containerPort = var.container_port, protocol = "tcp" },
    ]
    environment = concat(local.task_environment, local.upstream_exchange ? local.task_environment_exchange : [])
    secrets = concat(
      local.task_secrets_required,
      var.inject_client_credentials ? local.task_secrets_optional : [],
      local.upstream_exchange ? local.task_secrets_exchange : [],
    )
    ulimits = [
      # MCP_MAX_CONNECTIONS defaults to 10000 concurrent connections.
      { name = "nofile", softLimit = 65535, hardLimit = 65535 },
    ]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.app.name
        awslogs-region        = var.aws_region
        awslogs-stream-prefix = "ecs"
      }
    }
  }
}

resource "aws_ecs_cluster" "main" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_days
}

resource "aws_ecs_task_definition" "app" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  # The server, then the metrics sidecar when enabled (metrics.tf).
  container_definitions = jsonencode(local.container_definitions)

  lifecycle {
    precondition {
      condition     = local.metrics_collector_cpu < var.task_cpu && local.metrics_collector_memory < var.task_memory
      error_message = "The metrics sidecar's cpu and memory must leave room for the server in task_cpu and task_memory."
    }
    precondition {
      condition     = !var.require_dpop || local.upstream_exchange
      error_message = "require_dpop = true needs upstream_auth = \"exchange\": the server checks DPoP binding only in exchange mode."
    }
    precondition {
      condition     = !local.upstream_exchange || can(regex("^https://[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$", local.public_url))
      error_message = "upstream_auth = \"exchange\" needs a public URL: MCP_PUBLIC_URL is https://<domain_name>, so set domain_name to the server's public DNS name (lowercase). Users' tokens must then be issued for https://<domain_name>/mcp."
    }
  }
}

resource "aws_ecs_service" "app" {
  name             = var.name
  cluster          = aws_ecs_cluster.main.id
  task_definition  = aws_ecs_task_definition.app.arn
  launch_type      = "FARGATE"
  platform_version = "LATEST"
  desired_count    = var.desired_count

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 30
  enable_execute_command             = false
  propagate_tags                     = "SERVICE"

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.app.arn
    container_name   = local.container_name
    container_port   = var.container_port
  }

  # The target group must be attached to a listener before the service registers targets.
  depends_on = [aws_lb_listener.https, aws_iam_role_policy.execution]

  lifecycle {
    # Auto scaling owns the running count once the service exists.
    ignore_changes = [desired_count]

    precondition {
      condition     = terraform.workspace == var.environment
      error_message = "The selected workspace must be named after var.environment (terraform workspace select <environment>), with environments/<environment>.tfvars."
    }
    precondition {
      condition     = var.stop_timeout_seconds > var.drain_timeout_seconds
      error_message = "stop_timeout_seconds must exceed drain_timeout_seconds, or ECS kills tasks while they drain."
    }
    precondition {
      condition     = var.deregistration_delay_seconds >= var.drain_timeout_seconds
      error_message = "deregistration_delay_seconds must be at least drain_timeout_seconds."
    }
    precondition {
      condition     = var.min_count <= var.desired_count && var.desired_count <= var.max_count
      error_message = "desired_count must lie between min_count and max_count."
    }
  }
}

resource "aws_appautoscaling_target" "app" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.app.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_count
  max_capacity       = var.max_count
}

resource "aws_appautoscaling_policy" "cpu" {
  name               = "${var.name}-cpu-target-tracking"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.app.service_namespace
  resource_id        = aws_appautoscaling_target.app.resource_id
  scalable_dimension = aws_appautoscaling_target.app.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_out_cooldown = 60
    # Scaling in drains tasks (and closes their SSE streams): do it slowly.
    scale_in_cooldown = 300

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
