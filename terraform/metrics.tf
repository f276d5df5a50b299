# The metrics sidecar: an AWS Distro for OpenTelemetry (ADOT) collector in every task scrapes
# the server's Prometheus endpoint (MCP_METRICS_PORT, MCP_METRICS_PATH) over the task's
# loopback every 30 s and writes the samples to CloudWatch Logs in the embedded metric format
# (EMF), from which CloudWatch extracts the metrics declared below into var.metrics_namespace.
# enable_metrics_sidecar = false removes the container, its log group, the task role's
# permissions and the alarm; the server keeps serving /metrics for any other scraper.
#
# The sidecar is not essential: when it stops or fails the server keeps running (ECS restarts
# the collector in place). It takes metrics_collector_cpu / metrics_collector_memory out of the
# task's 512 CPU units / 1024 MiB: 64 / 128 MiB (a hard limit) by default, so the server gets
# 448 CPU units and reserves 896 MiB (soft: only the task's limit caps it).

locals {
  metrics_collector_name = "metrics-collector"

  # What the sidecar takes from the task; the server container gets the rest (ecs.tf).
  metrics_collector_cpu    = var.enable_metrics_sidecar ? var.metrics_collector_cpu : 0
  metrics_collector_memory = var.enable_metrics_sidecar ? var.metrics_collector_memory : 0

  # Every label the server's metrics carry is a small, fixed set (core/metrics.cpp), and the
  # scrape adds environment and service. Each (metric, dimension set, values) below is one
  # CloudWatch custom metric, about 50 per environment; anything else (e.g. calls per tool)
  # stays in the EMF log events, where Logs Insights reads every label.
  metrics_declarations = [
    # Counters (sent as the increase since the previous scrape: use Sum).
    {
      metric_name_selectors = ["^justifi_mcp_requests_total$"]
      dimensions            = [["environment", "service"], ["environment", "service", "method"], ["environment", "service", "status"]]
    },
    {
      metric_name_selectors = ["^justifi_mcp_tool_calls_total$"]
      dimensions            = [["environment", "service"], ["environment", "service", "outcome"]]
    },
    {
      metric_name_selectors = ["^justifi_mcp_upstream_requests_total$"]
      dimensions            = [["environment", "service"], ["environment", "service", "status"]]
    },
    {
      metric_name_selectors = ["^justifi_mcp_token_cache_total$"]
      dimensions            = [["environment", "service", "result"]]
    },
    {
      metric_name_selectors = ["^justifi_mcp_rate_limited_total$", "^justifi_mcp_overload_rejections_total$"]
      dimensions            = [["environment", "service"]]
    },
    # Histograms (as count and sum per scrape: Average and SampleCount; no percentiles).
    {
      metric_name_selectors = ["^justifi_mcp_request_duration_seconds$"]
      dimensions            = [["environment", "service"], ["environment", "service", "method"]]
    },
    {
      metric_name_selectors = ["^justifi_mcp_upstream_duration_seconds$"]
      dimensions            = [["environment", "service"]]
    },
    # Gauges (one sample per task and scrape: Maximum, Average, or Sum / tasks).
    {
      metric_name_selectors = ["^justifi_mcp_open_connections$", "^justifi_mcp_sessions$", "^justifi_mcp_tool_calls_in_flight$", "^justifi_mcp_request_body_bytes_in_flight$", "^justifi_mcp_jwks_loads$", "^justifi_mcp_token_cache_entries$"]
      dimensions            = [["environment", "service"]]
    },
  ]

  # The collector's configuration, passed as AOT_CONFIG_CONTENT (YAML). It must not contain
  # "${": the collector would expand it as a variable.
  metrics_collector_config = {
    extensions = {
      # Answers the container health check (/healthcheck in the image) on loopback only.
      health_check = { endpoint = "127.0.0.1:13133" }
    }
    receivers = {
      prometheus = {
        config = {
          global = {
            scrape_interval = "${var.metrics_scrape_interval_seconds}s"
            scrape_timeout  = "10s"
          }
          scrape_configs = [
            {
              job_name     = var.name
              metrics_path = var.metrics_path
              # The server binds MCP_HOST=0.0.0.0 (IPv4); the task's containers share its
              # network namespace, so the collector reaches it on 127.0.0.1.
              static_configs = [
                {
                  targets = ["127.0.0.1:${var.metrics_port}"]
                  # Target labels become labels of every sample, hence the dimensions.
                  labels = { environment = var.environment, service = var.name }
                },
              ]
            },
          ]
        }
      }
    }
    processors = {
      # Refuse data before the Go heap reaches the container's hard limit.
      memory_limiter = { check_interval = "1s", limit_percentage = 80, spike_limit_percentage = 25 }
      # Adds aws.ecs.task.id (from the task metadata endpoint) for the {TaskId} log stream.
      resourcedetection = { detectors = ["ecs"], timeout = "5s", override = false }
      # awsemf turns counters into increases itself but sends histogram count and sum as
      # running totals; this makes them per-scrape too. "keep": the collector starts with
      # the server, so the first scrape's totals are all new.
      cumulativetodelta = { include = { metric_types = ["histogram"] }, initial_value = "keep" }
      batch             = { timeout = "60s" }
    }
    exporters = {
      awsemf = {
        region          = var.aws_region
        namespace       = var.metrics_namespace
        log_group_name  = one(aws_cloudwatch_log_group.metrics[*].name)
        log_stream_name = "{TaskId}"
        # Only the dimension sets declared here, no automatic roll-ups.
        dimension_rollup_option = "NoDimensionRollup"
        # A series that first appears with an error (say status 503) counts from the start.
        retain_initial_value_of_delta_metric = true
        # Resource attributes (task ARN, ...) stay out of the dimensions.
        resource_to_telemetry_conversion = { enabled = false }
        metric_declarations              = local.metrics_declarations
      }
    }
    service = {
      extensions = ["health_check"]
      pipelines = {
        metrics = {
          receivers  = ["prometheus"]
          processors = ["memory_limiter", "resourcedetection", "cumulativetodelta", "batch"]
          exporters  = ["awsemf"]
        }
      }
    }
  }

  metrics_collector = {
    name                   = local.metrics_collector_name
    image                  = var.metrics_collector_image
    essential              = false # its failure never stops the task
    readonlyRootFilesystem = true
    cpu                    = var.metrics_collector_cpu
    memory                 = var.metrics_collector_memory # hard limit
    # ECS starts it again in place when it exits (a crash, the memory limit), instead of
    # leaving the task without metrics until it is replaced.
    restartPolicy = { enabled = true, restartAttemptPeriod = 60 }
    stopTimeout   = 10
    environment = [
      { name = "AOT_CONFIG_CONTENT", value = yamlencode(local.metrics_collector_config) },
    ]
    healthCheck = {
      command     = ["CMD", "/healthcheck"]
      interval    = 30
      timeout     = 5
      retries     = 3
      startPeriod = 15
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.app.name
        awslogs-region        = var.aws_region
        awslogs-stream-prefix = local.metrics_collector_name
      }
    }
  }

  container_definitions = concat([local.container], var.enable_metrics_sidecar ? [local.metrics_collector] : [])

  # Statuses of justifi_mcp_upstream_requests_total the alarm below counts as failures (its
  # expression names each one's status_<code>).
  upstream_error_statuses = ["0", "500", "502", "503", "504"]
}

# Where the EMF events land (the metrics are extracted from them); the collector does not
# create it, and the task role could not.
resource "aws_cloudwatch_log_group" "metrics" {
  count             = var.enable_metrics_sidecar ? 1 : 0
  name              = "/ecs/${var.name}/metrics"
  retention_in_days = var.log_retention_days
}

# The task role's only permissions: what awsemf calls. It writes with PutLogEvents and creates
# its stream with CreateLogStream when PutLogEvents reports it missing; it calls
# CreateLogGroup and PutRetentionPolicy only when the group is missing (Terraform creates it,
# with the retention) and never DescribeLogStreams (sequence tokens are gone). No
# cloudwatch:PutMetricData: CloudWatch extracts EMF metrics from the log events itself.
data "aws_iam_policy_document" "task_metrics" {
  count = var.enable_metrics_sidecar ? 1 : 0

  statement {
    sid     = "WriteMetricsLogEvents"
    effect  = "Allow"
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"]
    # The group (CreateLogStream) and its streams (PutLogEvents), nothing else.
    resources = [aws_cloudwatch_log_group.metrics[0].arn, "${aws_cloudwatch_log_group.metrics[0].arn}:log-stream:*"]
  }
}

resource "aws_iam_role_policy" "task_metrics" {
  count  = var.enable_metrics_sidecar ? 1 : 0
  name   = "write-metrics"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task_metrics[0].json
}

# JustiFi API calls answered with a server error or not at all (status 0), as a share of all
# calls in 5 minutes, from the sidecar's metrics; quiet below 10 calls. Two periods in a row.

resource "aws_cloudwatch_metric_alarm" "upstream_errors" {
  count               = var.enable_metrics_sidecar ? 1 : 0
  alarm_name          = "${var.name}-upstream-errors"
  alarm_description   = "More than ${var.upstream_error_alarm_percent}% of ${var.name}'s JustiFi API calls got 500/502/503/504 or no answer, two 5-minute periods in a row."
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.upstream_error_alarm_percent
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions

  metric_query {
    id          = "error_percent"
    label       = "JustiFi API calls failed (%)"
    expression  = "IF(calls >= 10, 100 * (FILL(status_0, 0) + FILL(status_500, 0) + FILL(status_502, 0) + FILL(status_503, 0) + FILL(status_504, 0)) / calls, 0)"
    return_data = true
  }

  metric_query {
    id = "calls"
    metric {
      namespace   = var.metrics_namespace
      metric_name = "justifi_mcp_upstream_requests_total"
      period      = 300
      stat        = "Sum"
      dimensions  = { environment = var.environment, service = var.name }
    }
  }

  dynamic "metric_query" {
    for_each = toset(local.upstream_error_statuses)
    content {
      id = "status_${metric_query.value}"
      metric {
        namespace   = var.metrics_namespace
        metric_name = "justifi_mcp_upstream_requests_total"
        period      = 300
        stat        = "Sum"
        dimensions  = { environment = var.environment, service = var.name, status = metric_query.value }
      }
    }
  }
}
