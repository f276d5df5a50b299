output "url" {
  description = "Public URL of the server (MCP_PUBLIC_URL); clients connect to it."
  value       = local.public_url
}

output "exchange_token_audience" {
  description = "With upstream_auth = \"exchange\", the audience users' tokens must carry (MCP_PUBLIC_URL + /mcp): the identifier of the Auth0 API that stands for this server. Null in passthrough mode."
  value       = local.upstream_exchange ? local.mcp_resource_url : null
}

output "load_balancer_dns_name" {
  description = "DNS name of the ALB (the alias target of domain_name)."
  value       = aws_lb.main.dns_name
}

output "ecr_repository_url" {
  description = "Push images here, tagged with the image_tag to deploy."
  value       = aws_ecr_repository.app.repository_url
}

output "cluster_name" {
  description = "ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "service_name" {
  description = "ECS service (aws ecs update-service --force-new-deployment rolls it)."
  value       = aws_ecs_service.app.name
}

output "task_definition_arn" {
  description = "Task definition revision the service runs."
  value       = aws_ecs_task_definition.app.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the tasks."
  value       = aws_cloudwatch_log_group.app.name
}

output "secret_arn" {
  description = "Secrets Manager secret whose JSON keys become the tasks' environment."
  value       = aws_secretsmanager_secret.environment.arn
}

output "secret_name" {
  description = "Name of that secret."
  value       = aws_secretsmanager_secret.environment.name
}

output "target_group_arn" {
  description = "Target group of the tasks."
  value       = aws_lb_target_group.app.arn
}

output "task_security_group_id" {
  description = "Security group of the tasks."
  value       = aws_security_group.tasks.id
}

output "metrics_log_group_name" {
  description = "Log group of the metrics sidecar's EMF events (null without the sidecar)."
  value       = one(aws_cloudwatch_log_group.metrics[*].name)
}

output "metrics_namespace" {
  description = "CloudWatch namespace of the server's metrics (null without the sidecar)."
  value       = var.enable_metrics_sidecar ? var.metrics_namespace : null
}
