"""NGO operations: live content reload and sync across workers, uploads, scam reports, alerts."""
