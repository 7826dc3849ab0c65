"""Pure attendance engines: staffing norms and the day's expected list (no Django imports)."""
