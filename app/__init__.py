"""Agent Messiah: outbound AI sales calls in Israeli Hebrew."""
