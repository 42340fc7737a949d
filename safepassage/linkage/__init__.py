"""Record linkage: turns instances of assistance into individuals (pure Python, no ORM)."""
