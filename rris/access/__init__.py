"""Who may do what and see which records: roles, institution scoping, case-data disclosure, the read audit."""
