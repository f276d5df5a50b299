# Terraform and provider versions, the state backend and the AWS provider.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.70.0, < 7.0.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.6.0, < 4.0.0"
    }
  }

  # Partial configuration: bucket, key, region and locking come from
  # `terraform init -backend-config=...` (see README.md). Each environment is a
  # workspace of this one configuration, so its state lives under env:/<workspace>/.
  backend "s3" {}
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge(var.tags, {
      Service     = var.name
      Environment = var.environment
      ManagedBy   = "terraform"
    })
  }
}
