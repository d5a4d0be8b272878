"""rdcheck: check enterprise R&D auxiliary ledgers (研发支出辅助账) and roll them up into district R&D statistics."""

__version__ = "0.1.0"
