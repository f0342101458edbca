"""Cross-domain orchestration: a call from greeting to outcome, erasure, the agent's API turn."""
