"""IAM semantics: what actions, resources, conditions and managed policies mean (see
docs/architecture.md, "IAM semantics"). Nothing here imports the rule engine."""
