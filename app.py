"""Entry point: ``python app.py`` serves the board; ``gunicorn app:server`` in production."""

from dashboard.app import create_app

app = create_app()
server = app.server

if __name__ == "__main__":
    settings = server.config["HOTLINE_SERVICE"].settings
    app.run(host=settings.host, port=settings.port, debug=False)
