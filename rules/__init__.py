"""The rule catalogue: one <ID>.yaml per rule and policy.yaml; installed as the package data of rdcheck.rules."""
