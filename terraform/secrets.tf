# The secret <name>/environment: one JSON object whose keys the task definition injects as
# environment variables (ecs.tf, local.task_secrets_*). MCP_SESSION_SECRET is the same for
# every task, so any task accepts any session id.
#
# Terraform writes the first version only (the Auth0 settings from variables and a random
# session secret) and then ignores the value: operators change it with
# `aws secretsmanager put-secret-value` and roll the service (README.md). The first value is
# in the Terraform state, which must therefore be encrypted and access-controlled.

resource "aws_secretsmanager_secret" "environment" {
  name                    = "${var.name}/environment"
  description             = "Environment of the ${var.name} ECS tasks (JSON object of variable name to value)"
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "random_password" "session_secret" {
  length  = 64
  special = false
}

locals {
  # Every key of local.task_secrets_required must be here, or new tasks cannot start. The keys
  # of task_secrets_optional and task_secrets_exchange are not: they are credentials Terraform
  # never holds, which operators put into the secret before turning them on (README.md).
  initial_secret_values = {
    JUSTIFI_AUTH0_DOMAIN   = var.auth0_domain
    JUSTIFI_AUTH0_AUDIENCE = var.auth0_audience
    JUSTIFI_OAUTH_SCOPES   = var.oauth_scopes
    MCP_SESSION_SECRET     = random_password.session_secret.result
  }
}

resource "aws_secretsmanager_secret_version" "initial" {
  secret_id     = aws_secretsmanager_secret.environment.id
  secret_string = jsonencode(local.initial_secret_values)

  lifecycle {
    ignore_changes = [secret_string]
  }
}
