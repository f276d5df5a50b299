# terraform workspace select production
# terraform apply -var-file=environments/production.tfvars
# Deploy images with ./deploy.sh (its defaults are these names).
# The defaults in variables.tf are the production values; only the network is site-specific.

environment = "production"
name        = "justifi-mcp"
domain_name = "mcp.justifi.ai"

# RFC 8693 token exchange (README.md, "Exchange mode"): put JUSTIFI_EXCHANGE_CLIENT_ID and
# JUSTIFI_EXCHANGE_CLIENT_SECRET into the secret first, then:
# upstream_auth = "exchange"
# require_dpop  = true

# vpc_id             = "vpc-..."
# public_subnet_ids  = ["subnet-...", "subnet-..."]
# private_subnet_ids = ["subnet-...", "subnet-..."]
