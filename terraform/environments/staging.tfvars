# terraform workspace select staging
# terraform apply -var-file=environments/staging.tfvars
# Deploy images with ECR_REPOSITORY=justifi-mcp-staging ECS_CLUSTER=justifi-mcp-staging ECS_SERVICE=justifi-mcp-staging ./deploy.sh
# Same shape as production (same task size, several tasks so shared sessions are exercised),
# smaller and easier to tear down.

environment = "staging"
name        = "justifi-mcp-staging"
domain_name = "mcp-staging.justifi.ai"

desired_count               = 2
min_count                   = 2
max_count                   = 4
deletion_protection         = false
secret_recovery_window_days = 7
log_level                   = "debug"
# Developers test with their JustiFi API keys as headers here; production accepts OAuth only.
allow_client_credential_headers = "true"

# RFC 8693 token exchange (README.md, "Exchange mode"): put JUSTIFI_EXCHANGE_CLIENT_ID and
# JUSTIFI_EXCHANGE_CLIENT_SECRET into the secret first, then:
# upstream_auth = "exchange"
# require_dpop  = true

# vpc_id             = "vpc-..."
# public_subnet_ids  = ["subnet-...", "subnet-..."]
# private_subnet_ids = ["subnet-...", "subnet-..."]
