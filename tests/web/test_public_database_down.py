"""A database that does not answer: a 503 in the public forms, never a 500."""

from __future__ import annotations

from tests.web.public_helpers import public_app


def test_database_down_answers_503_not_500(tmp_path):
    app = public_app(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    client = app.server.test_client()
    for path in ("/open311/v2/requests.json", "/open311/v2/services.xml"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert b"503" in response.data
    page = client.get("/tra-cuu?code=1022-261201-0001")
    assert page.status_code == 503
    assert "thử lại sau" in page.get_data(as_text=True)
    assert client.get("/tra-cuu").status_code == 200  # the form needs no database
