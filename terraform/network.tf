# Security groups. The VPC and its subnets are passed in (variables.tf); the tasks' private
# subnets need a NAT gateway for their HTTPS egress.
#
# Rules are separate resources, one rule each. Terraform removes the allow-all egress rule AWS
# adds to a new security group, so these rules are all there is:
#   ALB:   in 443 from anywhere; in 80 from anywhere (answered only with a redirect to 443);
#          out 8080 to the tasks' group.
#   tasks: in 8080 from the ALB's group only; out 443 (JustiFi API, Auth0 JWKS, ECR, CloudWatch
#          Logs, Secrets Manager). DNS to the VPC resolver is not subject to security groups.

resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "${var.name} load balancer: HTTPS in from anywhere, HTTP in for the redirect, the container port out to the tasks"
  vpc_id      = var.vpc_id
}

resource "aws_security_group" "tasks" {
  name        = "${var.name}-tasks"
  description = "${var.name} tasks: the container port in from the load balancer only, HTTPS out"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from anywhere"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "alb_http_redirect" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTP from anywhere, answered with a 301 to HTTPS"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "alb_to_tasks" {
  security_group_id            = aws_security_group.alb.id
  description                  = "Requests and health checks to the tasks"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.tasks.id
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from_alb" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "Requests and health checks from the load balancer"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.alb.id
}

resource "aws_vpc_security_group_egress_rule" "tasks_https" {
  security_group_id = aws_security_group.tasks.id
  description       = "HTTPS to the JustiFi API, Auth0, ECR, CloudWatch Logs and Secrets Manager (through the NAT gateway)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}
