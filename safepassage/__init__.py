"""SafePassage: case management, statistics and research data for counter-trafficking work."""
