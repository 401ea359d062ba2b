from trellosync.store.db import Store


def test_postgres_server_migrates(pg_url):
    s = Store(pg_url)
    assert s.dialect == "postgresql"
    assert s.counts()["boards"] == 0
