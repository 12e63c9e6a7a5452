"""policylint: a policy-as-code linter for CloudFormation, Terraform and IAM policy documents."""

__version__ = "0.1.0"
