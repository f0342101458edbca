"""What the agent says about the company: stored in the database, the env as defaults."""
