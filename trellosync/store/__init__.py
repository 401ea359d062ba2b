"""The database: schema and migrations, the mirror's upserts, the domain's rows, queries and sync locks."""
