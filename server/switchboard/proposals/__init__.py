"""Proposals: changes to the rules as commits on their own branch, reviewed, then merged.

`service.ProposalService` is the entry point; `model` holds the values it returns.
"""
