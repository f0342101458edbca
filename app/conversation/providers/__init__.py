"""Outside services as small Protocols, one module per vendor, an offline one beside each."""
