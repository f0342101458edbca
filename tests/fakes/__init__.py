"""Wire-level fakes of outside services: real HTTP servers on loopback, speaking vendor formats."""
