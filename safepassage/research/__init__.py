"""Research releases: k-anonymised record extracts and differentially private marginal tables.

Pure Python on pandas; nothing here touches the ORM, so the engine can be tested and benchmarked
without a database. `safepassage export_research` wires it to the case data and the CTDC layout.
"""
